import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type FinanceStandIn, startFinanceStandIn } from '../../mock/finance/server.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * Fees on MariaDB and Redis: items billed to people (named, or a department), card payments through
 * the ledger into the item's own clearing account, partial payment rules, receipts, refunds, the
 * finance office's progress, export and reminders; and the ledger stays balanced throughout.
 */
let t: TestCore;
let finance: FinanceStandIn;
before(async () => {
  finance = await startFinanceStandIn();
  t = await startTestCore('mysql', { REDIS_URL: 'redis://127.0.0.1:6379', FINANCE_URL: finance.url });
});
after(async () => {
  assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  await t.stop();
  await finance.close();
});

const payId = () =>
  opId('f')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(-40)
    .padStart(8, '0');
let code = 0;
const nextCode = () => `T${process.pid}${++code}`;

async function student(amount: number): Promise<{ cardNo: string; personNo: string; personId: string }> {
  const cardNo = await openStudent(t.client, { dailyLimit: 200_000 });
  if (amount > 0) await t.client.topUp({ id: opId('fund'), cardNo, amount, channel: 'cash' });
  const card = await t.client.getCard(cardNo);
  return { cardNo, personNo: card.personNo, personId: card.personId };
}

test('when a student pays a fee item from the card, then the item clearing account has it, the bill is paid and a receipt exists', async () => {
  const s = await student(100_000);
  const made = await t.client.createFeeItem({
    code: nextCode(),
    name: '教材费',
    category: 'textbook',
    amount: 4_000,
    dueDay: '2027-01-15',
    audience: { persons: [{ personNo: s.personNo }, { personNo: 'NOSUCH999' }] },
  });
  assert.equal(made.bills, 1);
  assert.deepEqual(made.unknownPersons, ['NOSUCH999']);
  const [bill] = (await t.client.cardFeeBills(s.cardNo)).items;
  assert.equal(bill?.status, 'unpaid');
  // Partial payment is not allowed for this item; more than owed never.
  await assert.rejects(
    t.client.payFeeByCard(bill?.id ?? '', { id: payId(), cardNo: s.cardNo, amount: 1_000 }),
    { code: 'FEE_PARTIAL_NOT_ALLOWED' },
  );
  await assert.rejects(
    t.client.payFeeByCard(bill?.id ?? '', { id: payId(), cardNo: s.cardNo, amount: 4_001 }),
    { code: 'FEE_AMOUNT_EXCEEDS_DUE' },
  );
  const id = payId();
  const paid = await t.client.payFeeByCard(bill?.id ?? '', { id, cardNo: s.cardNo, amount: 4_000 });
  assert.equal(paid.status, 'paid');
  // A retry answers the same payment and charges nothing more.
  assert.equal(
    (await t.client.payFeeByCard(bill?.id ?? '', { id, cardNo: s.cardNo, amount: 4_000 })).status,
    'paid',
  );
  assert.equal((await t.client.getCard(s.cardNo)).balance.main, 96_000);
  assert.equal((await t.client.getMerchant(made.item.merchantId)).balance, 4_000);
  await assert.rejects(
    t.client.payFeeByCard(bill?.id ?? '', { id: payId(), cardNo: s.cardNo, amount: 4_000 }),
    { code: 'FEE_ALREADY_PAID' },
  );
  const receipt = await t.client.feeReceipt(id);
  assert.equal(receipt.amount, 4_000);
  assert.equal(receipt.itemName, '教材费');
  assert.match(receipt.receiptNo, /^R/);
  // The refund goes back to the wallet, and the refunded part is no longer owed.
  const refund = await t.client.refundFee(id, { id: payId(), amount: 1_500, reason: '教材退订' });
  assert.equal(refund.status, 'done');
  assert.equal((await t.client.getCard(s.cardNo)).balance.main, 97_500);
  const after = await t.client.feeBill(bill?.id ?? '');
  assert.equal(after.amountDue, 2_500);
  assert.equal(after.amountPaid, 2_500);
  await assert.rejects(t.client.refundFee(id, { id: payId(), amount: 2_501, reason: '超额' }), {
    code: 'FEE_REFUND_EXCEEDS_PAID',
  });
});

test('when an item allows partial payment, then two payments settle it, and a card that cannot pay changes nothing', async () => {
  const rich = await student(10_000);
  const poor = await student(100);
  const department = `测试学院${process.pid}${code}`;
  for (const s of [rich, poor])
    await t.core.db.execute('UPDATE persons SET department = ? WHERE id = ?', [department, s.personId]);
  const made = await t.client.createFeeItem({
    code: nextCode(),
    name: '住宿费',
    category: 'accommodation',
    amount: 1_200,
    dueDay: '2027-02-01',
    allowPartial: true,
    audience: { department },
  });
  assert.equal(made.bills, 2);
  const richBill = (await t.client.cardFeeBills(rich.cardNo)).items[0]?.id ?? '';
  const poorBill = (await t.client.cardFeeBills(poor.cardNo)).items[0]?.id ?? '';
  assert.equal(
    (await t.client.payFeeByCard(richBill, { id: payId(), cardNo: rich.cardNo, amount: 200 })).status,
    'paid',
  );
  assert.equal((await t.client.feeBill(richBill)).status, 'partial');
  assert.equal(
    (await t.client.payFeeByCard(richBill, { id: payId(), cardNo: rich.cardNo, amount: 1_000 })).status,
    'paid',
  );
  assert.equal((await t.client.feeBill(richBill)).status, 'paid');
  const refused = await t.client.payFeeByCard(poorBill, { id: payId(), cardNo: poor.cardNo, amount: 1_200 });
  assert.equal(refused.status, 'refused');
  assert.equal(refused.failureCode, 'INSUFFICIENT_FUNDS');
  assert.equal((await t.client.feeBill(poorBill)).amountPaid, 0, 'the reservation was given back');
  const progress = await t.client.feeItem(made.item.id);
  assert.deepEqual(
    [progress.bills, progress.paidBills, progress.unpaidBills, progress.amountDue, progress.amountPaid],
    [2, 1, 1, 2_400, 1_200],
  );
  const csv = await t.client.exportFeeItem(made.item.id);
  assert.match(csv, /学号,姓名,院系,应缴\(元\),已缴\(元\),状态/);
  assert.match(csv, /12\.00,12\.00,已缴清/);
  // Reminders go to who still owes, once a day.
  assert.deepEqual(await t.client.remindFeeItem(made.item.id), { reminded: 1 });
  assert.deepEqual(await t.client.remindFeeItem(made.item.id), { reminded: 0 });
  const notices = (await t.client.personNotices(poor.personId)).items.filter(
    (n) => n.kind === 'fee-reminder',
  );
  assert.equal(notices.length, 1);
  assert.match(notices[0]?.body ?? '', /尚欠 12\.00 元/);
});

test('when bills are imported from a CSV sheet, then each code is an item with one bill per line', async () => {
  const [a, b] = [await student(0), await student(0)];
  const c1 = nextCode();
  const c2 = nextCode();
  const csv = [
    '项目编号,项目名称,类别,学号,金额(元),截止日期,允许分期',
    `${c1},2027 春季学费,学费,${a.personNo},5000,2027-03-01,是`,
    `${c1},2027 春季学费,学费,${b.personNo},4500.50,2027-03-01,是`,
    `${c2},英语四级报名费,考试报名费,${a.personNo},30,2027-01-10,否`,
  ].join('\r\n');
  const imported = await t.client.importFeeItems(csv, 'finance-1');
  assert.deepEqual(
    imported.items.map((i) => [i.code, i.bills]),
    [
      [c1, 2],
      [c2, 1],
    ],
  );
  const bills = (await t.client.cardFeeBills(b.cardNo)).items;
  assert.equal(bills[0]?.amountDue, 450_050);
  assert.equal(bills[0]?.item.allowPartial, true);
  await assert.rejects(t.client.importFeeItems(`${c2},x,学费,${a.personNo},1,2027-01-10,否`), {
    code: 'ALREADY_EXISTS',
  });
  await assert.rejects(t.client.importFeeItems(`${nextCode()},x,学费,${a.personNo},-1,2027-01-10,否`), {
    code: 'VALIDATION_FAILED',
  });
});

test('when items are pulled from the finance system, then new codes become items once and a busy system imports nothing', async () => {
  const s = await student(10_000);
  const code1 = nextCode();
  const code2 = nextCode();
  finance.addItem({
    code: code1,
    name: '补考费',
    category: 'makeup_exam',
    dueDay: '2027-03-10',
    allowPartial: false,
    bills: [
      { studentNo: s.personNo, amountFen: 5_000 },
      { studentNo: 'NOSUCH998', amountFen: 5_000 },
    ],
  });
  finance.addItem({
    code: code2,
    name: '坏数据',
    category: 'other',
    dueDay: '2027-13',
    allowPartial: false,
    bills: [{ studentNo: s.personNo, amountFen: 100 }],
  });
  const first = await t.client.pullFeeItems('finance-1');
  const one = first.items.find((i) => i.code === code1);
  assert.deepEqual([one?.created, one?.bills, one?.unknownPersons], [true, 1, ['NOSUCH998']]);
  assert.equal(first.items.find((i) => i.code === code2)?.problem, 'VALIDATION_FAILED');
  const again = await t.client.pullFeeItems('finance-1');
  assert.equal(again.items.find((i) => i.code === code1)?.created, false);
  const bills = (await t.client.cardFeeBills(s.cardNo)).items.filter((b) => b.item.code === code1);
  assert.equal(bills.length, 1);
  assert.equal(bills[0]?.amountDue, 5_000);
  finance.setBusy(true);
  await assert.rejects(t.client.pullFeeItems(), { code: 'UTILITY_UNAVAILABLE' });
  finance.setBusy(false);
});

test("when a fee item's clearing account and its payments disagree, then ledger:check says so", async () => {
  const s = await student(10_000);
  const made = await t.client.createFeeItem({
    code: nextCode(),
    name: '证书费',
    category: 'certificate',
    amount: 2_000,
    dueDay: '2027-01-20',
    audience: { persons: [{ personNo: s.personNo }] },
  });
  const bill = (await t.client.cardFeeBills(s.cardNo)).items.find((b) => b.itemId === made.item.id);
  const id = payId();
  await t.client.payFeeByCard(bill?.id ?? '', { id, cardNo: s.cardNo, amount: 2_000 });
  await t.core.db.execute("UPDATE fee_payments SET status = 'refused' WHERE id = ?", [id]);
  const report = await checkLedger(t.core.db);
  assert.ok(
    report.breaks.some((b) => b.includes(made.item.code) && b.includes('holds 2000')),
    report.breaks.join('\n'),
  );
  await t.core.db.execute("UPDATE fee_payments SET status = 'paid' WHERE id = ?", [id]);
});

test('when a payment and a refund were left pending by a stopped process, then the fee job settles each once', async () => {
  const s = await student(10_000);
  const made = await t.client.createFeeItem({
    code: nextCode(),
    name: '补考费',
    category: 'makeup_exam',
    amount: 1_000,
    dueDay: '2027-02-20',
    allowPartial: true,
    audience: { persons: [{ personNo: s.personNo }] },
  });
  const bill = (await t.client.cardFeeBills(s.cardNo)).items.find((b) => b.itemId === made.item.id);
  const billId = bill?.id ?? '';
  const paidId = payId();
  await t.client.payFeeByCard(billId, { id: paidId, cardNo: s.cardNo, amount: 600 });
  // What a process killed after its reservations and before the ledger's answers leaves behind.
  const old = Date.now() - 120_000;
  const pendingId = payId();
  await t.core.db.execute(
    `INSERT INTO fee_payments (id, bill_id, card_no, amount, channel, status, refunded_amount, receipt_no, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, 400, 'card', 'pending', 0, ?, ?, ?)`,
    [pendingId, billId, s.cardNo, `R${pendingId}`.slice(0, 32), old, old],
  );
  await t.core.db.execute('UPDATE fee_bills SET amount_paid = amount_paid + 400 WHERE id = ?', [billId]);
  const refundId = payId();
  await t.core.db.execute(
    `INSERT INTO fee_refunds (id, payment_id, amount, reason, status, created_at_ms) VALUES (?, ?, 100, '退考', 'pending', ?)`,
    [refundId, paidId, old],
  );
  await t.core.db.execute('UPDATE fee_payments SET refunded_amount = refunded_amount + 100 WHERE id = ?', [
    paidId,
  ]);
  assert.equal((await t.client.resolveFeePayments()).looked, 2);
  assert.equal((await t.client.resolveFeePayments()).looked, 0, 'settled once');
  const after = await t.client.feeBill(billId);
  assert.deepEqual([after.amountDue, after.amountPaid], [900, 900]);
  assert.equal(after.payments.find((p) => p.id === pendingId)?.status, 'paid');
  const card = await t.client.getCard(s.cardNo);
  assert.equal(card.balance.main + card.balance.subsidy, 10_000 - 600 - 400 + 100);
});
