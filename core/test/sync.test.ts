import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, mysqlServerUrl, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import type { SyncRun } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * Identity sync against the campus stand-in's real MariaDB schemas (mock/campus): 300 students and
 * 50 staff, then the mutations the source systems make, each followed by a run. The tests share
 * one campus and one core and run in order, like the terms of a school year.
 */
for (const dialect of dialects)
  describe(`identity sync from the academic-affairs and HR databases, core on ${dialect}`, () => {
    let campus: Campus;
    let t: TestCore;

    before(async () => {
      campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 11, students: 300, staff: 50 });
      t = await startTestCore(dialect, {
        ACADEMIC_DATABASE_URL: campus.academicUrl,
        HR_DATABASE_URL: campus.hrUrl,
        SYNC_INTERVAL_MS: '0',
        // No overlap: an incremental run reads exactly what changed since the last one.
        SYNC_OVERLAP_MS: '0',
      });
    });
    after(async () => {
      await t.stop();
      await campus.close({ drop: true });
    });

    async function runToEnd(kind: 'incremental' | 'full') {
      const started = await t.client.startSyncRun(kind, { type: 'admin', id: 'admin-1' });
      await t.core.sync.idle();
      return t.client.syncRun(started.id, { errorsLimit: 1000 });
    }
    async function cardOf(personNo: string) {
      const [row] = await t.core.db.select<{ card_no: string }>(
        'SELECT c.card_no FROM cards c JOIN persons p ON p.id = c.person_id WHERE p.person_no = ?',
        [personNo],
      );
      assert.ok(row, `a card for ${personNo}`);
      return t.client.getCard(String(row.card_no));
    }
    async function count(sql: string, params: (string | number)[] = []) {
      const [row] = await t.core.db.select<{ n: number }>(sql, params);
      return Number(row?.n);
    }
    const noChanges = { created: 0, updated: 0, cancelled: 0, invalid: 0, roster: 0 };
    const student = (i: number) => campus.data.students[i] as (typeof campus.data.students)[number];
    const staff = (i: number) => campus.data.staff[i] as (typeof campus.data.staff)[number];

    test('when the first run ends, then every student and staff member has an active card with empty wallets, and rosters are filled', async () => {
      // Goal: from scratch, people become persons with cards and wallets in bulk, and attendance gets rosters.
      const run = await runToEnd('incremental');
      assert.equal(run.status, 'succeeded', run.failure ?? '');
      assert.deepEqual(run.errors, []);
      assert.equal(run.counts.created, 350);
      assert.equal(run.rowsRead, 350);
      assert.equal(run.rowsTotal, 350);
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM persons WHERE type = 'student' AND status = 'active'"),
        300,
      );
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM persons WHERE type = 'staff' AND status = 'active'"),
        50,
      );
      assert.equal(await count("SELECT COUNT(*) AS n FROM cards WHERE status = 'active'"), 350);
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM accounts WHERE kind IN ('wallet_main', 'wallet_subsidy')"),
        700,
      );
      assert.equal(await count("SELECT COUNT(*) AS n FROM card_events WHERE kind = 'opened'"), 350);

      const s = student(0);
      const card = await cardOf(s.studentNo);
      assert.equal(card.name, s.name);
      assert.equal(card.personType, 'student');
      assert.equal(card.department, '计算机学院');
      assert.equal(card.status, 'active');
      assert.deepEqual(card.balance, { main: 0, subsidy: 0, mainPending: 0, subsidyPending: 0 });
      const [sealed] = await t.core.db.select<{ id_number_enc: string; phone_enc: string }>(
        'SELECT id_number_enc, phone_enc FROM persons WHERE person_no = ?',
        [s.studentNo],
      );
      assert.match(sealed?.id_number_enc ?? '', /^v1\./, 'the ID number is sealed at rest');
      assert.ok(!sealed?.id_number_enc.includes(s.idNumber ?? '-'));
      assert.equal((await cardOf(staff(0).staffNo)).personType, 'staff');

      // Every course has two class meetings and an exam; each roster is the course's enrolment.
      const courses = campus.data.courses.length;
      assert.equal(await count('SELECT COUNT(*) AS n FROM attendance_sessions'), courses * 3);
      assert.equal(await count("SELECT COUNT(*) AS n FROM attendance_sessions WHERE kind = 'exam'"), courses);
      assert.equal(
        await count('SELECT COUNT(*) AS n FROM attendance_roster'),
        campus.data.enrolments.length * 3,
      );
      assert.equal(run.counts.roster, courses * 3 + campus.data.enrolments.length * 3);
    });

    test('when nothing changed in the sources, then incremental and full runs change nothing', async () => {
      // Goal: every run is idempotent; re-reading rows (the watermark overlap, a full reconcile) is harmless.
      for (const kind of ['incremental', 'full'] as const) {
        const run = await runToEnd(kind);
        assert.equal(run.status, 'succeeded');
        assert.deepEqual(run.counts, noChanges, kind);
        // The incremental run starts after its watermark and finds nothing; the full one reads everything.
        assert.equal(run.rowsRead, kind === 'full' ? 350 : 0);
      }
      assert.equal(await count('SELECT COUNT(*) AS n FROM cards'), 350);
    });

    test('#19 when a class is recorded by hand, then news targeting counts it and the next full reconcile puts back the source class', async () => {
      // Goal: recordClass (the demo seed's way to classes) writes what a run writes, and the source stays in charge.
      const someone = student(0);
      const before = await t.core.content.audienceCount({ type: 'class', value: someone.classCode });
      await t.core.sync.recordClass(someone.studentNo, 'HAND-1');
      assert.equal((await t.core.content.audienceProfile(someone.studentNo)).classCode, 'HAND-1');
      assert.deepEqual(await t.core.content.audienceCount({ type: 'class', value: 'HAND-1' }), { people: 1 });
      await assert.rejects(t.core.sync.recordClass('no-such-person', 'HAND-1'), { code: 'NOT_FOUND' });
      await assert.rejects(t.core.sync.recordClass(someone.studentNo, ''), { code: 'VALIDATION_FAILED' });
      const run = await runToEnd('full');
      assert.deepEqual(run.counts, { ...noChanges, updated: 1 });
      assert.equal((await t.core.content.audienceProfile(someone.studentNo)).classCode, someone.classCode);
      assert.deepEqual(
        await t.core.content.audienceCount({ type: 'class', value: someone.classCode }),
        before,
      );
    });

    test('#19 when the sync has run, then each student has the grade (enrolment year) the source gives, and news can target it with the count of its students', async () => {
      // Goal: grade targeting reaches exactly the synced students of that year; staff have none.
      const year = student(0).enrolYear;
      const ofYear = campus.data.students.filter((s) => s.enrolYear === year && s.status === 'enrolled');
      assert.ok(ofYear.length > 0);
      assert.deepEqual(await t.core.content.audienceCount({ type: 'grade', value: String(year) }), {
        people: ofYear.length,
      });
      const grades = (await t.core.content.audienceOptions()).grades;
      assert.equal(
        grades.reduce((sum, g) => sum + g.people, 0),
        campus.data.students.filter((s) => s.status === 'enrolled').length,
      );
      assert.equal((await t.core.content.audienceProfile(student(0).studentNo)).enrolYear, year);
      assert.equal((await t.core.content.audienceProfile(staff(0).staffNo)).enrolYear, null);
      // A news item for the grade (the kind the database accepts since sql/092) is in its students' feeds only.
      const item = await t.client.publishNews({
        title: `${year}级通知`,
        body: '年级大会',
        audience: { type: 'grade', value: String(year) },
        author: 'sync-test',
      });
      const sees = async (personNo: string) =>
        (await t.client.newsFor(personNo, { limit: 50 })).items.some((n) => n.id === item.id);
      const otherYear = campus.data.students.find((s) => s.enrolYear !== year);
      assert.ok(otherYear);
      assert.deepEqual(
        [await sees(student(0).studentNo), await sees(otherYear.studentNo), await sees(staff(0).staffNo)],
        [true, false, false],
      );
    });

    test('when people join, graduate, transfer and leave, then the next incremental run applies each change', async () => {
      // Goal: new people get cards, graduates and leavers are closed out onto the refund list, transfers move department.
      const graduate = student(10);
      const transferred = student(11);
      const leaver = staff(3);
      const graduateCard = await cardOf(graduate.studentNo);
      const leaverCard = await cardOf(leaver.staffNo);
      const topUp = await t.client.topUp({
        id: opId(),
        cardNo: graduateCard.cardNo,
        amount: 1_234,
        channel: 'cash',
      });
      assert.equal(topUp.status, 'ok');
      assert.equal(
        (await t.client.subsidize({ id: opId(), cardNo: graduateCard.cardNo, amount: 200 })).status,
        'ok',
      );
      assert.equal(
        (await t.client.topUp({ id: opId(), cardNo: leaverCard.cardNo, amount: 500, channel: 'wechat' }))
          .status,
        'ok',
      );

      const freshmen = await campus.addStudents(3, '05');
      await campus.graduate([graduate.studentNo]);
      await campus.transferStudent(transferred.studentNo, '02');
      await campus.staffLeave([leaver.staffNo]);
      await campus.enrol(freshmen[0]?.studentNo as string, 'C05001');

      const run = await runToEnd('incremental');
      assert.equal(run.status, 'succeeded', run.failure ?? '');
      assert.deepEqual(run.errors, []);
      assert.equal(run.counts.created, 3);
      assert.equal(run.counts.cancelled, 2);
      assert.equal(run.counts.updated, 1);
      assert.equal(run.counts.invalid, 0);
      // Only the changed rows were read: three new, the graduate, the transfer and the leaver.
      assert.equal(run.rowsRead, 6);
      // The freshman joins the three sessions of C05001.
      assert.equal(run.counts.roster, 3);

      for (const f of freshmen) assert.equal((await cardOf(f.studentNo)).status, 'active');
      const graduated = await cardOf(graduate.studentNo);
      assert.equal(graduated.status, 'cancelled');
      assert.deepEqual(graduated.balance, { main: 0, subsidy: 0, mainPending: 0, subsidyPending: 0 });
      assert.equal((await cardOf(leaver.staffNo)).status, 'cancelled');
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM persons WHERE person_no = ? AND status = 'graduated'", [
          graduate.studentNo,
        ]),
        1,
      );
      assert.equal((await cardOf(transferred.studentNo)).department, '数学科学学院');

      const refunds = (await t.client.refundList()).items;
      const byCard = new Map(refunds.map((r) => [r.cardNo, r]));
      assert.deepEqual(
        [byCard.get(graduateCard.cardNo)?.mainAmount, byCard.get(graduateCard.cardNo)?.subsidyAmount],
        [1_234, 200],
      );
      assert.equal(byCard.get(leaverCard.cardNo)?.mainAmount, 500);
      assert.equal(byCard.get(leaverCard.cardNo)?.reason, 'left');
      assert.equal(
        await count(
          "SELECT COUNT(*) AS n FROM attendance_roster r JOIN sync_sessions s ON s.session_id = r.session_id WHERE s.course_code = 'C05001' AND r.person_no = ?",
          [freshmen[0]?.studentNo as string],
        ),
        3,
      );
      // The refund is in the ledger too: the main balance sits on refund payable.
      const [payable] = await t.core.db.select<{ credits: number }>(
        "SELECT credits_posted AS credits FROM accounts WHERE id = 'SYS-REFUND-PAYABLE'",
      );
      assert.equal(Number(payable?.credits), 1_734);

      const again = await runToEnd('full');
      assert.deepEqual(again.counts, noChanges, 'the changes are applied once');
      assert.equal((await t.client.refundList()).items.length, 2);
      const check = await checkLedger(t.core.db);
      assert.ok(check.ok, check.breaks.join('; '));

      // The card centre pays the graduate out in cash: the money leaves refund payable once, a
      // repeat changes nothing.
      const due = byCard.get(graduateCard.cardNo)?.operationId as string;
      assert.equal(byCard.get(graduateCard.cardNo)?.reason, 'graduated');
      const cashier = { channel: 'cash', actorId: 'admin-1' } as const;
      const paid = await t.client.payOutRefund(due, cashier);
      assert.deepEqual(
        [paid.status, paid.changed, paid.mainAmount, paid.channel, paid.paidBy],
        ['paid', true, 1_234, 'cash', 'admin-1'],
      );
      assert.equal((await t.client.payOutRefund(due, cashier)).changed, false);
      assert.deepEqual(
        (await t.client.refundList({ status: 'paid' })).items.map((r) => r.operationId),
        [due],
      );
      assert.equal((await t.client.refundList()).items.length, 1);
      const [left] = await t.core.db.select<{ balance: number }>(
        "SELECT credits_posted - debits_posted AS balance FROM accounts WHERE id = 'SYS-REFUND-PAYABLE'",
      );
      assert.equal(Number(left?.balance), 500, 'only the leaver is still owed');
      await assert.rejects(t.client.payOutRefund('sync:nothing:800000000001', cashier), {
        code: 'REFUND_NOT_FOUND',
      });
      await assert.rejects(t.client.payOutRefund('bad id!', cashier), { code: 'VALIDATION_FAILED' });
    });

    test('when a graduate shows up enrolled again, then it is reported and the cancelled card stays cancelled', async () => {
      // Goal: a machine never reopens a cancelled card; the card centre opens a new one.
      const back = student(10);
      await campus.updateStudent(back.studentNo, { status: 'enrolled' });
      const run = await runToEnd('incremental');
      assert.deepEqual(
        run.errors.map((e) => [e.personNo, e.code]),
        [[back.studentNo, 'CARD_ENDED']],
      );
      assert.equal(run.counts.created + run.counts.updated, 0);
      assert.equal((await cardOf(back.studentNo)).status, 'cancelled');
      await campus.updateStudent(back.studentNo, { status: 'graduated' });
      assert.deepEqual((await runToEnd('incremental')).counts, noChanges);
    });

    test('when the timetable changes, then sessions move and a cancelled one leaves with its roster', async () => {
      // Goal: rosters follow the timetable incrementally, and only the difference is written.
      const [moved, cancelled] = campus.data.classSessions.filter((c) => c.courseCode === 'C02003');
      assert.ok(moved && cancelled);
      const enrolled = campus.data.enrolments.filter((e) => e.courseCode === 'C02003').length;
      await campus.changeClassSession(moved.code, { room: '新图书馆报告厅' });
      await campus.changeClassSession(cancelled.code, { status: 'cancelled' });

      const run = await runToEnd('incremental');
      assert.equal(run.status, 'succeeded');
      // One session updated, one removed with its roster.
      assert.equal(run.counts.roster, 2 + enrolled);
      const [row] = await t.core.db.select<{ location: string }>(
        'SELECT location FROM attendance_sessions WHERE id = ?',
        [`c-${moved.code}`],
      );
      assert.equal(row?.location, '新图书馆报告厅');
      assert.equal(
        await count('SELECT COUNT(*) AS n FROM attendance_sessions WHERE id = ?', [`c-${cancelled.code}`]),
        0,
      );
      assert.equal(
        await count('SELECT COUNT(*) AS n FROM attendance_roster WHERE session_id = ?', [
          `c-${cancelled.code}`,
        ]),
        0,
      );
      assert.equal(
        await count('SELECT COUNT(*) AS n FROM attendance_roster WHERE session_id = ?', [`c-${moved.code}`]),
        enrolled,
      );
    });

    test('when rows are invalid, then each is reported with its reason and nothing of it is applied', async () => {
      // Goal: duplicates, missing names and bad ID numbers are never silently dropped or half-applied.
      const duplicated = student(20);
      const badId = student(21);
      await campus.insertDuplicateStudent(duplicated.studentNo);
      const nameless = await campus.insertNamelessStudent();
      await campus.updateStudent(badId.studentNo, { name: '改名字', idNumber: '110105194912310021' });
      const before = await cardOf(badId.studentNo);

      // A full run, so both rows of the duplicated number are read (an incremental one sees only the new row).
      const run = await runToEnd('full');
      assert.equal(run.status, 'succeeded');
      assert.equal(run.counts.created + run.counts.updated + run.counts.cancelled, 0);
      assert.equal(run.counts.invalid, 4);
      const codes = run.errors.map((e) => `${e.personNo}:${e.code}`).sort();
      assert.deepEqual(
        codes,
        [
          `${badId.studentNo}:BAD_ID_NUMBER`,
          `${duplicated.studentNo}:DUPLICATE_NUMBER`,
          `${duplicated.studentNo}:DUPLICATE_NUMBER`,
          `${nameless}:MISSING_NAME`,
        ].sort(),
      );
      for (const e of run.errors) {
        assert.equal(e.stream, 'academic.students');
        assert.ok(!e.reason.includes('110105194912310021'), 'reasons never carry the value');
      }
      const after = await cardOf(badId.studentNo);
      assert.equal(after.name, before.name, 'no field of an invalid row is applied');
      assert.equal(await count('SELECT COUNT(*) AS n FROM persons WHERE person_no = ?', [nameless]), 0);
      assert.equal((await cardOf(duplicated.studentNo)).status, 'active');
    });

    test('when the HR database uses a number a student already has, then the staff row is reported and the student untouched', async () => {
      // Goal: one number, one person; the two sources never overwrite each other's people.
      const taken = student(60);
      await campus.addStaffNumbered(taken.studentNo);
      const run = await runToEnd('incremental');
      assert.deepEqual(
        run.errors.map((e) => [e.stream, e.personNo, e.code]),
        [['hr.staff', taken.studentNo, 'NUMBER_IN_OTHER_SOURCE']],
      );
      const card = await cardOf(taken.studentNo);
      assert.equal(card.personType, 'student');
      assert.equal(card.name, taken.name);
      await campus.hardDeleteStaff(taken.studentNo);
    });

    test('when a row is hard-deleted, then only the full reconcile cancels the card', async () => {
      // Goal: deletes leave no watermark behind, so the periodic full reconcile is what catches them.
      const gone = student(30);
      const goneStaff = staff(7);
      await campus.hardDeleteStudent(gone.studentNo);
      await campus.hardDeleteStaff(goneStaff.staffNo);

      const incremental = await runToEnd('incremental');
      assert.equal(incremental.counts.cancelled, 0);
      assert.equal((await cardOf(gone.studentNo)).status, 'active');

      const full = await runToEnd('full');
      assert.equal(full.status, 'succeeded');
      assert.equal(full.counts.cancelled, 2);
      assert.equal((await cardOf(gone.studentNo)).status, 'cancelled');
      assert.equal((await cardOf(goneStaff.staffNo)).status, 'cancelled');
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM persons WHERE person_no = ? AND status = 'left'", [
          gone.studentNo,
        ]),
        1,
      );
      const again = await runToEnd('full');
      assert.equal(again.counts.cancelled + again.counts.created + again.counts.updated, 0);
    });

    test('when a run is under way, then its progress is visible and a second run is refused', async () => {
      // Goal: the backoffice can watch a run, and only one runs at a time.
      const seen: SyncRun[] = [];
      let refused: unknown;
      let watching = true;
      t.core.sync.onPage(async (run) => {
        if (!watching) return;
        seen.push(await t.client.syncRun(run.id));
        if (!refused) refused = await t.client.startSyncRun('incremental').catch((error: unknown) => error);
      });
      const run = await runToEnd('full');
      watching = false;
      assert.equal(run.status, 'succeeded');
      assert.equal((refused as { code?: string }).code, 'SYNC_RUNNING');
      assert.ok(seen.length >= 3);
      assert.ok(seen.every((s) => s.status === 'running'));
      assert.ok(
        seen.some((s) => s.rowsRead > 0 && s.rowsRead < s.rowsTotal),
        'a reading of a run part-way through',
      );
      assert.ok(seen.some((s) => s.phase === 'academic.students'));
      const listed = await t.client.syncRuns({ limit: 2 });
      assert.equal(listed.items[0]?.id, run.id);
      assert.ok(listed.next);
      // The lock is free again.
      assert.equal((await runToEnd('incremental')).status, 'succeeded');
    });

    test('when a graduate still has a shower running, then the close-out is reported and the next full reconcile retries it', async () => {
      // Goal: a ledger refusal leaves the person untouched (not half-applied) and is not forgotten.
      const s = student(40);
      const card = await cardOf(s.studentNo);
      const shower = await t.client.createMerchant({ name: '浴室', category: 'shower' });
      await t.client.topUp({ id: opId(), cardNo: card.cardNo, amount: 1_000, channel: 'cash' });
      const hold = await t.client.hold({
        id: opId(),
        cardNo: card.cardNo,
        merchantId: shower.id,
        amount: 600,
        timeoutMs: 3_600_000,
      });
      assert.equal(hold.status, 'ok');
      await campus.graduate([s.studentNo]);

      const blocked = await runToEnd('incremental');
      assert.deepEqual(
        blocked.errors.map((e) => [e.personNo, e.code]),
        [[s.studentNo, 'HOLDS_PENDING']],
      );
      assert.equal(blocked.counts.cancelled, 0);
      assert.equal((await cardOf(s.studentNo)).status, 'active');
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM persons WHERE person_no = ? AND status = 'active'", [
          s.studentNo,
        ]),
        1,
      );

      assert.equal(
        hold.status === 'ok' &&
          (await t.client.postHold(hold.holdId as string, { id: opId(), amount: 180 })).status,
        'ok',
      );
      const retried = await runToEnd('full');
      assert.equal(retried.counts.cancelled, 1);
      assert.equal((await cardOf(s.studentNo)).status, 'cancelled');
      const refund = (await t.client.refundList()).items.find((r) => r.cardNo === card.cardNo);
      assert.equal(refund?.mainAmount, 820);
    });

    test('when a run crashed after the ledger closed a card out, then the next run records the refund it left', async () => {
      // Goal: the ledger commit and the refund list are two transactions; a crash between them loses nothing.
      const s = student(50);
      const card = await cardOf(s.studentNo);
      await t.client.topUp({ id: opId(), cardNo: card.cardNo, amount: 700, channel: 'cash' });
      const crashed = `sync:01ARZ3NDEKTSV4RRFFQ69G5FAX:${card.cardNo}`;
      // The sync's own use of the ledger (not the core's close-out route, which lists what it closes).
      const closed = await t.core.ledger.closeOut({
        cardNo: card.cardNo,
        id: crashed,
        reason: 'identity sync: graduated',
        actor: { type: 'system', id: 'identity-sync' },
      });
      assert.equal(closed.status, 'ok');
      await campus.graduate([s.studentNo]);

      const run = await runToEnd('incremental');
      assert.deepEqual([run.counts.cancelled, run.counts.updated, run.counts.invalid], [0, 1, 0]);
      const refund = (await t.client.refundList()).items.find((r) => r.operationId === crashed);
      assert.deepEqual([refund?.mainAmount, refund?.reason], [700, 'graduated']);
      assert.equal(
        await count("SELECT COUNT(*) AS n FROM persons WHERE person_no = ? AND status = 'graduated'", [
          s.studentNo,
        ]),
        1,
      );
    });

    test('when a run was left running by a stopped process, then a new run takes its lock over and marks it failed', async () => {
      // Goal: one run at a time across processes, without a crashed process blocking the sync for ever.
      const ghost = '01ARZ3NDEKTSV4RRFFQ69G5FAW';
      const old = Date.now() - 10 * 60_000;
      await t.core.db.execute(
        "INSERT INTO sync_runs (id, kind, status, trigger_type, started_at_ms, heartbeat_at_ms) VALUES (?, 'full', 'running', 'schedule', ?, ?)",
        [ghost, old, old],
      );
      await t.core.db.execute(
        "UPDATE sync_lock SET run_id = ?, heartbeat_at_ms = ? WHERE name = 'identity'",
        [ghost, Date.now()],
      );
      await assert.rejects(t.client.startSyncRun('incremental'), { code: 'SYNC_RUNNING' });
      await t.core.db.execute("UPDATE sync_lock SET heartbeat_at_ms = ? WHERE name = 'identity'", [old]);
      assert.equal((await runToEnd('incremental')).status, 'succeeded');
      const abandoned = await t.client.syncRun(ghost);
      assert.equal(abandoned.status, 'failed');
      assert.match(abandoned.failure ?? '', /abandoned/);
    });

    test('when a large part of a source table vanishes, then the full reconcile stops before cancelling anyone', async () => {
      // Goal: an emptied or half-restored source table cannot close out a campus's cards.
      const victims = campus.data.students.slice(100, 130).map((x) => x.studentNo);
      for (const no of victims) await campus.hardDeleteStudent(no);
      const run = await runToEnd('full');
      assert.equal(run.status, 'failed');
      assert.match(run.failure ?? '', /refused to cancel 30 of \d+ academic\.students people/);
      assert.equal(run.counts.cancelled, 0);
      for (const no of victims.slice(0, 3)) assert.equal((await cardOf(no)).status, 'active');
    });

    test('when sync routes get bad input or an unknown run, then they answer stable codes', async () => {
      // Goal: edges are validated; nothing starts on a bad request.
      const runsBefore = (await t.client.syncRuns({ limit: 100 })).items.length;
      await assert.rejects(t.client.startSyncRun('weekly' as 'full'), { code: 'VALIDATION_FAILED' });
      await assert.rejects(t.client.syncRun('not-a-run'), { code: 'VALIDATION_FAILED' });
      await assert.rejects(t.client.syncRun('01ARZ3NDEKTSV4RRFFQ69G5FAV'), { code: 'SYNC_RUN_NOT_FOUND' });
      assert.equal((await t.client.syncRuns({ limit: 100 })).items.length, runsBefore);
    });
  });
