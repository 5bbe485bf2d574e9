import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';
type Row = {
  sessionId: string;
  expectedCount: number;
  presentCount: number;
  lateCount: number;
  absentCount: number;
};

describe('admin attendance pages', () => {
  let world: TestWorld;
  let tokens: Admins;
  const startsAtMs = Date.now() - 3_600_000;
  // The Shanghai day the sessions started on.
  const day = new Date(startsAtMs + 8 * 3_600_000).toISOString().slice(0, 10);
  const ids = { mixed: `BA-${process.pid}-1`, maths: `BA-${process.pid}-2` };
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    const cs = [await openCard(world, '计算机学院', '赵一'), await openCard(world, '计算机学院', '钱二')];
    const ma = [await openCard(world, '数学学院', '孙三')];
    const personNo = async (cardNo: string) => (await world.core.client.getCard(cardNo)).personNo;
    const roster = await Promise.all([...cs, ...ma].map(personNo));
    for (const [id, list] of [
      [ids.mixed, roster],
      [ids.maths, roster.slice(2)],
    ] as const)
      await world.core.client.putAttendanceSession({
        id,
        kind: 'class',
        title: '线性代数',
        startsAtMs,
        endsAtMs: startsAtMs + 5_400_000,
        signInFromMs: startsAtMs - 900_000,
        signInUntilMs: startsAtMs + 1_800_000,
        roster: [...list],
      });
    let sequence = 1;
    for (const [cardNo, atMs] of [
      [cs[0], startsAtMs - 60_000],
      [ma[0], startsAtMs + 120_000],
    ] as const)
      await world.core.client.signInAttendance({
        sessionId: ids.mixed,
        cardNo: cardNo ?? '',
        deviceId: '401',
        sequence: sequence++,
        atMs,
        source: 'online',
      });
  });
  after(() => world.stop());

  const counts = (r: Row) => [r.sessionId, r.expectedCount, r.presentCount, r.lateCount, r.absentCount];

  test('when the auditor lists the day, then every session has its expected, on-time, late and absent counts', async () => {
    const reply = await world.request<{ items: Row[] }>(
      'GET',
      `${api}/attendance/sessions?from=${day}&to=${day}`,
      {
        token: tokens.auditor,
      },
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(reply.body.items.map(counts), [
      [ids.mixed, 3, 1, 1, 1],
      [ids.maths, 1, 0, 0, 1],
    ]);
  });

  test("when a department admin lists the day or opens a roster, then only their own department's people count, whatever department the query names", async () => {
    // Goal: the scope is the API's, not the page's: naming another department does not widen it.
    const own = await world.request<{ items: Row[] }>(
      'GET',
      `${api}/attendance/sessions?from=${day}&to=${day}&department=${encodeURIComponent('数学学院')}`,
      { token: tokens.department_admin },
    );
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.deepEqual(own.body.items.map(counts), [[ids.mixed, 2, 1, 0, 1]]);
    const roster = await world.request<{ roster: { name: string; department: string; status: string }[] }>(
      'GET',
      `${api}/attendance/sessions/${ids.mixed}`,
      { token: tokens.department_admin },
    );
    assert.deepEqual(
      roster.body.roster.map((e) => [e.name, e.department, e.status]).sort(),
      [
        ['赵一', '计算机学院', 'present'],
        ['钱二', '计算机学院', 'absent'],
      ].sort(),
    );
    const outside = await world.request('GET', `${api}/attendance/sessions/${ids.maths}`, {
      token: tokens.department_admin,
    });
    assert.equal(outside.status, 404);
    const byDay = await world.request<{ items: { group: string; expectedCount: number }[] }>(
      'GET',
      `${api}/attendance/by-day?from=${day}&to=${day}`,
      { token: tokens.department_admin },
    );
    assert.deepEqual(
      byDay.body.items.map((c) => [c.group, c.expectedCount]),
      [['线性代数', 2]],
    );
  });

  test('when the counter exports the sessions, then a CSV arrives and the export is audited; finance and the device admin are refused', async () => {
    const csv = await fetch(`${world.bff.url}${api}/attendance/sessions?from=${day}&to=${day}&format=csv`, {
      headers: { authorization: `Bearer ${tokens.card_operator}` },
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="attendance-.*\.csv"/);
    const text = Buffer.from(await csv.arrayBuffer()).toString('utf8');
    assert.ok(text.startsWith('\uFEFF场次编号,'), text.slice(0, 40));
    assert.equal(text.trimEnd().split('\r\n').length, 3);
    const audit = await world.core.client.searchAudit({ action: 'attendance.export', limit: 5 });
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0]?.detail?.format, 'csv');
    for (const role of ['finance', 'device_admin', 'content_editor'] as const) {
      const refused = await world.request('GET', `${api}/attendance/sessions?from=${day}&to=${day}`, {
        token: tokens[role],
      });
      assert.equal(refused.status, 403, role);
    }
  });
});
