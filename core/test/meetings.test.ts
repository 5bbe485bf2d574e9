import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { BindingRepository } from '../src/bindings/binding-repository.ts';
import { CoreError } from '../src/client/index.ts';
import { shanghaiWeek } from '../src/meetings/meeting-service.ts';

// Goal: a meeting or exam made in the backoffice is an attendance session readers sign people into; the
// board sorts its roster into signed in, late, absent and waiting at a moment; an open meeting takes
// anyone; a reader is told which meeting it serves now.
let serial = 0;
const unique = (prefix: string) =>
  `${prefix}${process.pid}${Date.now().toString(36)}${++serial}`.slice(0, 32);

for (const dialect of dialects) {
  describe(`meetings and exams (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
    });
    after(() => t.stop());

    async function person(department: string) {
      const personNo = unique('M');
      const card = await t.client.openCard({ personNo, name: '陈同学', type: 'student', department });
      return { personNo, cardNo: card.cardNo };
    }
    let sequence = 0;
    const signIn = (sessionId: string, cardNo: string, atMs: number) =>
      t.client.signInAttendance({
        sessionId,
        cardNo,
        deviceId: '31',
        sequence: ++sequence,
        atMs,
        source: 'online',
      });

    test('when an exam is made for a department, then the board follows sign-ins: on time, late, absent, with seats', async () => {
      const department = unique('院系');
      const [a, b, c] = [await person(department), await person(department), await person(department)];
      assert.ok(a && b && c);
      const startsAtMs = Date.now() + 3_600_000;
      const id = unique('EXAM-');
      const made = await t.client.createMeeting({
        id,
        kind: 'exam',
        title: '高等数学期末',
        location: '教三-101',
        startsAtMs,
        endsAtMs: startsAtMs + 7_200_000,
        lateAfterMs: 10 * 60_000,
        roster: { by: 'department', department },
        seats: { [a.personNo]: '01', [b.personNo]: '02' },
        readers: ['31'],
        organiser: 'teacher1',
      });
      assert.equal(made.rosterSize, 3);
      assert.deepEqual(made.readers, ['31']);
      assert.equal(made.signInFromMs, startsAtMs - 30 * 60_000);

      assert.equal((await signIn(id, a.cardNo, startsAtMs - 60_000)).status, 'recorded');
      assert.equal((await signIn(id, b.cardNo, startsAtMs + 15 * 60_000)).status, 'recorded');
      const before = await t.client.meetingBoard(id, startsAtMs);
      assert.deepEqual(before.counts, { signed_in: 1, late: 1, absent: 0, waiting: 1 });
      const board = await t.client.meetingBoard(id, startsAtMs + 20 * 60_000);
      assert.deepEqual(board.counts, { signed_in: 1, late: 1, absent: 1, waiting: 0 });
      const byPerson = Object.fromEntries(board.rows.map((r) => [r.personNo, r]));
      assert.equal(byPerson[a.personNo]?.status, 'signed_in');
      assert.equal(byPerson[a.personNo]?.seat, '01');
      assert.equal(byPerson[b.personNo]?.status, 'late');
      assert.equal(byPerson[c.personNo]?.status, 'absent');
      assert.equal(byPerson[c.personNo]?.name, '陈同学');
      // Late and absent notices, once each however often they are sent (the test sends them at the board's now).
      assert.deepEqual(await t.client.sendMeetingNotices(id), { late: 1, absent: 0 });
      await t.client.sendMeetingNotices(id);
      const bCard = await t.client.getCard(b.cardNo);
      assert.deepEqual(
        (await t.client.personNotices(bCard.personId)).items.map((n) => n.title),
        ['迟到提醒'],
      );
      // Someone not on the roster is refused.
      const stranger = await person(unique('别的'));
      assert.equal((await signIn(id, stranger.cardNo, startsAtMs)).status, 'not_on_roster');
    });

    test('when a meeting is open, then anyone signs in and the board lists who came', async () => {
      const startsAtMs = Date.now() - 60_000;
      const id = unique('MEET-');
      await t.client.createMeeting({
        id,
        kind: 'meeting',
        title: '全院大会',
        startsAtMs,
        endsAtMs: startsAtMs + 3_600_000,
        roster: { by: 'open' },
        readers: ['32'],
        organiser: 'office1',
      });
      const someone = await person(unique('任意'));
      assert.equal((await signIn(id, someone.cardNo, Date.now())).status, 'recorded');
      const board = await t.client.meetingBoard(id);
      assert.deepEqual(
        board.rows.map((r) => [r.personNo, r.status]),
        [[someone.personNo, 'signed_in']],
      );
      // The reader assigned to it is told it serves this meeting now; another reader serves none.
      assert.equal((await t.client.currentMeeting('32')).meeting?.id, id);
      assert.equal((await t.client.currentMeeting('33')).meeting, null);
    });

    test('when a meeting is asked for wrongly, then nothing is made', async () => {
      const id = unique('BAD-');
      // One reading of the clock: two could differ by a millisecond or more on a loaded machine, and then
      // "ends 1 ms before it starts" was a valid meeting (failed once in CI).
      const nowMs = Date.now();
      const base = {
        id,
        kind: 'meeting' as const,
        title: '例会',
        startsAtMs: nowMs,
        endsAtMs: nowMs - 1,
        roster: { by: 'open' as const },
        organiser: 'x',
      };
      await assert.rejects(
        t.client.createMeeting(base),
        (e: unknown) => e instanceof CoreError && e.code === 'VALIDATION_FAILED',
      );
      await assert.rejects(
        t.client.createMeeting({
          ...base,
          endsAtMs: Date.now() + 1000,
          roster: { by: 'department', department: unique('空') },
        }),
        (e: unknown) => e instanceof CoreError && e.code === 'VALIDATION_FAILED',
      );
      await assert.rejects(
        t.client.meeting(id),
        (e: unknown) => e instanceof CoreError && e.code === 'MEETING_NOT_FOUND',
      );
    });

    test('when a student had three sessions in a past week, then the week counts one on time, one late, one absent, and the weekly message is queued once', async () => {
      // Goal: the weekly attendance summary (#15) counts by each session's lateness and is sent once per person and week.
      const s = await person(unique('院系'));
      const week = shanghaiWeek(Date.now() - 14 * 86_400_000);
      const meeting = async (hour: number) => {
        const id = unique('WK-');
        const startsAtMs = week.fromMs + hour * 3_600_000;
        await t.client.createMeeting({
          id,
          kind: 'meeting',
          title: '周例会',
          startsAtMs,
          endsAtMs: startsAtMs + 3_600_000,
          lateAfterMs: 10 * 60_000,
          roster: { by: 'list', personNos: [s.personNo] },
          organiser: 'admin-1',
        });
        return { id, startsAtMs };
      };
      const onTime = await meeting(10);
      const late = await meeting(34);
      await meeting(58);
      await signIn(onTime.id, s.cardNo, onTime.startsAtMs + 60_000);
      await signIn(late.id, s.cardNo, late.startsAtMs + 20 * 60_000);
      const meetings = t.core.meetings;
      assert.deepEqual(await meetings.week(s.personNo, week.fromMs, Date.now()), {
        personNo: s.personNo,
        weekStart: week.weekStart,
        expected: 3,
        attended: 2,
        late: 1,
        absent: 1,
      });
      // Bound on WeChat, so the message has a channel; the second run for the week queues nothing.
      const { personId } = await t.client.getCard(s.cardNo);
      await new BindingRepository(t.core.db).insert(`o-${s.personNo}`, personId, s.cardNo);
      assert.equal(await meetings.sendWeekSummaries(week.fromMs, Date.now()), 1);
      assert.equal(await meetings.sendWeekSummaries(week.fromMs + 3_600_000, Date.now()), 0);
    });
  });
}
