import assert from 'node:assert/strict';
import { test } from 'node:test';
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

function account(id: string, kind: AccountRow['kind'], credits = 0, debitsPending = 0): AccountRow {
  return {
    id,
    kind,
    allowOverdraft: kind === 'system' || kind === 'merchant',
    debitsPosted: 0,
    creditsPosted: credits,
    debitsPending,
    creditsPending: 0,
  };
}

function world(status: CardRow['status'], subsidy: number, subsidyPending = 0): BatchState {
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
  s.accounts.set('SYS-SUBSIDY-FUND', account('SYS-SUBSIDY-FUND', 'system'));
  s.accounts.set('W0', account('W0', 'wallet_main', 500));
  s.accounts.set('S0', account('S0', 'wallet_subsidy', subsidy, subsidyPending));
  s.cards.set('800000000000', {
    cardNo: '800000000000',
    personId: 'P0',
    status,
    version: 1,
    mainAccountId: 'W0',
    subsidyAccountId: 'S0',
    dailyLimit: 1_000_000,
    pinFreeLimit: 1_000_000,
    spentDay: 0,
    spentDayAmount: 0,
    lastPayDeviceId: null,
    lastPayAtMs: null,
    pinSet: false,
    risk: { ...riskClear },
    places: new Map(),
  });
  return s;
}

const clear = (cardNo = '800000000000'): Operation => ({
  kind: 'subsidy_clear',
  request: { id: 'clr:1', cardNo, reason: 'term end' },
});

test('when a subsidy wallet is cleared, then its whole available balance goes to the fund and the main wallet is untouched', () => {
  // Goal: one journal entry, subsidy wallet → SYS-SUBSIDY-FUND, of exactly what was available.
  for (const status of ['active', 'lost', 'frozen'] as const) {
    const s = world(status, 1234);
    const fx = emptyEffects();
    const outcome = applyOperation(clear(), s, fx, limits);
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.status === 'ok' && outcome.amount, 1234);
    assert.deepEqual(
      fx.transfers.map((t) => [t.debitAccountId, t.creditAccountId, t.amount]),
      [['S0', 'SYS-SUBSIDY-FUND', 1234]],
    );
    assert.equal(available(s.accounts.get('S0') as AccountRow), 0);
    assert.equal(available(s.accounts.get('W0') as AccountRow), 500);
  }
});

test('when a meter holds part of the subsidy, then clearing leaves the reservation and takes only the rest', () => {
  // Goal: a running shower can still settle against what it reserved.
  const s = world('active', 1000, 600);
  const fx = emptyEffects();
  const outcome = applyOperation(clear(), s, fx, limits);
  assert.equal(outcome.status === 'ok' && outcome.amount, 400);
  const wallet = s.accounts.get('S0') as AccountRow;
  assert.equal(wallet.debitsPending, 600);
  assert.equal(wallet.creditsPosted - wallet.debitsPosted, 600);
});

test('when the wallet is empty or the card unknown, then clearing moves nothing', () => {
  // Goal: an empty wallet is an accepted zero (no journal entry); an unknown card is refused.
  const s = world('active', 0);
  const fx = emptyEffects();
  const outcome = applyOperation(clear(), s, fx, limits);
  assert.equal(outcome.status === 'ok' && outcome.amount, 0);
  assert.equal(fx.transfers.length, 0);
  const refused = applyOperation(clear('899999999999'), s, fx, limits);
  assert.equal(refused.status === 'rejected' && refused.code, 'CARD_NOT_FOUND');
  assert.equal(fx.transfers.length, 0);
});
