import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type NetworkStandIn, startNetworkStandIn } from '../../mock/network/server.ts';
import { startUtilityStandIn, type UtilityStandIn } from '../../mock/utility/server.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * Dorm electricity and the network fee against their stand-ins on MariaDB and Redis: every fault
 * switch of the meter and billing systems, and the rule that holds them together — no room or account
 * credited without the card charged, none charged without the credit, none credited twice.
 */
let t: TestCore;
let meter: UtilityStandIn;
let billing: NetworkStandIn;
let room = 0;

before(async () => {
  meter = await startUtilityStandIn();
  billing = await startNetworkStandIn();
  t = await startTestCore('mysql', {
    UTILITY_URL: meter.url,
    NETWORK_URL: billing.url,
    // Long enough that a loaded machine's answer is not taken for a lost one (a fault's lost answer never
    // comes, so each of the four such tests waits this long once).
    UTILITY_TIMEOUT_MS: '1500',
    // The job's own ticks stay out of the way: the tests run the reconciliation when they mean to.
    UTILITY_RECONCILE_INTERVAL_MS: '3600000',
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
});
after(async () => {
  assert.deepEqual((await checkLedger(t.core.db)).breaks, []);
  await t.stop();
  await meter.close();
  await billing.close();
});

async function fundedStudent(amount = 20_000): Promise<string> {
  const cardNo = await openStudent(t.client);
  await t.client.topUp({ id: opId('fund'), cardNo, amount, channel: 'cash' });
  return cardNo;
}

async function newRoom(residents: string[] = []): Promise<string> {
  room += 1;
  const roomId = `B03-${String(400 + room)}`;
  meter.addRoom({ roomId, building: '三号楼', roomNo: String(400 + room), balanceCenti: 5_000 });
  await t.client.saveDormRoom(roomId, { building: '三号楼', roomNo: String(400 + room), residents });
  return roomId;
}

const available = async (cardNo: string) => (await t.client.getCard(cardNo)).balance.main;
const orderId = () =>
  opId('e')
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(-40)
    .padStart(8, '0');

test('when a student buys electricity for a room, then the room is credited once and the card charged once', async () => {
  const cardNo = await fundedStudent();
  const roomId = await newRoom();
  const id = orderId();
  const order = await t.client.purchaseUtility({
    id,
    service: 'electricity',
    target: roomId,
    cardNo,
    amount: 3_000,
  });
  assert.equal(order.status, 'completed');
  assert.equal(order.result?.kwh, '50.00');
  assert.equal(await available(cardNo), 17_000);
  assert.equal(meter.credits.get(id), 1);
  assert.equal(meter.rooms.get(roomId)?.balanceCenti, 10_000);
  // A retry of the same order answers it as it stands and moves nothing.
  const again = await t.client.purchaseUtility({
    id,
    service: 'electricity',
    target: roomId,
    cardNo,
    amount: 3_000,
  });
  assert.equal(again.status, 'completed');
  assert.equal(await available(cardNo), 17_000);
  assert.equal(meter.credits.get(id), 1);
  // The same id for another amount is refused.
  await assert.rejects(
    t.client.purchaseUtility({ id, service: 'electricity', target: roomId, cardNo, amount: 3_001 }),
    { code: 'ID_REUSED' },
  );
  const merchant = await t.client.getMerchant('UTIL-ELECTRICITY');
  assert.ok(merchant.balance >= 3_000);
});

test('when the meter system says the room does not exist, then the hold is voided and nothing is charged', async () => {
  const cardNo = await fundedStudent();
  const roomId = await newRoom();
  meter.setFaults({ roomNotFound: 1 });
  const order = await t.client.purchaseUtility({
    id: orderId(),
    service: 'electricity',
    target: roomId,
    cardNo,
    amount: 2_000,
  });
  assert.equal(order.status, 'failed');
  assert.equal(order.failureCode, 'ROOM_NOT_FOUND');
  assert.equal(await available(cardNo), 20_000);
  assert.equal((await t.client.getCard(cardNo)).balance.mainPending, 0);
  // A room the card centre does not know is refused before any money is held.
  await assert.rejects(
    t.client.purchaseUtility({
      id: orderId(),
      service: 'electricity',
      target: 'NOPE-1',
      cardNo,
      amount: 2_000,
    }),
    { code: 'ROOM_NOT_FOUND' },
  );
});

test('when the answer is lost after the credit, then the order stays held and the reconciliation charges it once', async () => {
  const cardNo = await fundedStudent();
  const roomId = await newRoom();
  const id = orderId();
  meter.setFaults({ timeoutAfterCredit: 1 });
  const order = await t.client.purchaseUtility({
    id,
    service: 'electricity',
    target: roomId,
    cardNo,
    amount: 1_200,
  });
  assert.equal(order.status, 'held');
  const card = await t.client.getCard(cardNo);
  assert.equal(card.balance.main, 20_000 - 1_200, 'held money is not available');
  assert.equal(card.balance.mainPending, 1_200);
  assert.equal(meter.credits.get(id), 1);
  await t.client.reconcileUtilityOrders();
  const settled = await t.client.utilityOrder(id);
  assert.equal(settled.status, 'completed');
  assert.equal(meter.credits.get(id), 1, 'asked by order id, never credited again');
  const after = await t.client.getCard(cardNo);
  assert.equal(after.balance.main, 18_800);
  assert.equal(after.balance.mainPending, 0);
});

test('when the answer is lost before the credit, then the reconciliation resends the same order and it is credited once', async () => {
  const cardNo = await fundedStudent();
  const roomId = await newRoom();
  const id = orderId();
  meter.setFaults({ timeoutBeforeCredit: 1 });
  assert.equal(
    (await t.client.purchaseUtility({ id, service: 'electricity', target: roomId, cardNo, amount: 600 }))
      .status,
    'held',
  );
  assert.equal(meter.credits.get(id), undefined);
  await t.client.reconcileUtilityOrders();
  assert.equal((await t.client.utilityOrder(id)).status, 'completed');
  assert.equal(meter.credits.get(id), 1);
  assert.equal(await available(cardNo), 19_400);
});

test('when the meter system answers the order as a duplicate, then it counts as credited once and is charged once', async () => {
  const cardNo = await fundedStudent();
  const roomId = await newRoom();
  const id = orderId();
  meter.setFaults({ duplicate: 1 });
  const order = await t.client.purchaseUtility({
    id,
    service: 'electricity',
    target: roomId,
    cardNo,
    amount: 900,
  });
  assert.equal(order.status, 'completed');
  assert.equal(meter.credits.get(id), 1);
  assert.equal(await available(cardNo), 19_100);
});

test('when the card cannot pay, then the order is refused and the meter system is never asked', async () => {
  const cardNo = await fundedStudent(500);
  const roomId = await newRoom();
  const id = orderId();
  const order = await t.client.purchaseUtility({
    id,
    service: 'electricity',
    target: roomId,
    cardNo,
    amount: 1_000,
  });
  assert.equal(order.status, 'refused');
  assert.equal(order.failureCode, 'INSUFFICIENT_FUNDS');
  assert.equal(meter.orders.has(id), false);
});

test('when a room falls under its threshold, then everyone living there is told once, and a roommate may pay', async () => {
  const [a, b] = [await fundedStudent(), await fundedStudent()];
  const people = await Promise.all([a, b].map((c) => t.client.getCard(c)));
  const roomId = await newRoom(people.map((p) => p.personNo));
  meter.consume(roomId, 4_500); // 50 kWh → 5 kWh, under the default 10.
  const first = await t.client.checkDormRooms();
  assert.ok(first.alerted >= 1);
  for (const p of people) {
    const notices = (await t.client.personNotices(p.personId)).items.filter(
      (n) => n.kind === 'electricity-low' && n.data?.roomId === roomId,
    );
    assert.equal(notices.length, 1, 'one alert per resident');
    assert.match(notices[0]?.body ?? '', /剩余电量 5\.00 度/);
  }
  await t.client.checkDormRooms();
  const again = (await t.client.personNotices(people[0]?.personId ?? '')).items.filter(
    (n) => n.kind === 'electricity-low' && n.data?.roomId === roomId,
  );
  assert.equal(again.length, 1, 'not told again while it stays low');
  // The roommate pays; the room's balance and usage read live.
  await t.client.purchaseUtility({
    id: orderId(),
    service: 'electricity',
    target: roomId,
    cardNo: b,
    amount: 600,
  });
  const view = await t.client.dormRoom(roomId);
  assert.equal(view.live, true);
  assert.equal(view.balanceKwhCenti, 1_500);
  assert.equal(view.usage.at(-1)?.kwh, '45.00');
  assert.deepEqual(
    (await t.client.dormRooms({ personId: people[0]?.personId })).items.map((r) => r.id),
    [roomId],
  );
});

test('when the network fee is paid, then each billing fault ends charged-and-credited or neither', async () => {
  const cardNo = await fundedStudent();
  const account = (await t.client.getCard(cardNo)).personNo;
  billing.addAccount(account, '测试学生');
  const ok = await t.client.purchaseUtility({
    id: orderId(),
    service: 'network',
    target: account,
    packageId: 'M20',
    cardNo,
    amount: 2_000,
  });
  assert.equal(ok.status, 'completed');
  assert.ok(Number(ok.result?.expiresAtMs) > Date.now());
  // An amount that is not the package's price: refused by the billing system, voided.
  const wrong = await t.client.purchaseUtility({
    id: orderId(),
    service: 'network',
    target: account,
    packageId: 'M20',
    cardNo,
    amount: 1_999,
  });
  assert.equal(wrong.status, 'failed');
  assert.equal(wrong.failureCode, 'PACKAGE_INVALID');
  billing.setFaults({ accountNotFound: 1 });
  const missing = await t.client.purchaseUtility({
    id: orderId(),
    service: 'network',
    target: account,
    packageId: 'M20',
    cardNo,
    amount: 2_000,
  });
  assert.equal(missing.failureCode, 'NETWORK_ACCOUNT_NOT_FOUND');
  const lost = orderId();
  billing.setFaults({ timeoutAfterCredit: 1 });
  assert.equal(
    (
      await t.client.purchaseUtility({
        id: lost,
        service: 'network',
        target: account,
        packageId: 'M50',
        cardNo,
        amount: 3_000,
      })
    ).status,
    'held',
  );
  billing.setFaults({ duplicate: 1 });
  const dup = orderId();
  assert.equal(
    (
      await t.client.purchaseUtility({
        id: dup,
        service: 'network',
        target: account,
        packageId: 'M20',
        cardNo,
        amount: 2_000,
      })
    ).status,
    'completed',
  );
  await t.client.reconcileUtilityOrders();
  assert.equal((await t.client.utilityOrder(lost)).status, 'completed');
  assert.equal(billing.credits.get(lost), 1);
  assert.equal(billing.credits.get(dup), 1);
  assert.equal(await available(cardNo), 20_000 - 2_000 - 3_000 - 2_000);
  const state = await t.client.networkAccount(account);
  assert.equal(state.packageId, 'M20');
});

test('when an order and its hold disagree, then ledger:check names both ways of it', async () => {
  const cardNo = await fundedStudent();
  const roomId = await newRoom();
  const id = orderId();
  await t.client.purchaseUtility({ id, service: 'electricity', target: roomId, cardNo, amount: 700 });
  // A charge without a credit: the order is marked failed, its hold stays posted.
  await t.core.db.execute("UPDATE utility_orders SET status = 'failed' WHERE id = ?", [id]);
  const report = await checkLedger(t.core.db);
  assert.ok(
    report.breaks.some((b) => b.includes(`util:${id}:hold`) && b.includes('failed')),
    report.breaks.join('\n'),
  );
  // A credit without a charge: a completed order whose hold is not posted.
  const other = orderId();
  meter.setFaults({ timeoutBeforeCredit: 1 });
  await t.client.purchaseUtility({ id: other, service: 'electricity', target: roomId, cardNo, amount: 300 });
  await t.core.db.execute("UPDATE utility_orders SET status = 'completed' WHERE id = ?", [other]);
  assert.ok(
    (await checkLedger(t.core.db)).breaks.some((b) => b.includes(`utility order ${other} is completed`)),
  );
  await t.core.db.execute("UPDATE utility_orders SET status = 'completed' WHERE id = ?", [id]);
  await t.core.db.execute("UPDATE utility_orders SET status = 'held' WHERE id = ?", [other]);
  await t.client.reconcileUtilityOrders();
  assert.equal((await t.client.utilityOrder(other)).status, 'completed');
});
