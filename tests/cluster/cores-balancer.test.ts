import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { migratedDatabase, redisPrefix, redisUrl, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { CoreClient } from '../../core/src/client/index.ts';
import { openDatabase } from '../../core/src/db/database.ts';
import { assertAcknowledgedOnce } from '../kit/acknowledged.ts';
import { latencyMs, seedBank, startBankWorkload } from '../kit/bank-workload.ts';

/**
 * Three cores on one database behind HAProxy (deploy/haproxy/cores.cfg, started by
 * `deploy/local/cluster.sh cores-lb`), the callers (the core client the BFFs and gateways use) on the
 * balancer's one address, under the bank workload:
 *   1. a rolling restart: each core in turn gets SIGTERM (readiness 503 while it still serves, HAProxy
 *      takes it out, it answers what it holds and exits 0), a new one starts on its port and HAProxy
 *      takes it back; no request fails at all;
 *   2. kill -9 of one core: the callers' requests it held lose their answers and are sent again under
 *      the same ids, through the balancer, to the others.
 * Afterwards every acknowledged operation is stored once with its answer, every balance is what the
 * answers say and the ledger check is clean. Run with `npm run cluster:test` (not part of `npm test`).
 */
const execFileAsync = promisify(execFile);
const script = new URL('../../deploy/local/cluster.sh', import.meta.url).pathname;
const clusterDir = `/tmp/campus-card-cores-lb-${process.pid}`;
const balancerPort = 24_000 + randomInt(2_000);
const corePorts = [0, 1, 2].map((i) => 26_000 + randomInt(2_000) * 3 + i);
const workers = Number(process.env.BALANCER_WORKERS ?? 12);
const cardsCount = 30;
const seed = 100_000;
const retryDeadlineMs = 30_000;
const drainMs = 5_000;

const note = (what: string) =>
  console.error(`[cores-balancer ${new Date().toISOString().slice(11, 19)}] ${what}`);

async function cluster(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('bash', [script, ...args], {
    env: { ...process.env, CLUSTER_DIR: clusterDir },
    timeout: 60_000,
  });
  return stdout.trim();
}

type Core = Awaited<ReturnType<typeof spawnCore>>;
let database: Awaited<ReturnType<typeof migratedDatabase>>;
const cores: Core[] = [];
let env: Record<string, string>;

/** A core on its fixed port, ready (spawnCore waits for /health; readiness may come later when loaded). */
async function startCore(i: number): Promise<Core> {
  const core = await spawnCore(env, corePorts[i]);
  cores[i] = core;
  for (let t = 0; ; t++) {
    const ok = await fetch(`${core.url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return core;
    assert.ok(t < 600 && core.child.exitCode === null, 'core not ready after 60 s');
    await sleep(100);
  }
}

/** HAProxy's view of each core: 2 UP, 0 DOWN (cluster.sh cores-lb status). */
async function upCount(): Promise<number> {
  const lines = (await cluster('cores-lb', 'status')).split('\n');
  return lines.filter((l) => l.includes('op_state=2')).length;
}

async function waitUp(n: number, withinMs: number): Promise<number> {
  const startedMs = Date.now();
  while ((await upCount()) !== n) {
    assert.ok(Date.now() - startedMs < withinMs, `HAProxy does not see ${n} cores up`);
    await sleep(100);
  }
  return Date.now() - startedMs;
}

before(async () => {
  database = await migratedDatabase('mysql');
  env = {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix('cores-lb'),
    LOG_LEVEL: 'silent',
    SHUTDOWN_DRAIN_MS: String(drainMs),
  };
  for (let i = 0; i < 3; i++) {
    await startCore(i);
    note(`core ${i} ready`);
  }
  await cluster('cores-lb', 'up', String(balancerPort), ...corePorts.map((p) => `127.0.0.1:${p}`));
  await waitUp(3, 10_000);
  note('balancer up');
});
after(async () => {
  for (const core of cores)
    if (core && core.child.exitCode === null && core.child.signalCode === null) await core.stop();
  await cluster('down').catch(() => {});
  await database?.drop();
});

/** The bank workload through the balancer until stop(); every lost answer retried under the same id. */
async function workload(label: string) {
  const url = `http://127.0.0.1:${balancerPort}`;
  const admin = new CoreClient({ url, ...testServiceKey });
  const { merchants, cards } = await seedBank(admin, { label: `lb-${label}`, cardsCount, seed });
  const load = startBankWorkload({
    label: `lb-${label}`,
    merchants,
    cards,
    callers: workers,
    // No retry inside the client: the test sees every lost answer and retries it itself.
    clientsOf: () => [new CoreClient({ url, ...testServiceKey, lostAnswerRetriesMax: 0 })],
    duplicates: false,
    retryDeadlineMs,
    retryPauseMs: 50,
  });
  return {
    done: load.done,
    errors: load.errors,
    async stop() {
      await load.stop();
      await admin.close();
      const all = [...load.done.values()];
      return {
        answered: all.length,
        p50Ms: latencyMs(all, 0.5),
        p99Ms: latencyMs(all, 0.99),
        maxMs: latencyMs(all, 1),
      };
    },
    async check() {
      const db = openDatabase(database.url);
      const reader = new CoreClient({ url, ...testServiceKey });
      try {
        await assertAcknowledgedOnce({
          db,
          done: load.done,
          idLike: `lb-${label}-w%`,
          cards,
          seed,
          balanceOf: async (cardNo) => {
            const card = await reader.getCard(cardNo);
            return card.balance.main + card.balance.subsidy;
          },
        });
      } finally {
        await reader.close();
        await db.close();
      }
    },
  };
}

test('when each of three cores behind HAProxy is restarted in turn with SIGTERM under the bank workload, then no request fails and every acknowledged operation is stored once', {
  timeout: 300_000,
}, async () => {
  const load = await workload('roll');
  note('rolling: workload running');
  await sleep(2_000);
  const restarts: { core: number; exitCode: number | null; stopMs: number; backInMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const old = cores[i] as Core;
    const startedMs = Date.now();
    old.child.kill('SIGTERM');
    await once(old.child, 'exit');
    const stopMs = Date.now() - startedMs;
    await startCore(i);
    await waitUp(3, 20_000);
    const backInMs = Date.now() - startedMs;
    restarts.push({ core: i, exitCode: old.child.exitCode, stopMs, backInMs });
    note(`core ${i} restarted: ${JSON.stringify(restarts.at(-1))}`);
    await sleep(1_000);
  }
  const figures = await load.stop();
  console.log(
    `rolling restart of 3 cores behind HAProxy: ${JSON.stringify({ ...figures, failedAttempts: Object.fromEntries(load.errors), restarts })}`,
  );
  for (const r of restarts) {
    assert.equal(r.exitCode, 0, `core ${r.core} exited cleanly`);
    assert.ok(r.stopMs >= drainMs, `core ${r.core} drained ${drainMs} ms before stopping`);
  }
  assert.deepEqual(Object.fromEntries(load.errors), {}, 'no request failed during the rolling restart');
  assert.ok(figures.answered > 100, `the workload ran (${figures.answered} answered)`);
  await load.check();
});

test('when one of three cores behind HAProxy is killed with SIGKILL under the bank workload, then the callers go on through the balancer and no acknowledged operation is lost or doubled', {
  timeout: 180_000,
}, async () => {
  const load = await workload('kill');
  await sleep(2_000);
  const victim = cores[1] as Core;
  const killedAtMs = Date.now();
  victim.child.kill('SIGKILL');
  await once(victim.child, 'exit');
  const outMs = await waitUp(2, 10_000);
  await sleep(4_000);
  const figures = await load.stop();
  const afterKill = [...load.done.values()].filter((d) => d.sentAtMs > killedAtMs + outMs + 500);
  console.log(
    `one of 3 cores killed behind HAProxy: ${JSON.stringify({ ...figures, markedDownAfterMs: outMs, answeredAfterMarkedDown: afterKill.length, failedAttempts: Object.fromEntries(load.errors), retried: [...load.done.values()].filter((d) => d.failedAttempts > 0).length })}`,
  );
  assert.ok(afterKill.length > 50, 'the callers are served after the kill');
  assert.ok(
    afterKill.every((d) => d.failedAttempts === 0),
    'once HAProxy has marked it down, no request fails',
  );
  await load.check();
  await startCore(1);
});
