import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { spawnCore, testServiceKey } from '@campus-card/tests/kit';
import mysql from 'mysql2/promise';
import { CoreClient } from '../../core/src/client/index.ts';
import { openDatabase } from '../../core/src/db/database.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { assertAcknowledgedOnce } from '../kit/acknowledged.ts';
import { latencyMs, seedBank, startBankWorkload } from '../kit/bank-workload.ts';

/**
 * The bank workload against two core instances on a real 3-node MariaDB Galera cluster behind
 * HAProxy (deploy/local/cluster.sh), with kill -9 of the node HAProxy writes to (or of another
 * node) in the middle.
 * Every request whose answer was lost (connection cut, 500 during the stall) is retried with the
 * SAME operation id until it is answered; afterwards every acknowledged operation is stored once
 * with its effect, every balance is what the acknowledgements say, and the ledger check is clean
 * on every node. Run with `npm run cluster:test` (not part of `npm test`).
 */
const execFileAsync = promisify(execFile);
const script = new URL('../../deploy/local/cluster.sh', import.meta.url).pathname;
const clusterDir = process.env.CLUSTER_DIR ?? '/tmp/campus-card-cluster';
const proxy = 'mysql://app:app@127.0.0.1:3310';
const nodeUrls = [1, 2, 3].map((i) => `mysql://app:app@127.0.0.1:331${i}`);
const workersPerCore = Number(process.env.FAILOVER_WORKERS ?? 8);
const loadBeforeKillMs = 4_000;
const loadAfterKillMs = Number(process.env.FAILOVER_AFTER_MS ?? 12_000);
const retryDeadlineMs = 60_000;
const cardsCount = 40;
const seed = 100_000;

async function cluster(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('bash', [script, ...args], {
    env: { ...process.env, CLUSTER_DIR: clusterDir },
    timeout: 180_000,
  });
  return stdout.trim();
}

const cores: Awaited<ReturnType<typeof spawnCore>>[] = [];

/** spawnCore gives up waiting after 20 s; migrating on Galera takes longer. */
async function healthy(core: Awaited<ReturnType<typeof spawnCore>>) {
  cores.push(core); // stopped by after() whatever happens next
  for (let i = 0; i < 1_200; i++) {
    if (core.child.exitCode !== null) throw new Error(`core exited with ${core.child.exitCode}`);
    const ok = await fetch(`${core.url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      cores.pop();
      return core;
    }
    await sleep(100);
  }
  throw new Error('core not healthy after 120 s');
}
before(async () => {
  await cluster('up');
});
after(async () => {
  for (const core of cores) await core.stop();
  if (process.env.KEEP_CLUSTER === '1') return;
  await cluster('down');
});

test(
  'when the Galera node HAProxy writes to is killed -9 under the bank workload on two cores, then service continues and no acknowledged operation is lost or doubled',
  {
    timeout: 600_000,
  },
  () => bankUnderKill('writer'),
);

test(
  'when a Galera node HAProxy does not write to is killed -9 under the bank workload, then writes stall briefly on the same writer and no acknowledged operation is lost or doubled',
  {
    timeout: 600_000,
  },
  () => bankUnderKill('replica'),
);

/** The bank workload on a fresh schema, two cores, kill -9 of the writer or of another node. */
async function bankUnderKill(target: 'writer' | 'replica'): Promise<void> {
  const schema = `cc_failover_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection(proxy);
  await admin.query(`CREATE DATABASE ${schema} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const env = {
    DATABASE_URL: `${proxy}/${schema}`,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    REDIS_URL: 'redis://127.0.0.1:6381',
    // The cores log every lost connection; the test counts them from the clients' side instead.
    LOG_LEVEL: process.env.CORE_LOG_LEVEL ?? 'silent',
  };
  // The first core migrates the schema (a minute on Galera: every DDL is a cluster-wide
  // total-order operation), the second starts on the migrated one.
  cores.push(await healthy(await spawnCore(env)));
  cores.push(await healthy(await spawnCore(env)));
  const setup = new CoreClient({ url: cores[0]?.url as string, ...testServiceKey });
  try {
    const { merchants, cards } = await seedBank(setup, { label: 'fo', cardsCount, seed });
    const startedAtMs = Date.now();
    // Each core's callers stay on it (a lost answer is retried on the same core).
    const load = startBankWorkload({
      label: 'fo',
      merchants,
      cards,
      callers: cores.length * workersPerCore,
      clientsOf: (caller) => [
        new CoreClient({
          url: cores[Math.floor(caller / workersPerCore)]?.url as string,
          ...testServiceKey,
          connectionsMax: 2,
        }),
      ],
      duplicates: true,
      retryDeadlineMs,
      retryPauseMs: 100,
    });

    await sleep(loadBeforeKillMs);
    const writer = await cluster('writer');
    assert.match(writer, /^n[123]$/, 'HAProxy has a writer');
    const victim = target === 'writer' ? writer : (['n1', 'n2', 'n3'].find((n) => n !== writer) as string);
    const killedAtMs = Date.now();
    await cluster('kill', victim.slice(1));
    await sleep(loadAfterKillMs);
    await load.stop();
    const newWriter = await cluster('writer');
    if (target === 'writer') assert.notEqual(newWriter, victim, 'HAProxy moved the writes to another node');
    else assert.equal(newWriter, writer, 'the writer stays when another node dies');

    // ---- Figures -------------------------------------------------------------------------------
    const all = [...load.done.values()].sort((a, b) => a.answeredAtMs - b.answeredAtMs);
    const before = all.filter((d) => d.answeredAtMs < killedAtMs);
    const rateBefore = before.length / ((killedAtMs - startedAtMs) / 1000);
    const after = all.filter((d) => d.sentAtMs > killedAtMs + 8_000);
    // The write gap: the longest time without any answer around the kill, and when answers resumed.
    let gapMs = 0;
    let resumedAtMs = killedAtMs;
    let previous = killedAtMs;
    for (const d of all.filter((x) => x.answeredAtMs >= killedAtMs)) {
      if (d.answeredAtMs - previous > gapMs) {
        gapMs = d.answeredAtMs - previous;
        resumedAtMs = d.answeredAtMs;
      }
      previous = d.answeredAtMs;
    }
    // Recovered: the first 1 s window after the kill answering at least half the rate before it.
    let recoveredAtMs = Number.NaN;
    for (let t = killedAtMs; t < killedAtMs + loadAfterKillMs; t += 100) {
      const n = all.filter((d) => d.answeredAtMs >= t && d.answeredAtMs < t + 1_000).length;
      if (t >= resumedAtMs - 1_000 && n >= rateBefore / 2) {
        recoveredAtMs = t;
        break;
      }
    }
    const retried = all.filter((d) => d.failedAttempts > 0);
    const delayed = all.filter((d) => d.answeredAtMs - d.sentAtMs > 1_000);
    const figures = {
      cores: cores.length,
      clients: cores.length * workersPerCore,
      killed: victim,
      newWriter,
      operationsAnswered: all.length,
      ratePerSecondBeforeKill: Math.round(rateBefore),
      rateAfterRecovery: Math.round(
        after.length /
          Math.max(0.001, (Math.max(...after.map((d) => d.answeredAtMs)) - killedAtMs - 8_000) / 1000),
      ),
      p50MsBefore: latencyMs(before, 0.5),
      p99MsBefore: latencyMs(before, 0.99),
      p50MsAfter: latencyMs(after, 0.5),
      p99MsAfter: latencyMs(after, 0.99),
      refusedThenRetried: retried.length,
      failedAttempts: Object.fromEntries(load.errors),
      delayedOver1s: delayed.length,
      longestWaitMs: Math.max(...all.map((d) => d.answeredAtMs - d.sentAtMs)),
      noAnswerGapMs: gapMs,
      answersResumedAfterMs: resumedAtMs - killedAtMs,
      recoveredAfterMs: recoveredAtMs - killedAtMs,
      committedButAnswerLost: load.lostAnswers(),
    };

    // ---- Checks --------------------------------------------------------------------------------
    for (const core of cores) assert.equal(core.child.exitCode, null, 'both cores still run');
    assert.ok(after.length > 0, 'payments are answered after the failover');
    // Galera re-forms in 3–6 s here (evs.suspect_timeout 2 s); far longer means the failover broke.
    assert.ok(gapMs < 15_000, `no answer for ${gapMs} ms after the kill`);
    const db = openDatabase(`${proxy}/${schema}`);
    try {
      await assertAcknowledgedOnce({
        db,
        done: load.done,
        idLike: 'fo-w%',
        cards,
        seed,
        balanceOf: async (cardNo) => {
          const card = await setup.getCard(cardNo);
          return card.balance.main + card.balance.subsidy;
        },
      });
    } finally {
      await db.close();
    }

    // The killed node rejoins (IST) and holds exactly the same books as the survivors.
    const rejoinStartMs = Date.now();
    await cluster('rejoin', victim.slice(1));
    const rejoinMs = Date.now() - rejoinStartMs;
    // No failback: the returning node does not become a second writer.
    assert.equal(
      await cluster('writer'),
      newWriter,
      'writes stay on the new writer after the old one rejoins',
    );
    const digests: string[] = [];
    for (const url of nodeUrls) {
      const node = openDatabase(`${url}/${schema}`);
      try {
        assert.deepEqual((await checkLedger(node)).breaks, [], `ledger check on ${url}`);
        const [r] = await node.select<{ n: number; s: number }>(
          'SELECT COUNT(*) AS n, SUM(debits_posted) + SUM(credits_posted) AS s FROM accounts',
        );
        const [o] = await node.select<{ n: number }>('SELECT COUNT(*) AS n FROM operations');
        digests.push(`${o?.n}/${r?.n}/${r?.s}`);
      } finally {
        await node.close();
      }
    }
    assert.equal(new Set(digests).size, 1, `the three nodes agree: ${digests.join(' ')}`);

    // npm run ledger:check, as an operator runs it, through HAProxy.
    const check = await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/ledger-check.ts'], {
      cwd: new URL('../../core/', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: `${proxy}/${schema}`, LOG_LEVEL: 'silent' },
    });
    assert.match(check.stdout, /OK:/);

    console.log(`failover figures (${target} killed): ${JSON.stringify({ ...figures, rejoinMs }, null, 2)}`);
  } finally {
    await setup.close();
    for (const core of cores.splice(0)) await core.stop();
  }
}
