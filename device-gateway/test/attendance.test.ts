import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, redisUrl } from '@campus-card/tests/kit';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe('attendance and access events', () => {
  let world: TestWorld;
  let reader: TestDevice;
  let gate: TestDevice;
  before(async () => {
    // With Redis, as deployed: the core announces readers whose meeting session changed (protocol § 7.27).
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    const a = await registerDevice(world, 'attendance');
    reader = await TestDevice.connect(world.gateway.port, a.deviceId, a.key);
    assert.equal((await reader.signIn('attendance')).message.kind, 'sign_in_accepted');
    const g = await registerDevice(world, 'gate');
    gate = await TestDevice.connect(world.gateway.port, g.deviceId, g.key);
    assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
  });
  after(async () => {
    reader.close();
    gate.close();
    await world.stop();
  });

  async function session(id: string, roster: string[], openNow: boolean): Promise<void> {
    const now = Date.now();
    const from = openNow ? now - 600_000 : now + 3_600_000;
    await world.client.putAttendanceSession({
      id,
      kind: 'class',
      title: '数据结构 第7周',
      location: '教三-201',
      startsAtMs: from,
      endsAtMs: from + 5_400_000,
      signInFromMs: from,
      signInUntilMs: from + 1_200_000,
      roster,
    });
  }

  test('when a student on the roster signs in twice, then recorded, then already recorded with the first time', async () => {
    // Goal: the first sign-in is the record; a second scan does not move it.
    const cardNo = await openStudent(world.client);
    const { personNo } = await world.client.getCard(cardNo);
    await session('CS101-W07', [personNo], true);
    const phone = await phoneFor(world.client, cardNo);
    const first = await reader.request({
      kind: 'attendance',
      sessionId: 'CS101-W07',
      code: { kind: 'qr', text: phone.code() },
    });
    assert.equal(first.message.kind === 'attendance_result' && first.message.status, 'recorded');
    const recordedAtMs = first.message.kind === 'attendance_result' ? first.message.recordedAtMs : 0;
    assert.ok(Math.abs(recordedAtMs - Date.now()) < 5_000);
    const second = await reader.request({
      kind: 'attendance',
      sessionId: 'CS101-W07',
      code: { kind: 'qr', text: phone.code() },
    });
    assert.deepEqual(second.message, {
      kind: 'attendance_result',
      status: 'already_recorded',
      reason: 'NONE',
      recordedAtMs,
    });
    const listed = await world.client.attendance(cardNo);
    assert.deepEqual(
      listed.items.map((r) => [r.sessionId, r.recordedAtMs, r.source]),
      [['CS101-W07', recordedAtMs, 'online']],
    );
  });

  test('when the student is not on the roster, the window is closed, the session unknown or the code bad, then each says so', async () => {
    // Goal: each refusal of an attendance sign-in is its own status, and records nothing.
    const cardNo = await openStudent(world.client);
    const phone = await phoneFor(world.client, cardNo);
    await session('MEET-01', ['SOMEONEELSE'], true);
    await session('EXAM-LATER', [(await world.client.getCard(cardNo)).personNo], false);
    const ask = async (sessionId: string, text = phone.code()) =>
      (await reader.request({ kind: 'attendance', sessionId, code: { kind: 'qr', text } })).message;
    assert.deepEqual(await ask('MEET-01'), {
      kind: 'attendance_result',
      status: 'not_on_roster',
      reason: 'NONE',
      recordedAtMs: 0,
    });
    assert.deepEqual(await ask('EXAM-LATER'), {
      kind: 'attendance_result',
      status: 'outside_window',
      reason: 'NONE',
      recordedAtMs: 0,
    });
    assert.deepEqual(await ask('NO-SUCH-SESSION'), {
      kind: 'attendance_result',
      status: 'session_not_found',
      reason: 'NONE',
      recordedAtMs: 0,
    });
    assert.deepEqual(await ask('MEET-01', 'CC:GARBAGE'), {
      kind: 'attendance_result',
      status: 'code_refused',
      reason: 'CODE_INVALID',
      recordedAtMs: 0,
    });
    assert.deepEqual((await world.client.attendance(cardNo)).items, []);
  });

  test('when a gate checks a card and a bad code, then both become access events listed for the card', async () => {
    // Goal: every identity check is recorded, allowed or denied.
    const cardNo = await openStudent(world.client);
    const phone = await phoneFor(world.client, cardNo);
    const allowed = await gate.request({
      kind: 'identity_check',
      code: { kind: 'qr', text: phone.code() },
      direction: 'in',
    });
    assert.equal(allowed.message.kind === 'identity_result' && allowed.message.decision, 'allow');
    const code = phone.code();
    await gate.request({ kind: 'identity_check', code: { kind: 'qr', text: code }, direction: 'out' });
    // The same code again is a replay: denied, and recorded as such.
    const replayed = await gate.request({
      kind: 'identity_check',
      code: { kind: 'qr', text: code },
      direction: 'out',
    });
    assert.equal(replayed.message.kind === 'identity_result' && replayed.message.reason, 'CODE_REPLAYED');
    const events = (await world.client.accessEvents(cardNo)).items;
    // The replayed code named no card the gateway trusted, so it is listed under no card.
    assert.deepEqual(events.map((e) => `${e.direction}:${e.decision}`).sort(), ['in:allow', 'out:allow']);
    const rows = await world.core.core.db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM access_events WHERE device_id = ? AND decision = 'deny' AND reason = 'CODE_REPLAYED'",
      [String(gate.deviceId)],
    );
    assert.equal(Number(rows[0]?.n), 1);
  });

  test("#12.2 when a code names another version than the card's (a superseded phone, a made-up version) or the card is lost, then the sign-in is refused and nothing is recorded", async () => {
    // Goal: attendance, like payments and gates, accepts only the card's current version of an active card.
    const cardNo = await openStudent(world.client);
    const { personNo } = await world.client.getCard(cardNo);
    await session('CS102-W07', [personNo], true);
    const oldPhone = await phoneFor(world.client, cardNo);
    await world.client.changeCard(cardNo, 'freeze', { type: 'admin', id: 'A1' });
    await world.client.changeCard(cardNo, 'unfreeze', { type: 'admin', id: 'A1' });
    const version = (await world.client.getCard(cardNo)).version;
    const madeUp = await phoneFor(world.client, cardNo, { cardVersion: version + 7 });
    madeUp.code(); // its own counter: the replay key is (card, second, counter)
    for (const text of [oldPhone.code(), madeUp.code()]) {
      const reply = await reader.request({
        kind: 'attendance',
        sessionId: 'CS102-W07',
        code: { kind: 'qr', text },
      });
      assert.deepEqual(reply.message, {
        kind: 'attendance_result',
        status: 'code_refused',
        reason: 'CREDENTIAL_REVOKED',
        recordedAtMs: 0,
      });
    }
    await world.client.changeCard(cardNo, 'report_loss', { type: 'admin', id: 'A1' });
    const lost = await phoneFor(world.client, cardNo);
    lost.code();
    lost.code();
    const reply = await reader.request({
      kind: 'attendance',
      sessionId: 'CS102-W07',
      code: { kind: 'qr', text: lost.code() },
    });
    assert.equal(reply.message.kind === 'attendance_result' && reply.message.reason, 'CARD_LOST');
    assert.deepEqual((await world.client.attendance(cardNo)).items, []);
  });

  test('when an exam reader signs candidates in with EXAM_ATTENDANCE, then the answer carries the seat, and a plain ATTENDANCE still gets the old answer', async () => {
    // Goal: the invigilator sees the seat from the exam roster (protocol § 7.14); a reader built before the
    // seat existed sends ATTENDANCE and is answered ATTENDANCE_RESULT, byte for byte as before.
    const seated = await openStudent(world.client);
    const unseated = await openStudent(world.client);
    const outsider = await openStudent(world.client);
    const [a, b] = await Promise.all([world.client.getCard(seated), world.client.getCard(unseated)]);
    const now = Date.now();
    const examId = `EXAM-SEAT-${reader.deviceId}`;
    await world.client.createMeeting({
      id: examId,
      kind: 'exam',
      title: '离散数学期末考试',
      startsAtMs: now + 600_000,
      endsAtMs: now + 7_800_000,
      signInBeforeMs: 1_800_000,
      roster: { by: 'list', personNos: [a.personNo, b.personNo] },
      seats: { [a.personNo]: '三教201-17' },
      organiser: 'admin-1',
      readers: [],
    });
    // One phone per card, each code a fresh one (a second phone of a card in the same second would make
    // the same code as far as the replay guard can tell).
    const phones = new Map<string, { code(): string }>();
    const codeOf = async (cardNo: string) => {
      const phone = phones.get(cardNo) ?? (await phoneFor(world.client, cardNo));
      phones.set(cardNo, phone);
      return phone.code();
    };
    const examSignIn = async (cardNo: string) =>
      (
        await reader.request({
          kind: 'exam_attendance',
          sessionId: examId,
          code: { kind: 'qr', text: await codeOf(cardNo) },
        })
      ).message;
    const first = await examSignIn(seated);
    assert.equal(first.kind, 'exam_attendance_result', JSON.stringify(first));
    if (first.kind !== 'exam_attendance_result') return;
    assert.equal(first.status, 'recorded');
    assert.equal(first.seat, '三教201-17');
    // Scanned again: already recorded, with the first time and the same seat.
    assert.deepEqual(await examSignIn(seated), { ...first, status: 'already_recorded' });
    // On the roster without a seat, and not on the roster: no seat.
    const noSeat = await examSignIn(unseated);
    assert.equal(noSeat.kind === 'exam_attendance_result' && `${noSeat.status}:${noSeat.seat}`, 'recorded:');
    assert.deepEqual(await examSignIn(outsider), {
      kind: 'exam_attendance_result',
      status: 'not_on_roster',
      reason: 'NONE',
      recordedAtMs: 0,
      seat: '',
    });
    // An old reader at the same exam: the answer it always had, no seat.
    const old = await reader.request({
      kind: 'attendance',
      sessionId: examId,
      code: { kind: 'qr', text: await codeOf(seated) },
    });
    assert.deepEqual(old.message, {
      kind: 'attendance_result',
      status: 'already_recorded',
      reason: 'NONE',
      recordedAtMs: first.recordedAtMs,
    });
  });

  test('when a meeting names one reader and is then moved to another, then each is pushed the session it serves and a reader never named gets nothing', async () => {
    // Goal: readers learn their meeting from the server (MEETING_SESSION), pushed on every change.
    const registered = await Promise.all([1, 2, 3].map(() => registerDevice(world, 'attendance')));
    const readers = await Promise.all(
      registered.map(async (d) => {
        const device = await TestDevice.connect(world.gateway.port, d.deviceId, d.key);
        assert.equal((await device.signIn('attendance')).message.kind, 'sign_in_accepted');
        return device;
      }),
    );
    const [first, second, bystander] = readers as [TestDevice, TestDevice, TestDevice];
    // Pushes of other kinds (the configuration after sign-in) are passed over.
    const meetingPush = async (device: TestDevice) => {
      for (;;) {
        const frame = await device.nextPush();
        if (frame.message.kind === 'meeting_session') return frame;
      }
    };
    try {
      const asked = await first.request({ kind: 'meeting_session_request' });
      assert.equal(asked.message.kind === 'meeting_session' && asked.message.sessionKind, 'none');
      const cardNo = await openStudent(world.client);
      const { personNo } = await world.client.getCard(cardNo);
      const now = Date.now();
      const meeting = {
        id: `EXAM-PUSH-${first.deviceId}`,
        kind: 'exam' as const,
        title: '数据结构期末考试',
        startsAtMs: now + 600_000,
        endsAtMs: now + 7_800_000,
        signInBeforeMs: 1_800_000,
        roster: { by: 'list' as const, personNos: [personNo] },
        seats: { [personNo]: 'A-07' },
        organiser: 'admin-1',
      };
      await world.client.createMeeting({ ...meeting, readers: [String(first.deviceId)] });
      const pushed = await meetingPush(first);
      assert.equal(pushed.sequence, 0);
      assert.deepEqual(pushed.message, {
        kind: 'meeting_session',
        sessionKind: 'exam',
        sessionId: meeting.id,
        title: meeting.title,
        startsAtMs: meeting.startsAtMs,
        endsAtMs: meeting.endsAtMs,
        signInFromMs: meeting.startsAtMs - meeting.signInBeforeMs,
        rosterSize: 1,
      });
      // The session pushed is the one the reader signs people into.
      const phone = await phoneFor(world.client, cardNo);
      const signedIn = await first.request({
        kind: 'attendance',
        sessionId: pushed.message.kind === 'meeting_session' ? pushed.message.sessionId : '',
        code: { kind: 'qr', text: phone.code() },
      });
      assert.equal(signedIn.message.kind === 'attendance_result' && signedIn.message.status, 'recorded');
      // Moved to the second reader: the first is told it serves nothing now, the second the exam.
      await world.client.createMeeting({ ...meeting, readers: [String(second.deviceId)] });
      const off = await meetingPush(first);
      assert.equal(off.message.kind === 'meeting_session' && off.message.sessionKind, 'none');
      const on = await meetingPush(second);
      assert.equal(on.message.kind === 'meeting_session' && on.message.sessionId, meeting.id);
      // The bystander asks (its answer comes after both pushes went out) and was pushed nothing.
      const answer = await bystander.request({ kind: 'meeting_session_request' });
      assert.equal(answer.message.kind === 'meeting_session' && answer.message.sessionKind, 'none');
      assert.deepEqual(
        bystander.pushes.map((p) => p.message.kind).filter((k) => k === 'meeting_session'),
        [],
      );
    } finally {
      for (const device of readers) device.close();
    }
  });
});
