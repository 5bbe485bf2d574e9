import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { freshDatabase, spawnCore, testServiceKey } from './support.ts';

/**
 * kill -9 the core in the middle of a payment load, restart it on the same database, and show
 * that every acknowledged payment survived, that nothing half-done is left, and that retrying
 * the requests whose answers were lost is safe.
 */
let database: Awaited<ReturnType<typeof freshDatabase>>;
before(async () => {
  database = await freshDatabase('mysql');
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
