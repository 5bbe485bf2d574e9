import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { migratedDatabase, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { startUtilityStandIn } from '../../mock/utility/server.ts';
import { type Answer, CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * kill -9 the core in the middle of a payment load, restart it on the same database, and show
 * that every acknowledged payment survived, that nothing half-done is left, and that retrying
 * the requests whose answers were lost is safe.
 */
let database: Awaited<ReturnType<typeof migratedDatabase>>;
before(async () => {
  database = await migratedDatabase('mysql');
});
after(() => database.drop());

test('when the core is killed with SIGKILL under load, then every acknowledged payment survives', {
  timeout: 120_000,
}, async () => {
  // Goal: durability of acknowledgements and atomicity of batches across a crash.
  const env = {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
  };
  const first = await spawnCore(env);
  let client = new CoreClient({ url: first.url, ...testServiceKey });
  const merchant = (await client.createMerchant({ name: '一食堂', category: 'canteen' })).id;
  const cards: string[] = [];
  for (let i = 0; i < 20; i++) {
    const card = await client.openCard({
      personNo: `K${Date.now().toString(36)}${i}`,
      name: '学生',
      type: 'student',
      dailyLimit: 200_000,
    });
    await client.topUp({ id: `fund-${i}`, cardNo: card.cardNo, amount: 1_000_000, channel: 'bank' });
    cards.push(card.cardNo);
  }

  const acknowledged = new Map<string, Answer>();
  const unknown: { id: string; cardNo: string; merchantId: string; amount: number }[] = [];
  let serial = 0;
  let killed = false;
  const load = Promise.all(
    Array.from({ length: 16 }, async () => {
      while (!killed) {
        const request = {
          id: `crash-${serial++}`,
          cardNo: cards[randomInt(cards.length)] as string,
          merchantId: merchant,
          amount: 1 + randomInt(500),
        };
        try {
          const answer = await client.pay(request);
          acknowledged.set(request.id, answer);
        } catch {
          unknown.push(request); // The answer was lost with the process: outcome unknown to us.
        }
      }
    }),
  );
  await sleep(1_500);
  killed = true;
  first.child.kill('SIGKILL');
  await load;
  await client.close();
  assert.ok(acknowledged.size > 50, `only ${acknowledged.size} payments acknowledged before the kill`);

  const second = await spawnCore(env);
  client = new CoreClient({ url: second.url, ...testServiceKey });
  const db = openDatabase(database.url);
  try {
    await migrate(db);
    const rows = await db.select<{ id: string; outcome: string }>(
      "SELECT id, outcome FROM operations WHERE id LIKE 'crash-%'",
    );
    const stored = new Map(rows.map((r) => [r.id, r.outcome]));
    for (const [id, answer] of acknowledged) {
      assert.equal(
        stored.get(id),
        answer.status === 'ok' ? 'ok' : (answer as { code: string }).code,
        `acknowledged ${id} lost`,
      );
    }
    assert.deepEqual((await checkLedger(db)).breaks, []);

    // Retrying the requests whose answers were lost is safe: a stored one is replayed, never redone.
    let retriedOk = 0;
    for (const request of unknown) {
      const answer = await client.pay(request);
      assert.equal(answer.replayed, stored.has(request.id), `retry of ${request.id}`);
      if (answer.status === 'ok') retriedOk++;
    }
    assert.deepEqual((await checkLedger(db)).breaks, []);
    const total = await db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM operations WHERE id LIKE 'crash-%' AND outcome = 'ok'",
    );
    const acknowledgedOk = [...acknowledged.values()].filter((a) => a.status === 'ok').length;
    assert.equal(Number(total[0]?.n), acknowledgedOk + retriedOk);
  } finally {
    await db.close();
    await client.close();
    await second.stop();
  }
});

test('when the core is killed in the middle of electricity purchases, then after restart and reconciliation no room is credited without a charge and none charged without a credit', {
  timeout: 120_000,
}, async () => {
  // Goal: the two-phase electricity payment (docs/funds.md) survives kill -9 between the hold, the
  // meter system's credit and the post: every order ends charged-and-credited once, or neither.
  const fresh = await migratedDatabase('mysql');
  const meter = await startUtilityStandIn();
  // Credited at once, answered later: the kill lands while answers are on their way.
  meter.setFaults({ delayMs: 300 });
  const env = {
    DATABASE_URL: fresh.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    UTILITY_URL: meter.url,
    UTILITY_TIMEOUT_MS: '5000',
    UTILITY_RECONCILE_INTERVAL_MS: '3600000',
  };
  const first = await spawnCore(env);
  let client = new CoreClient({ url: first.url, ...testServiceKey });
  const rooms: string[] = [];
  const cards: string[] = [];
  for (let i = 0; i < 8; i++) {
    const roomId = `C${i}-101`;
    meter.addRoom({ roomId, building: `${i}号楼`, roomNo: '101' });
    await client.saveDormRoom(roomId, { building: `${i}号楼`, roomNo: '101' });
    rooms.push(roomId);
    const card = await client.openCard({
      personNo: `E${Date.now().toString(36)}${i}`,
      name: '学生',
      type: 'student',
      dailyLimit: 200_000,
    });
    await client.topUp({ id: `elec-fund-${i}`, cardNo: card.cardNo, amount: 1_000_000, channel: 'bank' });
    cards.push(card.cardNo);
  }
  let serial = 0;
  let killed = false;
  let answered = 0;
  const load = Promise.all(
    Array.from({ length: 12 }, async () => {
      while (!killed) {
        const id = `elec-crash-${serial++}`;
        try {
          await client.purchaseUtility({
            id,
            service: 'electricity',
            target: rooms[randomInt(rooms.length)] as string,
            cardNo: cards[randomInt(cards.length)] as string,
            amount: 100 + randomInt(900),
          });
          answered++;
        } catch {
          // The answer was lost with the process.
        }
      }
    }),
  );
  await sleep(2_000);
  killed = true;
  first.child.kill('SIGKILL');
  await load;
  await client.close();
  assert.ok(answered > 5, `only ${answered} purchases answered before the kill`);

  meter.setFaults({});
  const db = openDatabase(fresh.url);
  // Read before the restart, whose first reconciliation runs at once.
  const open = await db.select<{ n: number }>(
    "SELECT COUNT(*) AS n FROM utility_orders WHERE status IN ('created', 'held', 'credited')",
  );
  assert.ok(Number(open[0]?.n) > 0, 'the kill left some purchase half-done');
  const second = await spawnCore(env);
  client = new CoreClient({ url: second.url, ...testServiceKey });
  try {
    // No purchase call survives the kill, so orders still 'created' may be given up at once.
    await client.reconcileUtilityOrders({ createdGraceMs: 0 });
    const orders = await db.select<{ id: string; status: string; amount: number }>(
      'SELECT id, status, amount FROM utility_orders',
    );
    assert.ok(orders.length > answered - 1);
    const holds = new Map(
      (
        await db.select<{ id: string; status: string; resolved_amount: number | null }>(
          "SELECT id, status, resolved_amount FROM holds WHERE id LIKE 'util:%'",
        )
      ).map((h) => [h.id, h]),
    );
    for (const order of orders) {
      const hold = holds.get(`util:${order.id}:hold`);
      const credited = meter.credits.get(order.id) ?? 0;
      assert.ok(credited <= 1, `${order.id} credited ${credited} times`);
      if (order.status === 'completed') {
        assert.equal(credited, 1, `${order.id} charged without a credit`);
        assert.equal(hold?.status, 'posted');
        assert.equal(Number(hold?.resolved_amount), Number(order.amount));
      } else {
        assert.ok(['failed', 'refused'].includes(order.status), `${order.id} left ${order.status}`);
        assert.equal(credited, 0, `${order.id} credited without a charge`);
        assert.ok(hold === undefined || hold.status === 'voided', `${order.id} hold ${hold?.status}`);
      }
    }
    // Every credit the meter system made belongs to a completed order.
    const completed = new Set(orders.filter((o) => o.status === 'completed').map((o) => o.id));
    for (const orderNo of meter.orders.keys())
      assert.ok(completed.has(orderNo), `${orderNo} credited, not charged`);
    assert.deepEqual((await checkLedger(db)).breaks, []);
  } finally {
    await db.close();
    await client.close();
    await second.stop();
    await meter.close();
    await fresh.drop();
  }
});
