import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { migratedDatabase, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * kill -9 the core while it posts a subsidy batch, start it again on the same database, and show
 * that it finishes the batch by itself and that every person got the subsidy exactly once.
 */
let database: Awaited<ReturnType<typeof migratedDatabase>>;
before(async () => {
  database = await migratedDatabase('mysql');
});
after(() => database.drop());

test('when the core is killed with SIGKILL mid-post, then on restart the batch finishes and nobody is paid twice', {
  timeout: 180_000,
}, async () => {
  // Goal: the sub:<batch>:<row> ids make posting resumable across a crash.
  const rowCount = 400;
  const env = {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    // One operation per transaction: posting is slow enough to be caught half way.
    LEDGER_BATCH_SIZE_MAX: '1',
    LEDGER_EXECUTORS: '1',
  };
  const first = await spawnCore(env);
  let client = new CoreClient({ url: first.url, ...testServiceKey });
  const stamp = Date.now().toString(36);
  const rows: { personNo: string; amount: string }[] = [];
  const cards: string[] = [];
  for (let i = 0; i < rowCount; i++) {
    const personNo = `X${stamp}${i}`;
    const card = await client.openCard({ personNo, name: '学生', type: 'student' });
    cards.push(card.cardNo);
    rows.push({ personNo, amount: `${1 + (i % 7)}.${String(i % 100).padStart(2, '0')}` });
  }
  const expected = rows.map((r) => Math.round(Number(r.amount) * 100));
  const batch = await client.createSubsidyBatch({ title: '崩溃测试', createdBy: 'maker', source: { rows } });
  assert.equal(batch.validCount, rowCount);
  await client.postSubsidyBatch(batch.id, 'maker');

  const db = openDatabase(database.url);
  try {
    const paidSoFar = async () =>
      Number(
        (
          await db.select<{ n: unknown }>('SELECT COUNT(*) AS n FROM operations WHERE id LIKE ?', [
            `sub:${batch.id}:%`,
          ])
        )[0]?.n,
      );
    for (let i = 0; i < 2_000 && (await paidSoFar()) === 0; i++) await sleep(5);
    first.child.kill('SIGKILL');
    await client.close();
    const atKill = await paidSoFar();
    assert.ok(atKill > 0 && atKill < rowCount, `killed with ${atKill} of ${rowCount} rows paid`);

    const second = await spawnCore(env);
    client = new CoreClient({ url: second.url, ...testServiceKey });
    try {
      let status = '';
      for (let i = 0; i < 600 && status !== 'posted'; i++) {
        status = (await client.subsidyBatch(batch.id, { limit: 1 })).status;
        if (status !== 'posted') await sleep(100);
      }
      const done = await client.subsidyBatch(batch.id, { limit: 1 });
      assert.deepEqual([done.status, done.postedCount, done.failedCount], ['posted', rowCount, 0]);
      assert.equal(await paidSoFar(), rowCount);
      const balances = await Promise.all(cards.map(async (c) => (await client.getCard(c)).balance.subsidy));
      assert.deepEqual(balances, expected);
      assert.equal(
        done.postedAmount,
        expected.reduce((s, a) => s + a, 0),
      );
      assert.deepEqual((await checkLedger(db)).breaks, []);
    } finally {
      await client.close();
      await second.stop();
    }
  } finally {
    await db.close();
  }
});
