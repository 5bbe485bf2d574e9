import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  dialects,
  offlineRecord,
  openStudent,
  opId,
  startTestCore,
  type TestCore,
} from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import { formatDay, shanghaiDay } from '../src/time.ts';

// Campuses within one centre (docs/campuses.md): the link to the place tree, each merchant's and
// device's campus (a door's device takes its door's), one campus's scope, sales and settlement rows
// narrowed or grouped by campus, the dashboard's minutes and the offline exceptions of one campus, news
// and courses for a campus, and admin accounts scoped to a campus.

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

for (const dialect of dialects) {
  describe(`campuses on ${dialect}`, () => {
    let t: TestCore;
    const ids = { north: '', south: '', northRoot: '', area: '', building: '', door: '', southRoot: '' };
    const merchants = { north: '', south: '', centre: '' };
    const today = formatDay(shanghaiDay(Date.now()));

    before(async () => {
      t = await startTestCore(dialect);
      const c = t.client;
      const northRoot = await c.createPassagePlace({ kind: 'campus', parentId: null, name: '北校区' });
      const area = await c.createPassagePlace({ kind: 'area', parentId: northRoot.id, name: '宿舍区' });
      const building = await c.createPassagePlace({ kind: 'building', parentId: area.id, name: '3号楼' });
      const door = await c.createPassagePlace({
        kind: 'door',
        parentId: building.id,
        name: '3号楼大门',
        doorKind: 'door',
      });
      const southRoot = await c.createPassagePlace({ kind: 'campus', parentId: null, name: '南校区' });
      Object.assign(ids, {
        northRoot: northRoot.id,
        area: area.id,
        building: building.id,
        door: door.id,
        southRoot: southRoot.id,
      });
      ids.north = (await c.createCampus({ code: 'north', name: '北校区', placeId: northRoot.id })).id;
      ids.south = (await c.createCampus({ code: 'south', name: '南校区', placeId: null })).id;
      merchants.north = (
        await c.createMerchant({ name: '北区食堂', category: 'canteen', campusId: ids.north })
      ).id;
      merchants.south = (
        await c.createMerchant({ name: '南区超市', category: 'shop', campusId: ids.south })
      ).id;
      merchants.centre = (await c.createMerchant({ name: '校车', category: 'transport' })).id;
    });
    after(() => t.stop());

    test('when a campus is linked to a place, then only a place of kind campus that no other campus holds is taken', async () => {
      const c = t.client;
      assert.equal(await refusal(c.linkCampusPlace(ids.south, ids.area)), 'VALIDATION_FAILED');
      assert.equal(await refusal(c.linkCampusPlace(ids.south, 'NOSUCHPLACE')), 'NOT_FOUND');
      assert.equal(await refusal(c.linkCampusPlace(ids.south, ids.northRoot)), 'ALREADY_EXISTS');
      const linked = await c.linkCampusPlace(ids.south, ids.southRoot);
      assert.equal(linked.placeId, ids.southRoot);
      assert.equal(
        await refusal(c.createCampus({ code: 'north', name: '又一个北校区', placeId: null })),
        'ALREADY_EXISTS',
      );
      assert.equal(await refusal(c.campusScope('NOSUCHCAMPUS')), 'CAMPUS_NOT_FOUND');
      assert.deepEqual(
        (await c.campuses()).items.map((x) => [x.code, x.name]),
        [
          ['north', '北校区'],
          ['south', '南校区'],
        ],
      );
    });

    test('when a device is bound to a door, then it takes the door’s campus and another campus for it is refused; otherwise its own campus counts', async () => {
      const c = t.client;
      await c.registerDevice({ id: '8101', kind: 'gate', campusId: ids.south });
      await c.setDoorDevice(ids.door, { deviceId: '8101', direction: 'in' });
      await c.registerDevice({ id: '8102', kind: 'pos', merchantId: merchants.south, campusId: ids.south });
      await c.registerDevice({ id: '8103', kind: 'pos', merchantId: merchants.centre });
      const byDevice = new Map((await c.deviceCampuses()).items.map((d) => [d.deviceId, d]));
      assert.deepEqual(byDevice.get('8101'), { deviceId: '8101', campusId: ids.north, source: 'place' });
      assert.deepEqual(byDevice.get('8102'), { deviceId: '8102', campusId: ids.south, source: 'device' });
      assert.equal(byDevice.has('8103'), false, 'a device with neither is centre-wide');
      assert.equal(await refusal(c.setDeviceCampus('8101', ids.south)), 'CAMPUS_FIXED_BY_PLACE');
      assert.deepEqual(await c.setDeviceCampus('8101', ids.north), {
        deviceId: '8101',
        campusId: ids.north,
        source: 'place',
      });
      assert.equal(await refusal(c.setDeviceCampus('8103', 'NOSUCHCAMPUS')), 'CAMPUS_NOT_FOUND');
      assert.equal((await c.getDevice('8102')).campusId, ids.south);

      const north = await c.campusScope(ids.north);
      assert.deepEqual(north.placeIds, [ids.northRoot, ids.area, ids.building, ids.door]);
      assert.deepEqual(north.merchantIds, [merchants.north]);
      assert.deepEqual(north.deviceIds, ['8101']);
      const south = await c.campusScope(ids.south);
      assert.deepEqual(south.placeIds, [ids.southRoot]);
      assert.deepEqual(south.deviceIds, ['8102']);
    });

    test('when a merchant moves campus, then lists and scopes follow it, and an unknown campus is refused', async () => {
      const c = t.client;
      const listed = new Map((await c.merchants()).map((m) => [m.id, m.campusId]));
      assert.equal(listed.get(merchants.north), ids.north);
      assert.equal(listed.get(merchants.centre), null);
      await c.setMerchantCampus(merchants.centre, ids.south);
      assert.deepEqual(
        (await c.campusScope(ids.south)).merchantIds.sort(),
        [merchants.centre, merchants.south].sort(),
      );
      await c.setMerchantCampus(merchants.centre, null);
      assert.equal((await c.getMerchant(merchants.centre)).campusId, null);
      assert.equal(await refusal(c.setMerchantCampus(merchants.centre, 'NOSUCHCAMPUS')), 'CAMPUS_NOT_FOUND');
    });

    test('when cards pay on two campuses, then the sales reports narrow to one campus, group by campus, and the day’s statements list one campus’s merchants', async () => {
      const c = t.client;
      await c.registerDevice({ id: '8104', kind: 'pos', merchantId: merchants.north });
      const cardNo = await openStudent(c);
      await c.topUp({ id: opId('t'), cardNo, amount: 10_000, channel: 'cash' });
      const pay = async (merchantId: string, deviceId: string, amount: number) =>
        assert.equal((await c.pay({ id: opId('p'), cardNo, merchantId, deviceId, amount })).status, 'ok');
      await pay(merchants.north, '8104', 1_200);
      await pay(merchants.south, '8102', 300);
      await pay(merchants.centre, '8103', 200);
      const range = { from: today, to: today };
      const daily = async (campusId?: string) =>
        (
          await c.report<{ paymentAmount: number }>('turnover/daily', {
            ...range,
            ...(campusId ? { campusId } : {}),
          })
        ).items[0]?.paymentAmount;
      assert.equal(await daily(), 1_700);
      assert.equal(await daily(ids.north), 1_200);
      assert.equal(await daily(ids.south), 300);
      const perMerchant = await c.report<{ merchantId: string }>('turnover/merchants', {
        ...range,
        campusId: ids.south,
      });
      assert.deepEqual(
        perMerchant.items.map((r) => r.merchantId),
        [merchants.south],
      );
      const byCampus = await c.report<{ campusId: string | null; campusName: string; paymentAmount: number }>(
        'turnover/campuses',
        range,
      );
      assert.deepEqual(
        byCampus.items.map((r) => [r.campusId, r.campusName, r.paymentAmount]).sort(),
        [
          [ids.north, '北校区', 1_200],
          [ids.south, '南校区', 300],
          [null, '全中心', 200],
        ].sort(),
      );
      // The dashboard's minutes: one campus's sales, and no top-ups (they are the centre's).
      const minutes = async (campusId?: string) =>
        (await c.reportPerMinute(10, campusId)).items.reduce(
          (sum, m) => ({ paid: sum.paid + m.paymentAmount, topUps: sum.topUps + m.topUpAmount }),
          { paid: 0, topUps: 0 },
        );
      assert.deepEqual(await minutes(ids.north), { paid: 1_200, topUps: 0 });
      assert.deepEqual(await minutes(ids.south), { paid: 300, topUps: 0 });
      assert.ok((await minutes()).topUps >= 10_000);
      assert.equal(
        await refusal(c.report('top-up-channels', { ...range, campusId: ids.north })),
        'VALIDATION_FAILED',
      );
      const statements = await c.dayStatements(today, ids.north);
      assert.deepEqual(
        statements.map((s) => [s.merchantId, s.paymentAmount, s.settled]),
        [[merchants.north, 1_200, false]],
      );
      assert.equal(await refusal(c.settleDay(today, ids.north)), 'VALIDATION_FAILED');
    });

    test('#18 when news and courses target a campus, then its dorm residents alone see them, the picker counts them, and the person’s profile names the campus', async () => {
      // Goal: the campus audience reaches exactly the people living in a building of the campus's place
      // tree, the count the backoffice shows is that number, and the database accepts the kind (sql/120).
      const c = t.client;
      const resident = (await c.getCard(await openStudent(c))).personNo;
      const elsewhere = (await c.getCard(await openStudent(c))).personNo;
      const counted = async (campusId: string) =>
        (await c.audienceOptions()).campuses.find((o) => o.value === campusId)?.people;
      assert.equal(await counted(ids.north), 0);
      await c.setResident({ personNo: resident, buildingId: ids.building, room: '301' });
      assert.deepEqual(await c.audienceCount({ type: 'campus', value: ids.north }), { people: 1 });
      assert.deepEqual(await c.audienceCount({ type: 'campus', value: ids.south }), { people: 0 });
      assert.deepEqual(
        (await c.audienceOptions()).campuses.map((o) => [o.value, o.people]),
        [
          [ids.north, 1],
          [ids.south, 0],
        ],
      );
      const news = await c.publishNews({
        title: '北校区停水通知',
        body: '3号楼明日停水。',
        audience: { type: 'campus', value: ids.north },
        author: '后勤',
      });
      const course = await c.createCourse({
        title: '北校区消防演练',
        teacher: '保卫处',
        audience: { type: 'campus', value: ids.north },
      });
      const feed = async (personNo: string) => (await c.newsFor(personNo)).items.map((n) => n.id);
      const courses = async (personNo: string) => (await c.coursesFor(personNo)).items.map((x) => x.id);
      assert.ok((await feed(resident)).includes(news.id));
      assert.ok(!(await feed(elsewhere)).includes(news.id));
      assert.ok((await courses(resident)).includes(course.id));
      assert.ok(!(await courses(elsewhere)).includes(course.id));
      assert.equal((await c.audienceProfile(resident)).campusId, ids.north);
      assert.equal((await c.audienceProfile(elsewhere)).campusId, null);
      assert.equal(
        await refusal(c.audienceCount({ type: 'campus', value: 'no such id!' } as never)),
        'VALIDATION_FAILED',
      );
    });

    test('#18 when a device of one campus records an offline exception, then that campus’s list has it and the other’s does not', async () => {
      const c = t.client;
      await c.registerDevice({ id: '8140', kind: 'pos', merchantId: merchants.north, campusId: ids.north });
      const cardNo = await openStudent(c);
      const upload = await c.uploadOfflineRecords('8140', [
        offlineRecord({ offlineNo: 1, sequence: 1, cardNo, amount: 900 }),
      ]);
      assert.equal(upload.results[0]?.status, 'exception');
      const mine = (e: { deviceId: string }) => e.deviceId === '8140';
      assert.ok((await c.offlineExceptions('open', 100, undefined, ids.north)).items.some(mine));
      assert.ok(!(await c.offlineExceptions('open', 100, undefined, ids.south)).items.some(mine));
      assert.ok((await c.offlineExceptions('open', 100)).items.some(mine));
    });

    test('when an admin account is scoped to a campus, then it keeps the campus, and a super admin cannot be scoped', async () => {
      const c = t.client;
      const base = { displayName: '北区设备', password: 'campus-pass-123' };
      const scoped = await c.createAdmin({
        ...base,
        username: `north${dialect}`,
        role: 'device_admin',
        campusId: ids.north,
      });
      assert.equal(scoped.campusId, ids.north);
      assert.equal((await c.changeAdmin(scoped.id, { campusId: ids.south })).campusId, ids.south);
      assert.equal((await c.changeAdmin(scoped.id, { campusId: null })).campusId, null);
      assert.equal(
        await refusal(
          c.createAdmin({ ...base, username: `super${dialect}`, role: 'super_admin', campusId: ids.north }),
        ),
        'VALIDATION_FAILED',
      );
      await c.changeAdmin(scoped.id, { campusId: ids.north });
      // Made super admin, the account leaves its campus scope (sql/110 refuses a scoped super admin).
      const promoted = await c.changeAdmin(scoped.id, { role: 'super_admin', department: null });
      assert.equal(promoted.campusId, null);
      assert.equal(await refusal(c.changeAdmin(scoped.id, { campusId: ids.north })), 'VALIDATION_FAILED');
    });
  });
}
