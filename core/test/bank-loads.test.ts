import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStudent, redisUrl, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type BankStandIn, bankSignature, startBank } from '../../mock/bank/server.ts';
import { CoreError } from '../src/errors.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { shanghaiToday } from '../src/time.ts';

/**
 * Bank 圈存 against MariaDB and Redis and the bank front-end stand-in with its fault switches: a
 * transfer is credited to the card only when the bank booked it, a lost answer is reversed (冲正),
 * what a crash left pending follows the bank's record, the day file is checked, auto top-up loads
 * at most once a day, and a leaver's refund is paid to the bound bank card. The ledger check holds
 * at the end.
 */
const secret = 'bank-test-secret-0123456789abcdef';
let bank: BankStandIn;
let t: TestCore;
let serial = 0;

before(async () => {
  bank = await startBank({ secret });
  t = await startTestCore('mysql', {
    REDIS_URL: redisUrl,
    BANK_URL: bank.url,
    BANK_SECRET: secret,
    // The fault switches hold a request unanswered, so this is how long each timeout case waits; 300 ms
    // made answered requests time out too on a loaded machine (50 binding confirmations at once got
    // BANK_UNAVAILABLE instead of BANK_SMS_CODE_WRONG in CI), so it is well above an answer's time.
    BANK_TIMEOUT_MS: '2000',
    BANK_RESOLVE_AFTER_MS: '0',
    BANK_JOB_INTERVAL_MS: '3600000',
  });
});
after(async () => {
  await t.stop();
  await bank.close();
});

/** A student card with a bank account of `balance` fen bound to it. */
async function boundCard(balance = 100_000): Promise<{ cardNo: string; bankCard: string; phone: string }> {
  serial += 1;
  const cardNo = await openStudent(t.client);
  const bankCard = `62220200${String(serial).padStart(8, '0')}`;
  const phone = `139${String(serial).padStart(8, '0')}`;
  const idNumber = `11010120000101${String(serial).padStart(3, '0')}X`;
  bank.addAccount({ cardNumber: bankCard, name: '测试学生', idNumber, phone, balance });
  const started = await t.client.startBankBinding({ cardNo, bankCardNumber: bankCard, idNumber, phone });
  const smsCode = bank.smsFor(phone) as string;
  const bound = await t.client.confirmBankBinding({ cardNo, bindingId: started.id, smsCode });
  assert.equal(bound.status, 'active');
  return { cardNo, bankCard, phone };
}

const mainBalance = async (cardNo: string) => (await t.client.getCard(cardNo)).balance.main;
const bankBalance = (bankCard: string) => bank.accounts.get(bankCard)?.balance;
const key = () => `load-${process.pid}-${++serial}`;

async function refusal(promise: Promise<unknown>): Promise<CoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

test('when a holder binds a bank card, then the bank checks the holder, SMS guesses are bounded and the number is never stored', async () => {
  // Goal: tokenised binding; a burst of wrong codes gets no more tries than the limit.
  const cardNo = await openStudent(t.client);
  bank.addAccount({
    cardNumber: '6222021234567890',
    name: '测试学生',
    idNumber: '110101200001011234',
    phone: '13800000001',
    balance: 0,
  });
  const wrongHolder = await refusal(
    t.client.startBankBinding({
      cardNo,
      bankCardNumber: '6222021234567890',
      idNumber: '110101200001019999',
      phone: '13800000001',
    }),
  );
  assert.equal(wrongHolder.code, 'BANK_BINDING_REFUSED');
  const started = await t.client.startBankBinding({
    cardNo,
    bankCardNumber: '6222021234567890',
    idNumber: '110101200001011234',
    phone: '13800000001',
  });
  assert.equal(started.masked, '622202******7890');
  assert.equal(started.phoneTail, '0001');
  const right = bank.smsFor('13800000001') as string;
  const wrong = right === '000000' ? '111111' : '000000';
  const answers = await Promise.all(
    Array.from({ length: 50 }, () =>
      refusal(t.client.confirmBankBinding({ cardNo, bindingId: started.id, smsCode: wrong })),
    ),
  );
  assert.equal(answers.filter((e) => e.code === 'BANK_SMS_CODE_WRONG').length, 5);
  assert.equal(answers.filter((e) => e.code === 'BANK_SMS_LOCKED').length, 45);
  // Even the right code is refused now: the request is used up.
  const locked = await refusal(
    t.client.confirmBankBinding({ cardNo, bindingId: started.id, smsCode: right }),
  );
  assert.equal(locked.code, 'BANK_SMS_LOCKED');
  assert.equal((await t.client.bankBinding(cardNo)).binding, null);
  const rows = await t.core.db.select<Record<string, unknown>>('SELECT * FROM bank_bindings');
  assert.ok(!JSON.stringify(rows).includes('6222021234567890'), 'the full card number is not stored');
});

test('when a bound card loads and retries, then the bank is debited once and the card credited once', async () => {
  const { cardNo, bankCard } = await boundCard(100_000);
  const idempotencyKey = key();
  const first = await t.client.bankLoad({ cardNo, amount: 5_000, idempotencyKey });
  assert.equal(first.status, 'credited');
  assert.ok(first.bankSerial);
  const again = await t.client.bankLoad({ cardNo, amount: 5_000, idempotencyKey });
  assert.equal(again.id, first.id);
  assert.equal(await mainBalance(cardNo), 5_000);
  assert.equal(bankBalance(bankCard), 95_000);
  const poor = await t.client.bankLoad({ cardNo, amount: 200_000, idempotencyKey: key() });
  assert.equal(poor.status, 'failed');
  assert.equal(poor.failureCode, 'INSUFFICIENT_FUNDS');
  assert.equal(await mainBalance(cardNo), 5_000);
});

test('when the bank declines, then the transfer fails for good and nothing moves', async () => {
  const { cardNo, bankCard } = await boundCard(10_000);
  bank.faults = { transfer: 'decline' };
  const declined = await t.client.bankLoad({ cardNo, amount: 1_000, idempotencyKey: key() });
  bank.faults = {};
  assert.equal(declined.status, 'failed');
  assert.equal(await mainBalance(cardNo), 0);
  assert.equal(bankBalance(bankCard), 10_000);
  await t.client.resolveBankTransfers();
  assert.equal((await t.client.bankTransfer(declined.id)).status, 'failed');
});

test('when the bank debits but its answer times out, then the transfer is reversed and the money is back at the bank', async () => {
  const { cardNo, bankCard } = await boundCard(10_000);
  bank.faults = { transfer: 'timeout_after_debit' };
  const lost = await t.client.bankLoad({ cardNo, amount: 2_000, idempotencyKey: key() });
  bank.faults = {};
  assert.equal(lost.status, 'reversed');
  assert.equal(bank.transfers.get(lost.id)?.status, 'reversed');
  assert.equal(bankBalance(bankCard), 10_000);
  assert.equal(await mainBalance(cardNo), 0);
});

test('when neither the transfer nor its reversal is answered, then it stays uncertain until the resolve job reverses it', async () => {
  const { cardNo, bankCard } = await boundCard(10_000);
  bank.faults = { transfer: 'timeout_after_debit', reversal: 'timeout' };
  const lost = await t.client.bankLoad({ cardNo, amount: 3_000, idempotencyKey: key() });
  assert.equal(lost.status, 'uncertain');
  assert.equal(bankBalance(bankCard), 7_000, 'the bank did take it');
  // Still unanswered: the job leaves it uncertain and never credits it.
  await t.client.resolveBankTransfers();
  assert.equal((await t.client.bankTransfer(lost.id)).status, 'uncertain');
  bank.faults = {};
  await t.client.resolveBankTransfers();
  assert.equal((await t.client.bankTransfer(lost.id)).status, 'reversed');
  assert.equal(bankBalance(bankCard), 10_000);
  assert.equal(await mainBalance(cardNo), 0);
});

test('when a load was never answered because the core stopped, then the resolve job follows the bank: booked is credited, unseen is reversed', async () => {
  // Goal: the leftovers of a crash between insert and answer (the crash test does it with kill -9).
  const { cardNo, bankCard } = await boundCard(10_000);
  const booked = await leftover(cardNo, 1_500, true);
  const unseen = await leftover(cardNo, 2_500, false);
  await t.client.resolveBankTransfers();
  assert.equal((await t.client.bankTransfer(booked)).status, 'credited');
  assert.equal((await t.client.bankTransfer(unseen)).status, 'reversed');
  assert.equal(bank.transfers.get(unseen)?.status, 'reversed', 'a late original would now be refused');
  assert.equal(await mainBalance(cardNo), 1_500);
  assert.equal(bankBalance(bankCard), 8_500);
});

test('when the day file is checked, then a pending transfer the bank booked is credited and every difference is recorded once', async () => {
  const { cardNo } = await boundCard(50_000);
  const credited = await t.client.bankLoad({ cardNo, amount: 1_000, idempotencyKey: key() });
  const pending = await leftover(cardNo, 700, true);
  const today = shanghaiToday();
  bank.faults = { reconOmit: credited.id, reconExtra: true };
  const first = await t.client.reconcileBank(today);
  assert.equal(first.confirmed, 1);
  assert.equal((await t.client.bankTransfer(pending)).status, 'credited');
  await t.client.reconcileBank(today);
  bank.faults = { reconAmountDelta: 1 };
  await t.client.reconcileBank(today);
  bank.faults = {};
  const found = (await t.client.bankMismatches()).items;
  const of = (id: string) => found.filter((m) => m.transferId === id).map((m) => m.kind);
  assert.deepEqual(of(credited.id).sort(), ['amount_differs', 'missing_theirs']);
  assert.deepEqual(of('bk-extra-0000'), ['missing_ours']);
  assert.equal(found.filter((m) => m.kind === 'missing_theirs').length, 1, 'a rerun stores nothing twice');
  assert.equal(await mainBalance(cardNo), 1_700);
});

test('when 50 auto top-up triggers race below the threshold, then the card is loaded once that day and told once', async () => {
  const { cardNo, bankCard } = await boundCard(100_000);
  await t.client.setAutoTopUp({ cardNo, enabled: true, threshold: 2_000, amount: 5_000, monthlyCap: 5_000 });
  const outcomes = await Promise.all(Array.from({ length: 50 }, () => t.client.triggerAutoTopUp(cardNo)));
  assert.equal(outcomes.filter((o) => o.outcome === 'loaded').length, 1);
  // The rest found today's load reserved, or (once it was credited) the balance above the threshold.
  assert.ok(outcomes.every((o) => ['loaded', 'already_today', 'not_needed'].includes(o.outcome)));
  assert.equal(await mainBalance(cardNo), 5_000);
  assert.equal(bankBalance(bankCard), 95_000);
  const { personId } = await t.client.getCard(cardNo);
  const notices = await t.core.db.select<{ n: unknown }>(
    "SELECT COUNT(*) AS n FROM notifications WHERE person_id = ? AND kind = 'bank_auto_top_up'",
    [personId],
  );
  assert.equal(Number(notices[0]?.n), 1);
  // Another day of the same month: above the threshold nothing is needed; below it the cap is spent.
  await t.core.db.execute('UPDATE bank_auto_top_ups SET last_day = last_day - 1 WHERE card_no = ?', [cardNo]);
  assert.equal((await t.client.triggerAutoTopUp(cardNo)).outcome, 'not_needed');
  await t.client.pay({ id: `spend-${cardNo}`, cardNo, merchantId: await merchant(), amount: 4_000 });
  assert.equal((await t.client.triggerAutoTopUp(cardNo)).outcome, 'cap_reached');
  assert.equal(bankBalance(bankCard), 95_000);
});

test('when a card with a bound bank card is closed out, then its refund is paid to that bank card once', async () => {
  const { cardNo, bankCard } = await boundCard(20_000);
  await t.client.bankLoad({ cardNo, amount: 3_000, idempotencyKey: key() });
  const closeOutId = `close-${cardNo}`;
  const closed = await t.client.closeOut(cardNo, {
    id: closeOutId,
    reason: '毕业离校',
    actor: { type: 'system', id: null },
  });
  assert.equal(closed.status, 'ok');
  await t.client.refundEntry(closeOutId).catch(() => undefined);
  const paid = await t.client.payRefundsToBank();
  assert.ok(paid.paid >= 1);
  assert.equal((await t.client.refundEntry(closeOutId)).status, 'paid');
  assert.equal(bankBalance(bankCard), 20_000);
  await t.client.payRefundsToBank();
  assert.equal(bankBalance(bankCard), 20_000, 'paid once');
});

test('when all of the above is done, then the ledger check holds, bank loads included', async () => {
  const report = await checkLedger(t.core.db);
  assert.deepEqual(report.breaks, []);
});

let merchantId: string | undefined;
async function merchant(): Promise<string> {
  merchantId ??= (await t.client.createMerchant({ name: '一食堂', category: 'canteen' })).id;
  return merchantId;
}

/**
 * A transfer a crash left pending: the row as the core writes it before asking the bank, and, when
 * `booked`, the bank's booking of it as the lost request made it.
 */
async function leftover(cardNo: string, amount: number, booked: boolean): Promise<string> {
  const binding = (await t.client.bankBinding(cardNo)).binding;
  assert.ok(binding);
  const id = `bk${String(Date.now()).padStart(13, '0')}${String(++serial).padStart(13, '0')}`.slice(0, 28);
  const nowMs = Date.now() - 1_000;
  await t.core.db.execute(
    `INSERT INTO bank_transfers (id, card_no, binding_id, direction, origin, idempotency_key, amount, day, status, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, 'load', 'app', ?, ?, ?, 'pending', ?, ?)`,
    [id, cardNo, binding.id, key(), amount, Math.floor((nowMs + 8 * 3_600_000) / 86_400_000), nowMs, nowMs],
  );
  if (booked) {
    const [row] = await t.core.db.select<{ token: string }>('SELECT token FROM bank_bindings WHERE id = ?', [
      binding.id,
    ]);
    const body = JSON.stringify({ transferId: id, token: row?.token, amount, kind: 'debit' });
    const timestamp = String(Date.now());
    const response = await fetch(`${bank.url}/transfers`, {
      method: 'POST',
      body,
      headers: {
        'x-bank-timestamp': timestamp,
        'x-bank-signature': bankSignature(secret, timestamp, 'POST', '/transfers', body),
      },
    });
    assert.equal(((await response.json()) as { status: string }).status, 'succeeded');
  }
  return id;
}
