import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import ExcelJS from 'exceljs';
import { CoreError } from '../src/client/index.ts';
import { dayBoundsMs, formatDay, shanghaiDay } from '../src/time.ts';

const minuteMs = 60_000;

for (const dialect of dialects) {
  describe(`attendance pages on ${dialect}`, () => {
    let t: TestCore;
    const today = shanghaiDay(Date.now());
    const range = { from: formatDay(today - 1), to: formatDay(today) };
    // 08:00 in Shanghai yesterday and today.
    const yesterday8 = dayBoundsMs(today - 1).startMs + 8 * 3_600_000;
    const today8 = yesterday8 + 86_400_000;
    const people: { personNo: string; cardNo: string }[] = [];
    const suffix = `${process.pid}${Date.now().toString(36)}`.slice(-10).toUpperCase();
    const ids = { lecture: `AP-L-${suffix}`, exam: `AP-E-${suffix}`, meeting: `AP-M-${suffix}` };

    before(async () => {
      t = await startTestCore(dialect);
      const who = [
        { department: '计算机学院', classCode: 'CS01' },
        { department: '计算机学院', classCode: 'CS02' },
        { department: '数学学院', classCode: 'MA01' },
        { department: '数学学院', classCode: 'MA01' },
      ];
      for (const [n, w] of who.entries()) {
        const personNo = `P${n}${suffix}`;
        const card = await t.client.openCard({
          personNo,
          name: `学生${n}`,
          type: 'student',
          department: w.department,
        });
        people.push({ personNo, cardNo: card.cardNo });
        // The class comes from the identity sync's memory of the person, as a synced student's would.
        const [person] = await t.core.db.select<{ id: string }>(
          'SELECT id FROM persons WHERE person_no = ?',
          [personNo],
        );
        await t.core.db.execute(
          `INSERT INTO sync_people (person_no, person_id, source, source_row_id, dept_code, class_code, source_status,
             digest, source_updated_at_ms, synced_at_ms) VALUES (?, ?, 'academic', ?, 'D', ?, 'enrolled', ?, 0, 0)`,
          [personNo, person?.id ?? '', String(n), w.classCode, '0'.repeat(64)],
        );
      }
      const p = people.map((x) => x.personNo);
      const sessions = [
        { id: ids.lecture, kind: 'class', title: '高等数学', at: yesterday8, roster: p, course: 'MATH101' },
        {
          id: ids.exam,
          kind: 'exam',
          title: '高等数学 考试',
          at: today8,
          roster: p.slice(0, 2),
          course: 'MATH101',
        },
        {
          id: ids.meeting,
          kind: 'meeting',
          title: '全院大会',
          at: today8 + 3_600_000,
          roster: p.slice(2),
          course: null,
        },
      ] as const;
      for (const s of sessions) {
        await t.client.putAttendanceSession({
          id: s.id,
          kind: s.kind,
          title: s.title,
          startsAtMs: s.at,
          endsAtMs: s.at + 90 * minuteMs,
          signInFromMs: s.at - 15 * minuteMs,
          signInUntilMs: s.at + 30 * minuteMs,
          roster: [...s.roster],
        });
        if (s.course)
          await t.core.db.execute(
            'INSERT INTO sync_sessions (session_id, term, course_code, source_updated_at_ms) VALUES (?, ?, ?, ?)',
            [s.id, '2026-1', s.course, 0],
          );
      }
      let sequence = 1;
      const signIn = async (sessionId: string, n: number, atMs: number) => {
        const r = await t.client.signInAttendance({
          sessionId,
          cardNo: people[n]?.cardNo ?? '',
          deviceId: '301',
          sequence: sequence++,
          atMs,
          source: 'online',
        });
        assert.equal(r.status, 'recorded');
      };
      // The lecture: one on time, one three minutes late, two absent.
      await signIn(ids.lecture, 0, yesterday8 - 5 * minuteMs);
      await signIn(ids.lecture, 1, yesterday8 + 3 * minuteMs);
      // The exam: both on time. The meeting: one of two, exactly at its start (on time).
      await signIn(ids.exam, 0, today8 - 10 * minuteMs);
      await signIn(ids.exam, 1, today8 - 1 * minuteMs);
      await signIn(ids.meeting, 3, today8 + 3_600_000);
    });
    after(() => t.stop());

    const row = (s: {
      sessionId: string;
      expectedCount: number;
      presentCount: number;
      lateCount: number;
      absentCount: number;
      ratePercent: number;
    }) => [s.sessionId, s.expectedCount, s.presentCount, s.lateCount, s.absentCount, s.ratePercent];

    test('when sessions are listed, then each has its roster size, on-time, late and absent counts and its rate', async () => {
      // Goal: late is a sign-in after the start, still counted as attended; absent is no sign-in.
      const all = await t.client.attendanceSessions(range);
      assert.deepEqual(all.items.map(row), [
        [ids.lecture, 4, 1, 1, 2, 50],
        [ids.exam, 2, 2, 0, 0, 100],
        [ids.meeting, 2, 1, 0, 1, 50],
      ]);
      assert.equal(all.items[0]?.courseCode, 'MATH101');
      assert.equal(all.items[2]?.courseCode, null);
      // Only today's sessions for today.
      const todayOnly = await t.client.attendanceSessions({ from: range.to, to: range.to });
      assert.deepEqual(
        todayOnly.items.map((s) => s.sessionId),
        [ids.exam, ids.meeting],
      );
    });

    test('when a department, class, kind or course is chosen, then the rosters are narrowed to those people and sessions without them are left out', async () => {
      const cs = await t.client.attendanceSessions({ ...range, department: '计算机学院' });
      assert.deepEqual(cs.items.map(row), [
        [ids.lecture, 2, 1, 1, 0, 100],
        [ids.exam, 2, 2, 0, 0, 100],
      ]);
      const ma01 = await t.client.attendanceSessions({ ...range, classCode: 'MA01' });
      assert.deepEqual(ma01.items.map(row), [
        [ids.lecture, 2, 0, 0, 2, 0],
        [ids.meeting, 2, 1, 0, 1, 50],
      ]);
      const exams = await t.client.attendanceSessions({ ...range, kind: 'exam' });
      assert.deepEqual(
        exams.items.map((s) => s.sessionId),
        [ids.exam],
      );
      const math = await t.client.attendanceSessions({
        ...range,
        courseCode: 'MATH101',
        department: '数学学院',
      });
      assert.deepEqual(math.items.map(row), [[ids.lecture, 2, 0, 0, 2, 0]]);
    });

    test('when the rate by day is asked per course or per class, then each day and group has its expected and attended', async () => {
      const byCourse = await t.client.attendanceByDay({ ...range, groupBy: 'course' });
      assert.deepEqual(
        byCourse.items.map((c) => [c.day, c.group, c.expectedCount, c.attendedCount, c.ratePercent]),
        [
          [range.from, 'MATH101', 4, 2, 50],
          [range.to, 'MATH101', 2, 2, 100],
          [range.to, '全院大会', 2, 1, 50],
        ],
      );
      const byClass = await t.client.attendanceByDay({ ...range, groupBy: 'class' });
      assert.deepEqual(
        byClass.items.map((c) => [c.day, c.group, c.expectedCount, c.attendedCount]),
        [
          [range.from, 'CS01', 1, 1],
          [range.from, 'CS02', 1, 1],
          [range.from, 'MA01', 2, 0],
          [range.to, 'CS01', 1, 1],
          [range.to, 'CS02', 1, 1],
          [range.to, 'MA01', 2, 1],
        ],
      );
    });

    test("when one session is opened, then its roster shows each person's status and sign-in time; outside the department it is not found", async () => {
      const { session, roster } = await t.client.attendanceSession(ids.lecture);
      assert.deepEqual(row(session), [ids.lecture, 4, 1, 1, 2, 50]);
      assert.deepEqual(
        roster.map((e) => [e.personNo, e.name, e.classCode, e.status, e.signedInAtMs]),
        [
          [people[0]?.personNo, '学生0', 'CS01', 'present', yesterday8 - 5 * minuteMs],
          [people[1]?.personNo, '学生1', 'CS02', 'late', yesterday8 + 3 * minuteMs],
          [people[2]?.personNo, '学生2', 'MA01', 'absent', null],
          [people[3]?.personNo, '学生3', 'MA01', 'absent', null],
        ],
      );
      const narrowed = await t.client.attendanceSession(ids.lecture, { department: '数学学院' });
      assert.deepEqual(
        narrowed.roster.map((e) => e.personNo),
        [people[2]?.personNo, people[3]?.personNo],
      );
      assert.equal(narrowed.session.ratePercent, 0);
      await assert.rejects(t.client.attendanceSession(ids.exam, { department: '数学学院' }), (e: unknown) => {
        assert.ok(e instanceof CoreError);
        return e.code === 'NOT_FOUND';
      });
      await assert.rejects(t.client.attendanceSession('NO-SUCH-SESSION'), /attendance session/);
    });

    test('when the sessions and a roster are exported, then the CSV has a BOM and Chinese headers and the workbook the same rows', async () => {
      const csv = (await t.client.attendanceSheet({ sessions: range }, 'csv')).toString('utf8');
      assert.ok(
        csv.startsWith('\uFEFF场次编号,类型,名称,开始时间,学期,课程代码,应到,出勤,迟到,缺勤,出勤率(%)'),
        csv,
      );
      const lines = csv.slice(1).trimEnd().split('\r\n');
      assert.equal(lines.length, 4);
      assert.ok(
        lines[1]?.startsWith(`${ids.lecture},上课,高等数学,${range.from} 08:00,2026-1,MATH101,4,1,1,2,50`),
        lines[1],
      );
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(
        (await t.client.attendanceSheet({ sessionId: ids.lecture }, 'xlsx')) as unknown as ArrayBuffer,
      );
      const sheet = book.worksheets[0];
      assert.deepEqual(
        [2, 3, 4, 5].map((r) => sheet?.getRow(r).getCell(5).value),
        ['出勤', '迟到', '缺勤', '缺勤'],
      );
      assert.equal(sheet?.getRow(3).getCell(6).value, `${range.from} 08:03:00`);
    });
  });
}
