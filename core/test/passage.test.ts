import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestCore, type TestCore } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import { CoreError, type RuleTable } from '../src/client/index.ts';
import type { NewRule, Place } from '../src/contract/passage.ts';
import { redisNames } from '../src/redis.ts';

// 2026-03-02 is a Monday; Asia/Shanghai is UTC+8.
const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 2, day, hour - 8, minute);
const monday10 = at(2, 10);

describe('campus passage on MariaDB and Redis', () => {
  let t: TestCore;
  let subscriber: Redis;
  const published: string[] = [];
  let campus: Place;
  let area: Place;
  let dorm: Place;
  let lab: Place;
  let dormDoor: Place;
  let labDoor: Place;
  let serial = 0;
  const deviceOf = new Map<string, string>();

  async function person(type: 'student' | 'staff', department = '物理学院') {
    serial += 1;
    const personNo = `P${randomBytes(3).toString('hex')}${serial}`;
    const card = await t.client.openCard({ personNo, name: '测试', type, department });
    return { personNo, cardNo: card.cardNo };
  }

  async function door(parent: Place, name: string, direction: 'in' | 'out' | 'none') {
    const d = await t.client.createPassagePlace({
      kind: 'door',
      parentId: parent.id,
      name,
      doorKind: 'door',
    });
    const deviceId = String(700_000 + deviceOf.size);
    await t.client.setDoorDevice(d.id, { deviceId, direction });
    deviceOf.set(`${d.id}:${direction}`, deviceId);
    return d;
  }

  function check(
    d: Place,
    cardNo: string,
    atMs: number,
    direction: 'in' | 'out' | 'none' = 'in',
    record = true,
  ) {
    const deviceId = deviceOf.get(`${d.id}:${direction}`) as string;
    return t.client.decidePassage({ deviceId, cardNo, atMs, record }).then((r) => r.passage);
  }

  function rule(r: Partial<NewRule> & Pick<NewRule, 'who' | 'where'>, by = 'admin:test') {
    return t.client.createPassageRule({ name: '测试规则', effect: 'allow', windows: [], ...r }, by);
  }

  before(async () => {
    t = await startTestCore('mysql', { REDIS_URL: 'redis://127.0.0.1:6379' });
    subscriber = new Redis('redis://127.0.0.1:6379');
    await subscriber.subscribe(redisNames(t.redisPrefix).channels.passage);
    subscriber.on('message', (_channel, message) => published.push(message));
    campus = await t.client.createPassagePlace({ kind: 'campus', parentId: null, name: '主校区' });
    area = await t.client.createPassagePlace({
      kind: 'area',
      parentId: campus.id,
      name: '宿舍区',
      antiPassback: false,
    });
    dorm = await t.client.createPassagePlace({
      kind: 'building',
      parentId: area.id,
      name: '1号宿舍楼',
      curfew: { fromMinute: 23 * 60, toMinute: 6 * 60, mode: 'late' },
    });
    const labs = await t.client.createPassagePlace({ kind: 'building', parentId: campus.id, name: '实验楼' });
    dormDoor = await door(dorm, '1号楼大门', 'in');
    labDoor = await door(labs, '实验楼东门', 'in');
    lab = labs;
  });

  after(async () => {
    await subscriber.quit();
    await t.stop();
  });

  test('when a place is put under the wrong kind of parent, then it is refused and nothing changes', async () => {
    // Goal: the tree is campus → area → building → door; a door cannot hold a building.
    const version = (await t.client.passageVersion()).version;
    await assert.rejects(
      t.client.createPassagePlace({ kind: 'building', parentId: dormDoor.id, name: 'x' }),
      (e: unknown) => e instanceof CoreError && e.code === 'VALIDATION_FAILED',
    );
    assert.equal((await t.client.passageVersion()).version, version);
  });

  test('when a weekly schedule allows a department on weekdays 8–18, then its people pass inside and not outside', async () => {
    // Goal: the schedule is read in Asia/Shanghai, whatever the process's zone (tests run in Los Angeles).
    const student = await person('student', '化学学院');
    await rule({
      who: { kind: 'department', value: '化学学院' },
      where: { kind: 'building', id: lab.id },
      windows: [{ weekdays: [0, 1, 2, 3, 4], fromMinute: 8 * 60, toMinute: 18 * 60 }],
    });
    assert.equal((await check(labDoor, student.cardNo, monday10))?.decision, 'allow');
    assert.equal((await check(labDoor, student.cardNo, at(2, 19)))?.reason, 'NO_PASSAGE_RIGHT');
    assert.equal((await check(labDoor, student.cardNo, at(7, 10)))?.reason, 'NO_PASSAGE_RIGHT', 'Saturday');
    const other = await person('student', '数学学院');
    assert.equal((await check(labDoor, other.cardNo, monday10))?.reason, 'NO_PASSAGE_RIGHT');
  });

  test('when a rule holds on workdays only, then it does not hold on a holiday of the calendar', async () => {
    // Goal: holidays and term days come from the calendar the backoffice keeps.
    const staff = await person('staff', '后勤处');
    await rule({
      who: { kind: 'department', value: '后勤处' },
      where: { kind: 'door', id: labDoor.id },
      calendar: 'workdays',
    });
    assert.equal((await check(labDoor, staff.cardNo, at(3, 10)))?.decision, 'allow');
    await t.client.setPassageCalendar({ kind: 'holiday', days: ['2026-03-03'], on: true });
    assert.equal((await check(labDoor, staff.cardNo, at(3, 10)))?.reason, 'NO_PASSAGE_RIGHT');
    assert.equal((await check(labDoor, staff.cardNo, at(4, 10)))?.decision, 'allow');
  });

  test('when a deny rule names a person an allow rule lets in, then the deny wins', async () => {
    // Goal: deny-wins, whatever order the rules were made in.
    const banned = await person('staff', '保卫处');
    await rule({ who: { kind: 'department', value: '保卫处' }, where: { kind: 'campus', id: campus.id } });
    assert.equal((await check(labDoor, banned.cardNo, monday10))?.decision, 'allow');
    await rule({
      effect: 'deny',
      who: { kind: 'person', value: banned.personNo },
      where: { kind: 'door', id: labDoor.id },
    });
    assert.deepEqual(await check(labDoor, banned.cardNo, monday10), {
      decision: 'deny',
      reason: 'PASSAGE_DENIED',
      late: false,
      doorId: labDoor.id,
      personNo: banned.personNo,
    });
    assert.equal(
      (await check(dormDoor, banned.cardNo, at(2, 12)))?.decision,
      'allow',
      'other doors unaffected',
    );
  });

  test("#13 when a gate checks a card in one call, then the card's state, the door's rules and the access event are answered together, the event once per (device, sequence)", async () => {
    // Goal: POST /v1/passage/gate-checks is the gateway's one round trip for an IDENTITY_CHECK.
    const guest = await person('staff', '访客中心');
    const version = (await t.client.getCard(guest.cardNo)).version;
    const atDoor = deviceOf.get(`${labDoor.id}:in`) as string;
    const atNoDoor = '799999';
    let sequence = 0;
    const gate = (deviceId: string, cardNo: string, cardVersion = version, again = false) => {
      if (!again) sequence += 1;
      return t.client.gateCheck({ deviceId, sequence, cardNo, cardVersion, direction: 'in', atMs: monday10 });
    };
    // At a device serving no door the card alone decides; at a door, the door's rules as the decision preview says.
    assert.deepEqual(await gate(atNoDoor, guest.cardNo), {
      decision: 'allow',
      reason: null,
      personType: 'staff',
      name: '测试',
    });
    const preview = await check(labDoor, guest.cardNo, monday10, 'in', false);
    assert.equal((await gate(atDoor, guest.cardNo)).decision, preview?.decision);
    await rule({
      effect: 'deny',
      who: { kind: 'person', value: guest.personNo },
      where: { kind: 'door', id: labDoor.id },
    });
    assert.deepEqual(await gate(atDoor, guest.cardNo), { decision: 'deny', reason: 'PASSAGE_DENIED' });
    // The card before the rules: a superseded credential, then a lost card, then no card at all.
    assert.deepEqual(await gate(atNoDoor, guest.cardNo, version + 1), {
      decision: 'deny',
      reason: 'CREDENTIAL_REVOKED',
    });
    await t.client.changeCard(guest.cardNo, 'report_loss', { type: 'self', id: null });
    assert.deepEqual(await gate(atNoDoor, guest.cardNo), { decision: 'deny', reason: 'CARD_LOST' });
    assert.deepEqual(await gate(atNoDoor, guest.cardNo, 1, true), { decision: 'deny', reason: 'CARD_LOST' });
    const unknown = '99999999999';
    assert.deepEqual(await gate(atNoDoor, unknown, 1), { decision: 'deny', reason: 'CARD_NOT_FOUND' });
    // Every check recorded before it was answered; the repeated sequence once.
    const recorded = (await t.client.accessEvents(guest.cardNo)).items
      .map((e) => `${e.sequence} ${e.deviceId} ${e.decision} ${e.reason}`)
      .sort();
    assert.deepEqual(recorded, [
      `1 ${atNoDoor} allow null`,
      `2 ${atDoor} ${preview?.decision} ${preview?.reason ?? null}`,
      `3 ${atDoor} deny PASSAGE_DENIED`,
      `4 ${atNoDoor} deny CREDENTIAL_REVOKED`,
      `5 ${atNoDoor} deny CARD_LOST`,
    ]);
    const [stranger] = (await t.client.accessEvents(unknown)).items;
    assert.equal(stranger?.reason, 'CARD_NOT_FOUND');
  });

  test('when a temporary grant expires, then the person is refused from that instant', async () => {
    // Goal: a grant is valid in [validFromMs, validUntilMs).
    const guest = await person('staff', '访问学者');
    await rule({
      who: { kind: 'person', value: guest.personNo },
      where: { kind: 'door', id: labDoor.id },
      validFromMs: at(2, 9),
      validUntilMs: at(2, 12),
    });
    assert.equal((await check(labDoor, guest.cardNo, at(2, 8, 59)))?.reason, 'NO_PASSAGE_RIGHT');
    assert.equal((await check(labDoor, guest.cardNo, at(2, 11, 59)))?.decision, 'allow');
    assert.equal((await check(labDoor, guest.cardNo, at(2, 12)))?.reason, 'NO_PASSAGE_RIGHT');
  });

  test('when a resident comes back after the curfew, then they are let in, recorded late once per day, and refused once the building refuses', async () => {
    // Goal: curfew per building, late returns counted per student; staff are not under the curfew.
    const resident = await person('student');
    await t.client.setResident({ personNo: resident.personNo, buildingId: dorm.id, room: '301' });
    await rule({ who: { kind: 'dorm_building', value: dorm.id }, where: { kind: 'building', id: dorm.id } });
    assert.deepEqual(await check(dormDoor, resident.cardNo, at(2, 22)), {
      decision: 'allow',
      reason: null,
      late: false,
      doorId: dormDoor.id,
      personNo: resident.personNo,
    });
    assert.equal((await check(dormDoor, resident.cardNo, at(2, 23, 30)))?.late, true);
    assert.equal((await check(dormDoor, resident.cardNo, at(3, 0, 10)))?.late, true);
    const late = await t.client.lateReturns(resident.personNo);
    assert.equal(late.items.length, 2, 'Monday 23:30 and Tuesday 00:10 are two Shanghai days');
    assert.deepEqual((await t.client.lateCounts(dorm.id)).items, [{ personNo: resident.personNo, count: 2 }]);
    await t.client.changePassagePlace(dorm.id, {
      curfew: { fromMinute: 23 * 60, toMinute: 6 * 60, mode: 'refuse' },
    });
    assert.equal((await check(dormDoor, resident.cardNo, at(3, 23, 30)))?.reason, 'CURFEW');
    const keeper = await person('staff', '宿管中心');
    await t.client.setPassageRole(keeper.personNo, 'dorm_keeper', true);
    await rule({ who: { kind: 'role', value: 'dorm_keeper' }, where: { kind: 'area', id: area.id } });
    assert.equal((await check(dormDoor, keeper.cardNo, at(3, 23, 30)))?.decision, 'allow');
  });

  test('when an area runs anti-passback, then in twice is refused until the person goes out or an admin resets them', async () => {
    // Goal: in-before-out per area, claimed with one conditional write.
    const gateArea = await t.client.createPassagePlace({
      kind: 'area',
      parentId: campus.id,
      name: '图书馆区',
      antiPassback: true,
    });
    const library = await t.client.createPassagePlace({
      kind: 'building',
      parentId: gateArea.id,
      name: '图书馆',
    });
    const turnstileIn = await door(library, '闸机', 'in');
    deviceOf.set(`${turnstileIn.id}:out`, String(700_000 + deviceOf.size));
    await t.client.setDoorDevice(turnstileIn.id, {
      deviceId: deviceOf.get(`${turnstileIn.id}:out`) as string,
      direction: 'out',
    });
    const reader = await person('student', '图书馆读者');
    await rule({ who: { kind: 'person_type', value: 'student' }, where: { kind: 'area', id: gateArea.id } });
    assert.equal((await check(turnstileIn, reader.cardNo, monday10, 'in'))?.decision, 'allow');
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 1_000, 'in'))?.reason, 'PASSBACK');
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 2_000, 'out'))?.decision, 'allow');
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 3_000, 'out'))?.reason, 'PASSBACK');
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 4_000, 'in'))?.decision, 'allow');
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 5_000, 'in'))?.reason, 'PASSBACK');
    assert.deepEqual(await t.client.resetPassback(reader.personNo, gateArea.id), { reset: 1 });
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 6_000, 'in'))?.decision, 'allow');
    // A preview (record false) never moves the person.
    assert.equal(
      (await check(turnstileIn, reader.cardNo, monday10 + 7_000, 'out', false))?.decision,
      'allow',
    );
    assert.equal((await check(turnstileIn, reader.cardNo, monday10 + 8_000, 'in'))?.reason, 'PASSBACK');
  });

  test('when a rule changes, then the version is published on Redis and a door holding the old version gets a delta with the new row', async () => {
    // Goal: tables are versioned; a change reaches devices as a small delta, a stranger as the whole table.
    const deviceId = deviceOf.get(`${labDoor.id}:in`) as string;
    const full = await t.client.ruleTable(deviceId, 0);
    assert.equal(full.kind, 'full');
    const table = (full as { table: RuleTable }).table;
    assert.equal(table.doorId, labDoor.id);
    const current = await t.client.ruleTable(deviceId, table.version);
    assert.deepEqual(current, { kind: 'current', version: table.version });
    const newcomer = await person('staff', '新来的');
    published.length = 0;
    await rule({
      who: { kind: 'person', value: newcomer.personNo },
      where: { kind: 'door', id: labDoor.id },
    });
    const version = (await t.client.passageVersion()).version;
    for (let i = 0; i < 100 && !published.includes(String(version)); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(published.includes(String(version)), 'published on Redis');
    const delta = await t.client.ruleTable(deviceId, table.version);
    assert.equal(delta.kind, 'delta');
    if (delta.kind !== 'delta') return;
    assert.equal(delta.header.version, version);
    assert.deepEqual(
      delta.changes.map((c) => c.cardNo),
      [newcomer.cardNo],
    );
  });

  test('when a card is opened for a department a rule names, then following the people gives its door a delta with the new card, once', async () => {
    // Goal: a new student's card reaches the door tables (offline decisions) without any passage change.
    await rule({ who: { kind: 'department', value: '环境学院' }, where: { kind: 'door', id: labDoor.id } });
    const deviceId = deviceOf.get(`${labDoor.id}:in`) as string;
    await t.core.passage.followPeople();
    const before = await t.client.ruleTable(deviceId, 0);
    assert.equal(before.kind, 'full');
    if (before.kind !== 'full') return;
    const newcomer = await person('student', '环境学院');
    assert.ok(!before.table.cards.some((c) => c.cardNo === newcomer.cardNo));
    assert.equal(await t.core.passage.followPeople(), true, 'the new card moved the people');
    assert.equal(await t.core.passage.followPeople(), false, 'nothing moved since');
    const delta = await t.client.ruleTable(deviceId, before.table.version);
    assert.equal(delta.kind, 'delta');
    if (delta.kind !== 'delta') return;
    assert.deepEqual(
      delta.changes.map((c) => c.cardNo),
      [newcomer.cardNo],
    );
  });

  test('when the backoffice asks who can pass a door now and where a person can pass, then both follow the rules', async () => {
    // Goal: the two views read the same decision as the gates.
    const who = await t.client.whoCanPass(labDoor.id, monday10);
    const chem = who.items.map((i) => i.personNo);
    assert.ok(chem.length > 0);
    const banned = (await t.client.passageRules()).items.find((r) => r.effect === 'deny')?.who
      .value as string;
    assert.ok(!chem.includes(banned));
    const where = await t.client.whereCanPass(banned, monday10);
    assert.equal(where.items.find((d) => d.doorId === labDoor.id)?.decision.reason, 'PASSAGE_DENIED');
    assert.equal(where.items.find((d) => d.doorId === dormDoor.id)?.decision.decision, 'allow');
  });
});

describe('the access log on MariaDB', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('mysql');
  });
  after(() => t.stop());

  test('when events are read by building, person, decision and page, then each filter narrows and the pages join up without a gap or a repeat', async () => {
    // Goal: the backoffice's access log (保卫处, 宿管) finds a night's refusals at one building, person by person.
    const campus = await t.client.createPassagePlace({ kind: 'campus', parentId: null, name: '南校区' });
    const building = await t.client.createPassagePlace({
      kind: 'building',
      parentId: campus.id,
      name: '3号楼',
    });
    const other = await t.client.createPassagePlace({
      kind: 'building',
      parentId: campus.id,
      name: '图书馆',
    });
    const doorA = await t.client.createPassagePlace({
      kind: 'door',
      parentId: building.id,
      name: '3号楼东门',
      doorKind: 'door',
    });
    const doorB = await t.client.createPassagePlace({
      kind: 'door',
      parentId: other.id,
      name: '图书馆正门',
      doorKind: 'gate',
    });
    const tag = randomBytes(2).toString('hex');
    const n = 800_000 + (Number.parseInt(tag, 16) % 90_000) * 2;
    const [devA, devB] = [String(n), String(n + 1)];
    await t.client.setDoorDevice(doorA.id, { deviceId: devA, direction: 'in' });
    await t.client.setDoorDevice(doorB.id, { deviceId: devB, direction: 'in' });
    const personNo = `L${tag}${process.pid}`.slice(0, 32);
    const { cardNo } = await t.client.openCard({
      personNo,
      name: '夜归生',
      type: 'student',
      department: '物理学院',
    });
    const base = Date.UTC(2026, 9, 1, 15, 0);
    for (let i = 1; i <= 7; i++) {
      const deny = i % 2 === 0;
      const recorded = await t.client.recordAccessEvent({
        deviceId: i <= 5 ? devA : devB,
        sequence: i,
        cardNo,
        direction: 'in',
        decision: deny ? 'deny' : 'allow',
        reason: deny ? 'CURFEW' : null,
        source: i === 7 ? 'offline' : 'online',
        occurredAtMs: base + i * 60_000,
      });
      assert.ok(recorded);
    }
    const window = { fromMs: base, toMs: base + 3_600_000 };
    const inBuilding = (await t.client.passageLog({ ...window, placeId: building.id })).items;
    assert.deepEqual(
      inBuilding.map((r) => r.occurredAtMs),
      [5, 4, 3, 2, 1].map((i) => base + i * 60_000),
      'the building holds door A only, newest first',
    );
    assert.equal(inBuilding[0]?.doorName, '3号楼东门');
    assert.equal(inBuilding[0]?.name, '夜归生');
    assert.equal(inBuilding[0]?.personNo, personNo);
    const wholeCampus = await t.client.passageLog({ ...window, placeId: campus.id });
    assert.equal(wholeCampus.items.length, 7);
    const refusals = await t.client.passageLog({ ...window, personNo, decision: 'deny' });
    assert.deepEqual(
      refusals.items.map((r) => [r.reason, r.decision]),
      [
        ['CURFEW', 'deny'],
        ['CURFEW', 'deny'],
        ['CURFEW', 'deny'],
      ],
    );
    assert.equal((await t.client.passageLog({ ...window, cardNo, source: 'offline' })).items.length, 1);
    // Pages of 3 by the last row's (time, id): 3 + 3 + 1, every event once.
    const seen: string[] = [];
    let page = await t.client.passageLog({ ...window, cardNo, limit: 3 });
    while (page.items.length > 0) {
      seen.push(...page.items.map((r) => r.id));
      const last = page.items.at(-1);
      if (!last) break;
      page = await t.client.passageLog({
        ...window,
        cardNo,
        limit: 3,
        beforeAtMs: last.occurredAtMs,
        beforeId: last.id,
      });
    }
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    await assert.rejects(
      t.client.passageLog({ ...window, placeId: '0'.repeat(26) }),
      (e: unknown) => e instanceof CoreError && e.code === 'NOT_FOUND',
    );
    await assert.rejects(
      t.client.passageLog({ fromMs: base, toMs: base }),
      (e: unknown) => e instanceof CoreError && e.code === 'VALIDATION_FAILED',
    );
  });
});
