import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { dayBoundsMs, shanghaiDay } from '../time.ts';
import { applyOperation, type BatchState, emptyEffects, type LedgerLimits } from './apply.ts';
import type { Operation } from './operations.ts';
import { riskClear, stepUpDefaults } from './risk-step-up.ts';
import { type AccountRow, available, type CardRow } from './state.ts';

const limits: LedgerLimits = {
  paymentAmountMax: 100_000,
  topUpAmountMax: 500_000,
  payIntervalMsMin: 0,
  holdTimeoutMsMax: 3_600_000,
  stepUp: { ...stepUpDefaults, highPaymentsMin: 0 },
};

function account(id: string, kind: AccountRow['kind']): AccountRow {
  return {
    id,
    kind,
    allowOverdraft: kind === 'merchant' || kind === 'system',
    debitsPosted: 0,
    creditsPosted: 0,
    debitsPending: 0,
    creditsPending: 0,
  };
}

function world(cardCount: number): BatchState {
  const s: BatchState = {
    nowMs: 1_800_000_000_000,
    cards: new Map(),
    accounts: new Map(),
    merchants: new Map(),
    holds: new Map(),
    payments: new Map(),
    devices: new Map(),
    codeUses: new Map(),
  };
  for (const id of [
    'SYS-CLEARING-WECHAT',
    'SYS-CLEARING-ALIPAY',
    'SYS-CASH-DESK',
    'SYS-BANK-TRANSFER',
    'SYS-SUBSIDY-FUND',
    'SYS-ADJUSTMENT',
  ]) {
    s.accounts.set(id, account(id, 'system'));
  }
  for (const m of ['M0', 'M1']) {
    s.merchants.set(m, { id: m, accountId: `A-${m}`, status: 'active' });
    s.accounts.set(`A-${m}`, account(`A-${m}`, 'merchant'));
  }
  for (let i = 0; i < cardCount; i++) {
    const card: CardRow = {
      cardNo: `80000000000${i}`,
      personId: `P${i}`,
      status: 'active',
      version: 1,
      mainAccountId: `W${i}`,
      subsidyAccountId: `S${i}`,
      dailyLimit: 1_000_000,
      pinFreeLimit: 1_000_000,
      spentDay: 0,
      spentDayAmount: 0,
      lastPayDeviceId: null,
      lastPayAtMs: null,
      pinSet: false,
      risk: { ...riskClear },
      places: new Map(),
    };
    s.cards.set(card.cardNo, card);
    s.accounts.set(card.mainAccountId, account(card.mainAccountId, 'wallet_main'));
    s.accounts.set(card.subsidyAccountId, account(card.subsidyAccountId, 'wallet_subsidy'));
  }
  return s;
}

test('when any sequence of operations is applied, then the books balance and no wallet goes negative', () => {
  // Goal: the pure rules keep double entry and the wallet floor whatever the order of operations.
  const cardIndex = fc.integer({ min: 0, max: 2 });
  const amount = fc.integer({ min: 1, max: 3_000 });
  const step = fc.oneof(
    fc.record({ kind: fc.constant('top_up' as const), card: cardIndex, amount }),
    fc.record({ kind: fc.constant('subsidy' as const), card: cardIndex, amount }),
    fc.record({ kind: fc.constant('payment' as const), card: cardIndex, amount }),
    fc.record({ kind: fc.constant('refund' as const), target: fc.nat(), amount }),
    fc.record({ kind: fc.constant('hold' as const), card: cardIndex, amount }),
    fc.record({
      kind: fc.constant('post' as const),
      target: fc.nat(),
      amount: fc.integer({ min: 0, max: 3_000 }),
    }),
    fc.record({ kind: fc.constant('void' as const), target: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const s = world(3);
      const fx = emptyEffects();
      const payments: string[] = [];
      const holds: string[] = [];
      steps.forEach((st, i) => {
        const id = `op${i}`;
        const cardNo = `80000000000${'card' in st ? st.card : 0}`;
        let op: Operation;
        switch (st.kind) {
          case 'top_up':
            op = { kind: 'top_up', request: { id, cardNo, amount: st.amount, channel: 'wechat' } };
            break;
          case 'subsidy':
            op = { kind: 'subsidy', request: { id, cardNo, amount: st.amount } };
            break;
          case 'payment':
            op = {
              kind: 'payment',
              pinCheck: 'none',
              request: { id, cardNo, merchantId: `M${i % 2}`, amount: st.amount },
            };
            break;
          case 'refund':
            op = {
              kind: 'refund',
              request: {
                id,
                paymentId: payments[st.target % Math.max(payments.length, 1)] ?? 'none',
                amount: st.amount,
              },
            };
            break;
          case 'hold':
            op = {
              kind: 'hold',
              request: { id, cardNo, merchantId: 'M0', amount: st.amount, timeoutMs: 60_000 },
            };
            break;
          case 'post':
            op = {
              kind: 'post',
              request: {
                id,
                holdId: holds[st.target % Math.max(holds.length, 1)] ?? 'none',
                amount: st.amount,
              },
            };
            break;
          case 'void':
            op = {
              kind: 'void',
              request: { id, holdId: holds[st.target % Math.max(holds.length, 1)] ?? 'none' },
            };
            break;
        }
        const outcome = applyOperation(op, s, fx, limits);
        if (outcome.status === 'ok' && st.kind === 'payment') payments.push(id);
        if (outcome.status === 'ok' && st.kind === 'hold') holds.push(id);
      });
      let posted = 0;
      let pending = 0;
      for (const a of s.accounts.values()) {
        posted += a.creditsPosted - a.debitsPosted;
        pending += a.creditsPending - a.debitsPending;
        if (!a.allowOverdraft) assert.ok(available(a) >= 0, `${a.id} went negative`);
      }
      assert.equal(posted, 0);
      assert.equal(pending, 0);
      // The journal says the same as the counters.
      const fromJournal = new Map<string, number>();
      for (const t of fx.transfers) {
        if (t.pending) continue;
        fromJournal.set(t.debitAccountId, (fromJournal.get(t.debitAccountId) ?? 0) - t.amount);
        fromJournal.set(t.creditAccountId, (fromJournal.get(t.creditAccountId) ?? 0) + t.amount);
      }
      for (const a of s.accounts.values())
        assert.equal(a.creditsPosted - a.debitsPosted, fromJournal.get(a.id) ?? 0);
      for (const p of s.payments.values()) assert.ok(p.refundedAmount <= p.amount);
    }),
    { numRuns: 300 },
  );
});

test('when a rule refuses an operation, then the state is untouched and the refusal is recorded', () => {
  // Goal: refusals change nothing but still leave an operation row for retries.
  const s = world(1);
  const fx = emptyEffects();
  const before = JSON.stringify([...s.accounts.values()]);
  const outcome = applyOperation(
    {
      kind: 'payment',
      pinCheck: 'none',
      request: { id: 'x', cardNo: '800000000000', merchantId: 'M0', amount: 10 },
    },
    s,
    fx,
    limits,
  );
  assert.equal(outcome.status, 'rejected');
  assert.equal(JSON.stringify([...s.accounts.values()]), before);
  assert.equal(fx.transfers.length, 0);
  assert.equal(fx.operations[0]?.outcome, 'INSUFFICIENT_FUNDS');
});

test('when an adjustment names a counter account, then it moves between the two system accounts, and a wallet or the target itself is refused', () => {
  // Goal: a refund payout is one ledger entry between system accounts; money never leaves a wallet this way.
  const s = world(1);
  s.accounts.set('SYS-REFUND-PAYABLE', account('SYS-REFUND-PAYABLE', 'system'));
  const adjust = (id: string, counterAccountId: string, accountId = 'SYS-CASH-DESK') => {
    const fx = emptyEffects();
    const op: Operation = {
      kind: 'adjustment',
      request: { id, accountId, counterAccountId, amount: 500, reason: 'refund payout' },
    };
    return { outcome: applyOperation(op, s, fx, limits), fx };
  };
  const paid = adjust('payout:1', 'SYS-REFUND-PAYABLE');
  assert.equal(paid.outcome.status, 'ok');
  assert.deepEqual(
    paid.fx.transfers.map((t) => [t.debitAccountId, t.creditAccountId, t.amount]),
    [['SYS-REFUND-PAYABLE', 'SYS-CASH-DESK', 500]],
  );
  assert.equal(s.accounts.get('SYS-ADJUSTMENT')?.creditsPosted, 0, 'the adjustment account is not touched');

  const wallet = adjust('payout:2', 'W0');
  assert.equal(wallet.outcome.status === 'rejected' && wallet.outcome.code, 'COUNTER_ACCOUNT_NOT_SYSTEM');
  assert.equal(wallet.fx.transfers.length, 0);
  const itself = adjust('payout:3', 'SYS-CASH-DESK');
  assert.equal(itself.outcome.status === 'rejected' && itself.outcome.code, 'VALIDATION_FAILED');
});

test('#12.5 when a hold is opened at 23:59:50 Shanghai time and posted at 00:00:10, then it counts on its opening day only', () => {
  // Goal: the reservation is charged to day D; a post on D+1 leaves D+1's room whole, before or after payments.
  const { startMs } = dayBoundsMs(shanghaiDay(1_800_000_000_000) + 1);
  const s = world(1);
  const acct = (id: string): AccountRow => {
    const row = s.accounts.get(id);
    if (!row) throw new Error(`no account ${id}`);
    return row;
  };
  const card = s.cards.get('800000000000') as CardRow;
  card.dailyLimit = 1_000;
  acct('W0').creditsPosted = 10_000;
  acct('SYS-CLEARING-WECHAT').debitsPosted = 10_000;
  const fx = emptyEffects();
  const run = (op: Operation) => applyOperation(op, s, fx, limits);
  const request = { cardNo: card.cardNo, merchantId: 'M0' };
  s.nowMs = startMs - 10_000;
  assert.equal(
    run({ kind: 'hold', request: { id: 'h1', ...request, amount: 600, timeoutMs: 600_000 } }).status,
    'ok',
  );
  assert.deepEqual([card.spentDay, card.spentDayAmount], [shanghaiDay(s.nowMs), 600]);
  const pay = (id: string, amount: number) =>
    run({ kind: 'payment', request: { id, ...request, amount }, pinCheck: 'none' });
  assert.equal(pay('p0', 401).status, 'rejected');
  s.nowMs = startMs + 10_000;
  assert.equal(pay('p1', 1_000).status, 'ok');
  assert.equal(run({ kind: 'post', request: { id: 'post1', holdId: 'h1', amount: 600 } }).status, 'ok');
  assert.deepEqual([card.spentDay, card.spentDayAmount], [shanghaiDay(s.nowMs), 1_000]);
  assert.equal(pay('p2', 1).status, 'rejected');
  // Merchant got both; the card paid 1,600 over two days, each within its day's limit.
  assert.equal(available(acct('W0')), 8_400);
});
