import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

type Student = Awaited<ReturnType<typeof boundStudent>>;

describe('access and attendance records, and card actions by path', () => {
  let world: TestWorld;
  let student: Student;
  before(async () => {
    world = await startWorld();
    student = await boundStudent(world);
  });
  after(() => world.stop());

  const get = (path: string, token = student.accessToken) => world.request('GET', path, { token });
  const post = (path: string, body: unknown = {}, token = student.accessToken) =>
    world.request('POST', path, { token, body });

  test("when gate checks are listed, then only this card's come back, newest first, paged by cursor", async () => {
    // Goal: the records page shows what the gateway recorded for this card and nobody else's.
    const now = Date.now();
    for (const [sequence, decision, atMs] of [
      [1, 'allow', now - 3_000],
      [2, 'deny', now - 2_000],
      [3, 'allow', now - 1_000],
    ] as const) {
      await world.core.client.recordAccessEvent({
        deviceId: '7001',
        sequence,
        cardNo: student.cardNo,
        direction: 'in',
        decision,
        reason: decision === 'deny' ? 'CARD_FROZEN' : null,
        source: 'online',
        occurredAtMs: atMs,
      });
    }
    const first = await get('/api/v1/records?kind=access&limit=2');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // #19.2 codes for the app to label, never English prose or a device id as the place.
    assert.deepEqual(
      (first.body.items as { result: string; reason: string | null; place: string }[]).map((i) => [
        i.result,
        i.reason,
        i.place,
      ]),
      [
        ['allowed', null, '门禁'],
        ['denied', 'CARD_FROZEN', '门禁'],
      ],
    );
    assert.equal(typeof first.body.next, 'string');
    const second = await get(`/api/v1/records/access?limit=2&cursor=${first.body.next}`);
    assert.deepEqual(
      (second.body.items as { atMs: number }[]).map((i) => i.atMs),
      [now - 3_000],
    );
    assert.equal(second.body.next, undefined, 'a short page is the last');
    const other = await boundStudent(world);
    assert.deepEqual((await get('/api/v1/records/access', other.accessToken)).body.items, []);
  });

  test('when the student signs in to an exam, then the attendance record names the session', async () => {
    const { personNo } = await world.core.client.getCard(student.cardNo);
    const now = Date.now();
    await world.core.client.putAttendanceSession({
      id: `EXAM-${student.cardNo}`,
      kind: 'exam',
      title: '高等数学期末考试',
      startsAtMs: now,
      endsAtMs: now + 7_200_000,
      signInFromMs: now - 600_000,
      signInUntilMs: now + 600_000,
      roster: [personNo],
    });
    const signIn = await world.core.client.signInAttendance({
      sessionId: `EXAM-${student.cardNo}`,
      cardNo: student.cardNo,
      deviceId: '7002',
      sequence: 1,
      atMs: now,
      source: 'online',
    });
    assert.equal(signIn.status, 'recorded');
    const reply = await get('/api/v1/records/attendance');
    assert.equal(reply.status, 200);
    assert.deepEqual(
      (reply.body.items as { kind: string; place: string; result: string; atMs: number }[]).map((i) => [
        i.kind,
        i.place,
        i.result,
        i.atMs,
      ]),
      [['attendance', '高等数学期末考试', 'exam', now]],
    );
  });

  test('when records are asked for with a bad kind, limit or cursor, then 400 and no records', async () => {
    for (const path of [
      '/api/v1/records',
      '/api/v1/records?kind=canteen',
      '/api/v1/records/canteen',
      '/api/v1/records/access?limit=0',
      '/api/v1/records/access?cursor=yesterday',
    ]) {
      const reply = await get(path);
      assert.equal(reply.status, 400, path);
      assert.equal(reply.body.code, 'VALIDATION_FAILED', path);
    }
  });

  test('when the card is frozen, unfrozen, reported lost and found by path, then each status follows', async () => {
    // Goal: /card/<action> does what POST /card/actions {action} does.
    const frozen = await post('/api/v1/card/freeze');
    assert.equal(frozen.status, 200, JSON.stringify(frozen.body));
    assert.equal(frozen.body.status, 'frozen');
    // With no PIN set, unfreezing from the phone needs the identity proof binding needs (#12.7).
    const proof = { identity: { name: student.name, secret: student.secret } };
    assert.equal((await post('/api/v1/card/unfreeze', proof)).body.status, 'active');
    const lost = await post('/api/v1/card/report-loss');
    assert.equal(lost.body.status, 'lost');
    // A loss report ends other sessions but keeps the one that made it.
    assert.equal((await get('/api/v1/card')).body.status, 'lost');
    const found = await post('/api/v1/card/cancel-loss', proof);
    assert.equal(found.body.status, 'active');
    assert.equal((await post('/api/v1/card/unfreeze')).body.changed, false, 'a repeat changes nothing');
    const extra = await post('/api/v1/card/freeze', { action: 'unfreeze' });
    assert.equal(extra.status, 400);
    assert.equal((await get('/api/v1/card')).body.status, 'active');
  });

  test('when these routes are called without a token or unbound, then 401 or NOT_BOUND', async () => {
    for (const path of ['/api/v1/records/access', '/api/v1/records?kind=attendance']) {
      assert.equal((await world.request('GET', path)).status, 401, path);
    }
    assert.equal((await world.request('POST', '/api/v1/card/freeze', { body: {} })).status, 401);
    const { code } = world.login.mintCode('wx0123456789abcdef');
    const session = await world.request('POST', '/api/v1/session', { body: { code } });
    const unbound = await get('/api/v1/records/access', session.body.accessToken as string);
    assert.equal(unbound.body.code, 'NOT_BOUND');
  });
});
