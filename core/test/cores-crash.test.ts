import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { migratedDatabase, redisPrefix, redisUrl, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { assertAcknowledgedOnce } from '../../tests/kit/acknowledged.ts';
import { seedBank, startBankWorkload } from '../../tests/kit/bank-workload.ts';
import { CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';

/**
 * Several core instances on one database (#18): the bank workload (payments, top-ups, refunds and
 * duplicate retries) against three cores at once, kill -9 of one of them in the middle. Its callers
 * move to the others (as a load balancer would) and resend every request whose answer was lost under
 * the same id. Afterwards every acknowledged operation is stored once with the outcome its caller was
 * told, nothing is stored that no caller was told, every balance is what the acknowledgements say, and
 * the ledger check is clean. The Galera variant (a database node killed under two cores) is
 * tests/cluster/failover.test.ts.
 */
const coresCount = 3;
const workersPerCore = 6;
const cardsCount = 30;
const seed = 100_000;
const retryDeadlineMs = 30_000;

let database: Awaited<ReturnType<typeof migratedDatabase>>;
before(async () => {
  database = await migratedDatabase('mysql');
});
after(() => database.drop());

/** spawnCore stops waiting after 20 s; a loaded machine may need longer to start a core. */
async function ready(core: Awaited<ReturnType<typeof spawnCore>>): Promise<void> {
  const ok = () =>
    fetch(`${core.url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
  for (let t = 0; !(await ok()); t++) {
    assert.ok(t < 600 && core.child.exitCode === null, 'core not ready after 60 s');
    await sleep(100);
  }
}

test('when one of three cores on one database is killed with SIGKILL under the bank workload, then the others serve its callers and no acknowledged operation is lost or doubled', {
  timeout: 180_000,
}, async () => {
  const env = {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    // One Redis namespace for the three, as one deployment: their periodic jobs share its locks.
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix('cores'),
    LOG_LEVEL: 'silent',
  };
  const cores: Awaited<ReturnType<typeof spawnCore>>[] = [];
  // Every lost answer reaches the caller at once (no retry inside the client), so the test sees each.
  const clientOf = (c: number) =>
    new CoreClient({ url: cores[c]?.url as string, ...testServiceKey, lostAnswerRetriesMax: 0 });
  let setup: CoreClient | undefined;
  try {
    for (let i = 0; i < coresCount; i++) {
      const core = await spawnCore(env);
      cores.push(core);
      await ready(core);
    }
    const admin = clientOf(1);
    setup = admin;
    const { merchants, cards } = await seedBank(admin, { label: 'ncore', cardsCount, seed });
    const killed = 0;
    // Caller i belongs to core ⌊i / workersPerCore⌋; when a request to it fails, it moves to the next.
    const coreOf = (caller: number) => Math.floor(caller / workersPerCore);
    const load = startBankWorkload({
      label: 'ncore',
      merchants,
      cards,
      callers: coresCount * workersPerCore,
      clientsOf: (caller) => cores.map((_, i) => clientOf((coreOf(caller) + i) % coresCount)),
      duplicates: true,
      retryDeadlineMs,
      retryPauseMs: 50,
    });

    await sleep(3_000);
    const killedAtMs = Date.now();
    const victim = cores[killed] as (typeof cores)[number];
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    await sleep(5_000);
    await load.stop();

    const all = [...load.done.values()];
    const afterKill = all.filter((d) => d.sentAtMs > killedAtMs + 1_000);
    const movedCallers = load.movedFromFirst
      .filter((_, caller) => coreOf(caller) === killed)
      .reduce((a, b) => a + b, 0);
    console.log(
      `three cores, one killed: ${JSON.stringify({
        answered: all.length,
        beforeKill: all.filter((d) => d.sentAtMs < killedAtMs).length,
        sentAfterKill: afterKill.length,
        retriedAfterALostAnswer: all.filter((d) => d.failedAttempts > 0).length,
        committedButAnswerLost: load.lostAnswers(),
        callersMoved: movedCallers,
        failedAttempts: Object.fromEntries(load.errors),
      })}`,
    );

    assert.equal(victim.child.signalCode, 'SIGKILL', 'the core was killed');
    for (const core of cores.slice(1)) assert.equal(core.child.exitCode, null, 'the other cores still run');
    assert.equal(movedCallers, workersPerCore, 'every caller of the killed core moved to another');
    assert.ok(
      afterKill.some((d) => coreOf(d.caller) === killed),
      "the killed core's callers are served by the others",
    );

    const db = openDatabase(database.url);
    try {
      await assertAcknowledgedOnce({
        db,
        done: load.done,
        idLike: 'ncore-w%',
        cards,
        seed,
        balanceOf: async (cardNo) => {
          const card = await admin.getCard(cardNo);
          return card.balance.main + card.balance.subsidy;
        },
      });
    } finally {
      await db.close();
    }
  } finally {
    await setup?.close();
    // The killed one has exited already (stop() would wait for an exit that came before).
    for (const core of cores)
      if (core.child.exitCode === null && core.child.signalCode === null) await core.stop();
  }
});
