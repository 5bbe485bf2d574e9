import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import ExcelJS from 'exceljs';
import { CoreError } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

let people = 0;
/** Opens a card for a fresh person number and returns both. */
async function person(t: TestCore, department = '物理学院'): Promise<{ personNo: string; cardNo: string }> {
  people += 1;
  const personNo = `P${process.pid}${Date.now().toString(36)}${people}`.slice(0, 32);
  const card = await t.client.openCard({ personNo, name: '补助学生', type: 'student', department });
  return { personNo, cardNo: card.cardNo };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

async function subsidyBalance(t: TestCore, cardNo: string): Promise<number> {
  return (await t.client.getCard(cardNo)).balance.subsidy;
}

async function fundBalance(t: TestCore): Promise<number> {
  const rows = await t.core.db.select<{ b: unknown }>(
    "SELECT credits_posted - debits_posted AS b FROM accounts WHERE id = 'SYS-SUBSIDY-FUND'",
  );
  return Number(rows[0]?.b);
}

for (const dialect of dialects) {
  describe(`subsidy batches on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      // 100 元: batches above it need a second admin.
      t = await startTestCore(dialect, { SUBSIDY_APPROVAL_THRESHOLD: '10000' });
    });
    after(async () => {
      await t.stop();
    });

    test('when a list has unknown people, an inactive card, bad amounts and duplicates, then each row says why and no money moves', async () => {
      // Goal: the preview and the stored draft name every row's problem and pay nobody.
      const a = await person(t);
      const b = await person(t);
      const lost = await person(t);
      await t.client.changeCard(lost.cardNo, 'report_loss', { type: 'admin', id: 'op1' });
      const csv = [
        '学号,金额,备注',
        `${a.personNo},12.34,餐补`,
        `${b.personNo},0.29,"交通, 补助"`,
        'NOBODY1,5,',
        `${lost.personNo},5,`,
        `${a.personNo},1,重复`,
        `${b.personNo}x,abc,`,
        ',3,',
        `${b.personNo},1.234,`,
      ].join('\r\n');
      const preview = await t.client.previewSubsidyBatch({ csv });
      assert.deepEqual(
        preview.rows.map((r) => [r.rowNo, r.error, r.amount]),
        [
          [1, null, 1234],
          [2, null, 29],
          [3, 'UNKNOWN_PERSON', null],
          [4, 'NO_ACTIVE_CARD', null],
          [5, 'DUPLICATE_ROW', null],
          [6, 'UNKNOWN_PERSON', null],
          [7, 'BAD_ROW', null],
          [8, 'DUPLICATE_ROW', null],
        ],
      );
      assert.equal(preview.totalAmount, 1263);
      assert.equal(preview.validCount, 2);
      const batch = await t.client.createSubsidyBatch({
        title: '十一月餐补',
        createdBy: 'maker',
        source: { csv },
      });
      assert.equal(batch.status, 'draft');
      assert.equal(batch.errorCount, 6);
      const errors = await t.client.subsidyBatch(batch.id, { errorsOnly: true });
      assert.deepEqual(
        errors.rows.map((r) => r.rowNo),
        [3, 4, 5, 6, 7, 8],
      );
      assert.equal(await subsidyBalance(t, a.cardNo), 0);
      assert.equal(await subsidyBalance(t, b.cardNo), 0);
      const bad = await person(t);
      const amounts = await t.client.previewSubsidyBatch({
        rows: ['0', '-1', '1e2', '100000.01', '0.5'].map((amount) => ({ personNo: bad.personNo, amount })),
      });
      assert.deepEqual(
        amounts.rows.map((r) => r.error),
        ['BAD_AMOUNT', 'DUPLICATE_ROW', 'DUPLICATE_ROW', 'DUPLICATE_ROW', 'DUPLICATE_ROW'],
      );
      assert.equal(await refusal(t.client.previewSubsidyBatch({ csv: '' })), 'VALIDATION_FAILED');
    });

    test('when the list is an Excel sheet, then numbers, formulas and text cells become the same rows as CSV', async () => {
      // Goal: an .xlsx from the card centre imports with exact fen, even where Excel stored a float.
      const [a, b, c] = await Promise.all([person(t), person(t), person(t)]);
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('补助名单');
      sheet.addRow(['学号', '金额(元)', '备注']);
      sheet.addRow([a.personNo, 0.29, '餐补']);
      sheet.addRow([b.personNo, { formula: '10+2.5', result: 12.5 }, null]);
      sheet.addRow([c.personNo, '1.005', '三位小数']);
      sheet.addRow([]);
      const xlsxBase64 = Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');
      const batch = await t.client.createSubsidyBatch({
        title: 'Excel 导入',
        createdBy: 'maker',
        source: { xlsxBase64 },
      });
      assert.equal(batch.source, 'list');
      assert.deepEqual(
        batch.rows.map((r) => [r.personNo, r.amount, r.error, r.note]),
        [
          [a.personNo, 29, null, '餐补'],
          [b.personNo, 1250, null, null],
          [c.personNo, null, 'BAD_AMOUNT', '三位小数'],
        ],
      );
      assert.equal(
        await refusal(
          t.client.previewSubsidyBatch({ xlsxBase64: Buffer.from('not a zip').toString('base64') }),
        ),
        'VALIDATION_FAILED',
      );
    });

    test('when a batch is above the threshold, then only a second admin can approve it and posting pays each valid row once', async () => {
      // Goal: maker–checker holds, and posting moves exactly the valid rows' total from the fund.
      const payees = await Promise.all([person(t), person(t), person(t)]);
      const rows = payees.map((p, i) => ({
        personNo: p.personNo,
        amount: ['50', '60.5', '0.01'][i] as string,
      }));
      rows.push({ personNo: 'NOBODY2', amount: '1' });
      const batch = await t.client.createSubsidyBatch({
        title: '大额补助',
        createdBy: 'maker',
        source: { rows },
      });
      assert.equal(batch.totalAmount, 11051);
      assert.equal(batch.approvalRequired, true);
      assert.equal(await refusal(t.client.postSubsidyBatch(batch.id, 'maker')), 'APPROVAL_REQUIRED');
      assert.equal(await refusal(t.client.approveSubsidyBatch(batch.id, 'maker')), 'MAKER_CANNOT_CHECK');
      const fundBefore = await fundBalance(t);
      const approved = await t.client.approveSubsidyBatch(batch.id, 'checker');
      assert.equal(approved.status, 'approved');
      assert.equal(approved.approvedBy, 'checker');
      assert.equal(await refusal(t.client.approveSubsidyBatch(batch.id, 'checker2')), 'INVALID_TRANSITION');
      const posting = await t.client.postSubsidyBatch(batch.id, 'maker');
      assert.ok(['posting', 'posted'].includes(posting.status));
      await t.core.subsidies.settled(batch.id);
      const done = await t.client.subsidyBatch(batch.id);
      assert.equal(done.status, 'posted');
      assert.deepEqual(done.progress, { done: 3, total: 3 });
      assert.equal(done.postedAmount, 11051);
      assert.deepEqual(
        done.rows.map((r) => r.status),
        ['posted', 'posted', 'posted', 'invalid'],
      );
      assert.deepEqual(await Promise.all(payees.map((p) => subsidyBalance(t, p.cardNo))), [5000, 6050, 1]);
      assert.equal(fundBefore - (await fundBalance(t)), 11051);
      assert.equal((await t.client.getOperation(`sub:${batch.id}:2`)).amount, 6050);
      // Posting again is a no-op: the batch is posted and nobody is paid twice.
      assert.equal((await t.client.postSubsidyBatch(batch.id, 'maker')).status, 'posted');
      assert.equal(await subsidyBalance(t, payees[0]?.cardNo as string), 5000);
      assert.equal(
        await refusal(t.client.rejectSubsidyBatch(batch.id, 'checker', 'late')),
        'INVALID_TRANSITION',
      );
    });

    test('when two checkers approve and two admins post at once, then the batch is approved once and each row paid once', async () => {
      // Goal: the conditional state changes decide races, not the order of requests.
      const payees = await Promise.all([person(t), person(t)]);
      const batch = await t.client.createSubsidyBatch({
        title: '并发',
        createdBy: 'maker',
        source: { rows: payees.map((p) => ({ personNo: p.personNo, amount: '60' })) },
      });
      const approvals = await Promise.allSettled([
        t.client.approveSubsidyBatch(batch.id, 'checker1'),
        t.client.approveSubsidyBatch(batch.id, 'checker2'),
      ]);
      assert.equal(approvals.filter((a) => a.status === 'fulfilled').length, 1);
      const lost = approvals.find((a) => a.status === 'rejected');
      assert.equal(lost?.status === 'rejected' && (lost.reason as CoreError).code, 'INVALID_TRANSITION');
      await Promise.all([
        t.client.postSubsidyBatch(batch.id, 'maker'),
        t.client.postSubsidyBatch(batch.id, 'checker1'),
      ]);
      await t.core.subsidies.settled(batch.id);
      const done = await t.client.subsidyBatch(batch.id);
      assert.deepEqual([done.status, done.postedCount, done.postedAmount], ['posted', 2, 12_000]);
      assert.deepEqual(await Promise.all(payees.map((p) => subsidyBalance(t, p.cardNo))), [6000, 6000]);
    });

    test('when a small batch is posted by its maker after a crash paid one row, then that row is not paid twice', async () => {
      // Goal: the deterministic ids sub:<batch>:<row> make a resumed post pay what is left, once.
      const payees = await Promise.all([person(t), person(t)]);
      const batch = await t.client.createSubsidyBatch({
        title: '小额补助',
        createdBy: 'maker',
        source: { rows: payees.map((p) => ({ personNo: p.personNo, amount: '20' })) },
      });
      assert.equal(batch.approvalRequired, false);
      // The crash: the ledger took row 1 but the batch never recorded it, and the status says posting.
      const first = await t.client.subsidize({
        id: `sub:${batch.id}:1`,
        cardNo: payees[0]?.cardNo as string,
        amount: 2000,
      });
      assert.equal(first.status, 'ok');
      await t.core.db.execute(
        "UPDATE subsidy_batches SET status = 'posting', posted_by = 'maker' WHERE id = ?",
        [batch.id],
      );
      await t.core.subsidies.resume();
      await t.core.subsidies.settled(batch.id);
      const done = await t.client.subsidyBatch(batch.id);
      assert.equal(done.status, 'posted');
      assert.equal(done.postedCount, 2);
      assert.deepEqual(await Promise.all(payees.map((p) => subsidyBalance(t, p.cardNo))), [2000, 2000]);
    });

    test('when a card is cancelled between import and posting, then its row fails with the ledger code and the rest are paid', async () => {
      // Goal: posting records the ledger's refusal per row instead of stopping the batch.
      const [ok, gone] = await Promise.all([person(t), person(t)]);
      const batch = await t.client.createSubsidyBatch({
        title: '补助',
        createdBy: 'maker',
        source: { rows: [ok, gone].map((p) => ({ personNo: p.personNo, amount: '3' })) },
      });
      const closed = await t.client.closeOut(gone.cardNo, {
        id: opId('close'),
        reason: '退学',
        actor: { type: 'admin', id: 'op1' },
      });
      assert.equal(closed.status, 'ok');
      await t.client.postSubsidyBatch(batch.id, 'maker');
      await t.core.subsidies.settled(batch.id);
      const done = await t.client.subsidyBatch(batch.id);
      assert.equal(done.status, 'posted');
      assert.deepEqual([done.postedCount, done.failedCount, done.postedAmount], [1, 1, 300]);
      assert.deepEqual(
        done.rows.map((r) => [r.status, r.resultCode]),
        [
          ['posted', null],
          ['failed', 'CARD_CANCELLED'],
        ],
      );
      assert.equal(await subsidyBalance(t, ok.cardNo), 300);
      assert.equal(await subsidyBalance(t, gone.cardNo), 0);
    });

    test('when a department batch is made, then it lists exactly the active people of that department', async () => {
      // Goal: a group batch is the department's people at one amount; other departments stay out.
      const department = `化学${Date.now().toString(36)}`;
      const members = await Promise.all([person(t, department), person(t, department)]);
      await person(t, '其他学院');
      const batch = await t.client.createSubsidyBatch({
        title: '院系补助',
        createdBy: 'maker',
        source: { department, amount: '8.8' },
      });
      assert.equal(batch.source, 'group');
      assert.deepEqual(batch.rows.map((r) => r.personNo).sort(), members.map((m) => m.personNo).sort());
      assert.equal(batch.totalAmount, 1760);
    });

    test('when a class batch is made, then it lists the class from the identity sync and nobody else', async () => {
      // Goal: a class is read from sync_people, joined to the people and their cards.
      const classCode = `C${Date.now().toString(36)}`.slice(0, 16);
      const members = await Promise.all([person(t), person(t)]);
      const outsider = await person(t);
      for (const [i, p] of [...members, outsider].entries()) {
        const card = await t.client.getCard(p.cardNo);
        await t.core.db.execute(
          `INSERT INTO sync_people (person_no, person_id, source, source_row_id, dept_code, class_code, source_status, digest, source_updated_at_ms, synced_at_ms)
           VALUES (?, ?, 'academic', ?, 'D1', ?, 'active', ?, 1, 1)`,
          [p.personNo, card.personId, `row${i}${classCode}`, i < 2 ? classCode : 'OTHER', '0'.repeat(64)],
        );
      }
      const preview = await t.client.previewSubsidyBatch({ classCode, amount: '15' });
      assert.deepEqual(preview.rows.map((r) => r.personNo).sort(), members.map((m) => m.personNo).sort());
      assert.equal(preview.totalAmount, 3000);
    });

    test('when a batch is rejected, then it can be neither approved nor posted', async () => {
      // Goal: rejected is final.
      const p = await person(t);
      const batch = await t.client.createSubsidyBatch({
        title: '驳回',
        createdBy: 'maker',
        source: { rows: [{ personNo: p.personNo, amount: '1' }] },
      });
      const rejected = await t.client.rejectSubsidyBatch(batch.id, 'checker', '名单有误');
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.rejectReason, '名单有误');
      assert.equal(await refusal(t.client.postSubsidyBatch(batch.id, 'maker')), 'INVALID_TRANSITION');
      assert.equal(await refusal(t.client.approveSubsidyBatch(batch.id, 'checker')), 'INVALID_TRANSITION');
      assert.equal(await subsidyBalance(t, p.cardNo), 0);
      assert.equal(await refusal(t.client.subsidyBatch('0'.repeat(26))), 'SUBSIDY_BATCH_NOT_FOUND');
      const listed = await t.client.subsidyBatches({ status: 'rejected' });
      assert.ok(listed.items.some((b) => b.id === batch.id));
    });

    test('when the term ends, then clearing returns every subsidy balance to the fund and leaves main wallets alone', async () => {
      // Goal: after clearing no subsidy wallet holds anything, and the fund got back exactly that sum.
      const payees = await Promise.all([person(t), person(t), person(t)]);
      for (const [i, p] of payees.entries()) {
        assert.equal(
          (await t.client.subsidize({ id: opId('sub'), cardNo: p.cardNo, amount: 1000 * (i + 1) })).status,
          'ok',
        );
      }
      await t.client.topUp({
        id: opId('top'),
        cardNo: payees[0]?.cardNo as string,
        amount: 700,
        channel: 'cash',
      });
      const outstanding = await t.core.db.select<{ s: unknown }>(
        "SELECT SUM(credits_posted - debits_posted - debits_pending) AS s FROM accounts WHERE kind = 'wallet_subsidy'",
      );
      const fundBefore = await fundBalance(t);
      const clearing = await t.client.startSubsidyClearing('finance1', '2026 秋季学期结束');
      assert.ok(clearing.cardCount >= 3);
      await t.core.subsidies.settled(clearing.id);
      const done = await t.client.subsidyClearing(clearing.id);
      assert.equal(done.status, 'done');
      assert.equal(done.clearedCount, done.cardCount);
      assert.equal(done.clearedAmount, Number(outstanding[0]?.s));
      assert.equal((await fundBalance(t)) - fundBefore, done.clearedAmount);
      for (const p of payees) assert.equal(await subsidyBalance(t, p.cardNo), 0);
      assert.equal((await t.client.getCard(payees[0]?.cardNo as string)).balance.main, 700);
      const op = await t.client.getOperation(`clr:${clearing.id}:${payees[1]?.cardNo}`);
      assert.equal(op.amount, 2000);
      // The student's bill shows the clearing as money out of the subsidy wallet.
      const bill = await t.client.cardTransactions(payees[1]?.cardNo as string, { kinds: ['subsidy_clear'] });
      assert.deepEqual(
        bill.items.map((i) => [i.kind, i.amount, i.subsidyAmount]),
        [['subsidy_clear', -2000, 2000]],
      );
      const check = await checkLedger(t.core.db);
      assert.deepEqual(check.breaks, []);
      // A second clearing finds nothing left.
      const again = await t.client.startSubsidyClearing('finance1', '再次清零');
      await t.core.subsidies.settled(again.id);
      assert.deepEqual(
        { ...(await t.client.subsidyClearing(again.id)) },
        { ...(await t.client.subsidyClearing(again.id)), cardCount: 0, clearedCount: 0, clearedAmount: 0 },
      );
    });
  });
}
