/**
 * npm run bench:core-cpu -w core — the core's and MariaDB's CPU per approved payment on the device gateway's
 * path (issue #20): signed `POST /v1/operations/batch` requests of BENCH_BATCH (32) payments, shaped as the
 * gateway sends them (device id, card version, a code id each), sent by BENCH_LANES (4) closed loops, each
 * with a CoreClient of its own (the client the gateway uses: the payments of one tick travel in one request),
 * so the payments a request stay fixed whatever the machine's load. Each run: a fresh migrated MariaDB
 * database, BENCH_CARDS (4,000) funded cards without a PIN, a real core process (src/server.ts through tsx,
 * with Redis for its nonces and its card-activity PUBLISH), BENCH_WARM_BATCHES (20) batches a lane of
 * warm-up, then BENCH_BATCHES (60) a lane measured. Counted over the measured part: every thread's CPU
 * (/proc/<pid>/task/*\/schedstat, ns) of the core, of MariaDB (the mariadbd process) and of Redis, divided by
 * the approved payments; MariaDB's threads serving the core's connections to the run's database apart (its
 * one thread a connection, found by information_schema.PROCESSLIST's TID: the core's statements alone,
 * without the server's background threads, which a shared server spends for every client); and the
 * server's statements (SHOW GLOBAL STATUS Com_* deltas, server-wide) a batch request. The whole-process
 * MariaDB and Redis figures include any other client's work: take those on a quiet box.
 *
 * CORE_CPU_PROF_DIR=<dir> writes the core's CPU profiles there.
 *
 * A/B: BENCH_AB_ROOT=<another checkout> alternates runs of that core with this tree's (BENCH_B_ROOT for a
 * snapshot of this tree while others edit it), BENCH_RUNS (3) each, and prints the medians.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { migratedDatabase, testServiceKey, threadsCpuUs } from '@campus-card/tests/kit';
import mysql from 'mysql2/promise';
import { CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { createPii } from '../src/pii.ts';
import { seedFundedCards } from './support.ts';

const knobs = {
  cards: Number(process.env.BENCH_CARDS ?? 4_000),
  lanes: Number(process.env.BENCH_LANES ?? 4),
  batch: Number(process.env.BENCH_BATCH ?? 32),
  warmBatches: Number(process.env.BENCH_WARM_BATCHES ?? 20),
  batches: Number(process.env.BENCH_BATCHES ?? 60),
  runs: Number(process.env.BENCH_RUNS ?? 3),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  abRoot: process.env.BENCH_AB_ROOT,
  bRoot: process.env.BENCH_B_ROOT,
};

const piiKeyHex = randomBytes(32).toString('hex');
/** Com_* counters read before and after: the statements MariaDB ran for the batches. */
const statementCounters = [
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_update_multi',
  'Com_commit',
  'Com_begin',
  'Com_set_option',
];

interface Side {
  readonly name: string;
  readonly root: string;
}

interface RunResult {
  readonly side: string;
  readonly coreUs: number;
  readonly databaseUs: number;
  /** MariaDB's threads serving this database's connections: the core's statements, not other clients'. */
  readonly connectionsUs: number;
  readonly redisUs: number;
  readonly approved: number;
  readonly other: number;
  readonly statementsPerBatch: Record<string, number>;
  readonly p50Ms: number;
  readonly load: number;
}

const repoRoot = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const thisSide: Side = {
  name: knobs.bRoot === undefined ? 'B (this tree)' : 'B (BENCH_B_ROOT)',
  root: knobs.bRoot ?? repoRoot,
};

/** The first process whose command name is `comm` (mariadbd, redis-server), if any. */
function pidOf(...comms: string[]): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (comms.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
    } catch {
      // Ended while read.
    }
  }
  return undefined;
}

async function statementCounts(url: string): Promise<Record<string, number>> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [rows] = (await conn.query(`SHOW GLOBAL STATUS WHERE Variable_name IN (?)`, [
      statementCounters,
    ])) as unknown as [{ Variable_name: string; Value: string }[]];
    return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
  } finally {
    await conn.end();
  }
}

/** The server threads (one a connection) serving the connections to one database, by thread id. */
async function connectionThreads(url: string): Promise<number[]> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [rows] = (await conn.query(
      'SELECT TID AS tid FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
    )) as unknown as [{ tid: number }[]];
    return rows.map((r) => Number(r.tid));
  } finally {
    await conn.end();
  }
}

/** CPU time of some threads of a process so far, µs. */
function someThreadsCpuUs(pid: number, tids: readonly number[]): number {
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended.
    }
  }
  return ns / 1000;
}

async function spawnCore(root: string, env: Record<string, string>): Promise<ChildProcess> {
  const profile = process.env.CORE_CPU_PROF_DIR;
  const args = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), '--import', 'tsx'];
  const child = spawn(process.execPath, [...args, `${root}/core/src/server.ts`], {
    cwd: `${root}/core`,
    env: { ...process.env, LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`core exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${env.CORE_PORT}/health`)).ok) return child;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error('the core did not start');
}

/** A port nothing listens on now (a random one can meet an ephemeral port in use). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function run(side: Side, runNo: number): Promise<RunResult> {
  const database = await migratedDatabase('mysql');
  const port = await freePort();
  const seedDb = openDatabase(database.url, { poolMax: 2 });
  let core: ChildProcess | undefined;
  const clients: CoreClient[] = [];
  try {
    const cardNos = await seedFundedCards(seedDb, knobs.cards, 10_000_000);
    core = await spawnCore(side.root, {
      DATABASE_URL: database.url,
      CORE_PORT: String(port),
      CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
      PII_KEY: piiKeyHex,
      PAY_INTERVAL_MS_MIN: '0',
      ...(knobs.redisUrl === ''
        ? {}
        : { REDIS_URL: knobs.redisUrl, REDIS_PREFIX: `bench-core-cpu-${runNo}:` }),
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < knobs.lanes; i++)
      clients.push(new CoreClient({ url, ...testServiceKey, connectionsMax: 2 }));
    const merchant = await (clients[0] as CoreClient).createMerchant({
      name: '压测食堂',
      category: 'canteen',
    });
    // One registered till a lane, as the gateway names them (the ledger share-locks and checks each).
    const pii = createPii(piiKeyHex);
    const deviceIds = Array.from({ length: knobs.lanes }, (_, i) => String(100_001 + i));
    await seedDb.execute(
      `INSERT INTO devices (id, kind, merchant_id, status, key_enc, key_version, created_at_ms) VALUES ${deviceIds.map(() => "(?, 'pos', ?, 'active', ?, 1, ?)").join(', ')}`,
      deviceIds.flatMap((id) => [id, merchant.id, pii.encrypt(randomBytes(32).toString('hex')), Date.now()]),
    );
    let serial = 0;
    const second = Math.floor(Date.now() / 1000);
    const latencies: number[] = [];
    const outcomes = { approved: 0, other: 0, firstOther: '' };
    const lane = async (l: number, batches: number) => {
      const client = clients[l] as CoreClient;
      const deviceId = deviceIds[l] as string;
      for (let b = 0; b < batches; b++) {
        const at = performance.now();
        const answers = await Promise.all(
          Array.from({ length: knobs.batch }, () => {
            const n = serial++;
            const cardNo = cardNos[n % cardNos.length] as string;
            return client.pay({
              id: `dev:${deviceId}:${n + 1}`,
              cardNo,
              merchantId: merchant.id,
              deviceId,
              amount: 1 + (n % 1_000),
              cardVersion: 1,
              codeId: `qr:${cardNo}:${second}:${n}:3f9a0c1d2b4e5f60`,
            });
          }),
        );
        latencies.push(performance.now() - at);
        for (const a of answers) {
          if (a.status === 'ok') outcomes.approved++;
          else {
            outcomes.other++;
            outcomes.firstOther ||= JSON.stringify(a);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: knobs.lanes }, (_, l) => lane(l, knobs.warmBatches)));
    outcomes.approved = 0;
    latencies.length = 0;
    const corePid = core.pid as number;
    const databasePid = pidOf('mariadbd', 'mysqld');
    const redisPid = pidOf('redis-server');
    const load = os.loadavg()[0] as number;
    const countsBefore = await statementCounts(database.url);
    const threads = databasePid === undefined ? [] : await connectionThreads(database.url);
    const before = {
      connections: databasePid === undefined ? Number.NaN : someThreadsCpuUs(databasePid, threads),
      core: threadsCpuUs(corePid),
      database: databasePid === undefined ? Number.NaN : threadsCpuUs(databasePid),
      redis: redisPid === undefined ? Number.NaN : threadsCpuUs(redisPid),
    };
    await Promise.all(Array.from({ length: knobs.lanes }, (_, l) => lane(l, knobs.batches)));
    const after = {
      connections: databasePid === undefined ? Number.NaN : someThreadsCpuUs(databasePid, threads),
      core: threadsCpuUs(corePid),
      database: databasePid === undefined ? Number.NaN : threadsCpuUs(databasePid),
      redis: redisPid === undefined ? Number.NaN : threadsCpuUs(redisPid),
    };
    const countsAfter = await statementCounts(database.url);
    if (outcomes.other > 0) console.log(`    not approved: ${outcomes.other}, e.g. ${outcomes.firstOther}`);
    const requests = knobs.lanes * knobs.batches;
    const a = outcomes.approved;
    return {
      side: side.name,
      coreUs: (after.core - before.core) / a,
      databaseUs: (after.database - before.database) / a,
      connectionsUs: (after.connections - before.connections) / a,
      redisUs: (after.redis - before.redis) / a,
      approved: a,
      other: outcomes.other,
      statementsPerBatch: Object.fromEntries(
        statementCounters.map((c) => [
          c.slice(4),
          ((countsAfter[c] ?? 0) - (countsBefore[c] ?? 0)) / requests,
        ]),
      ),
      p50Ms: median(latencies),
      load,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    if (core && core.exitCode === null) {
      core.kill('SIGTERM');
      await once(core, 'exit');
    }
    await seedDb.close();
    await database.drop();
  }
}

async function main(): Promise<void> {
  console.log(
    `core CPU bench — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}; ` +
      `${knobs.lanes} closed loops of ${knobs.batch}-payment batch requests, ${knobs.batches} measured a loop, ` +
      `${knobs.cards} cards, Redis ${knobs.redisUrl === '' ? 'off' : 'on'}`,
  );
  const sides: Side[] =
    knobs.abRoot === undefined ? [thisSide] : [{ name: 'A (BENCH_AB_ROOT)', root: knobs.abRoot }, thisSide];
  const results: RunResult[] = [];
  for (let i = 0; i < knobs.runs; i++) {
    for (const side of sides) {
      const r = await run(side, i);
      results.push(r);
      const statements = Object.entries(r.statementsPerBatch)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => `${name} ${n.toFixed(1)}`)
        .join(', ');
      console.log(
        `  ${r.side.padEnd(17)} run ${i + 1}: core ${r.coreUs.toFixed(0).padStart(4)} / MariaDB ${r.databaseUs.toFixed(0).padStart(4)} (its connections ${r.connectionsUs.toFixed(0).padStart(3)}) / Redis ${r.redisUs.toFixed(0).padStart(3)} µs a payment ` +
          `(${r.approved} approved${r.other > 0 ? `, ${r.other} other` : ''}; batch p50 ${r.p50Ms.toFixed(1)} ms; ` +
          `a request: ${statements}; load ${r.load.toFixed(2)})`,
      );
    }
  }
  for (const side of sides) {
    const mine = results.filter((r) => r.side === side.name);
    const m = (f: (r: RunResult) => number) => median(mine.map(f)).toFixed(0);
    console.log(
      `  median ${side.name}: core ${m((r) => r.coreUs)} / MariaDB ${m((r) => r.databaseUs)} (its connections ${m((r) => r.connectionsUs)}) / Redis ${m((r) => r.redisUs)} µs a payment ` +
        `(core + MariaDB ${m((r) => r.coreUs + r.databaseUs)}; ${mine.length} runs)`,
    );
  }
}

await main();
