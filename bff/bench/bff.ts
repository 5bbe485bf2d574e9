/**
 * npm run bench:bff — authenticated reads through the BFF, each part in its own process: MariaDB,
 * Redis, the core (spawned), the BFF (spawned) and this load generator, all on the same machine.
 *
 * Seeds BENCH_STUDENTS students (card, top-up, a few payments), logs each in through the
 * code2session stand-in and binds them, then for BENCH_SECONDS per phase drives BENCH_CLIENTS
 * concurrent callers (closed loop), each request as a random student with their own token:
 *   (a) GET /api/v1/card — the balance read (JWT, session and binding in Redis, one core call);
 *   (b) GET /api/v1/transactions?limit=20 — the first page of the bill.
 * Prints requests/s and p50/p99 per phase. Figures go to docs/benchmarks.md, "BFF".
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, spawnCore } from '@campus-card/tests/kit';
import { Pool } from 'undici';
import { CoreClient } from '../../core/src/client/index.ts';
import { startLoginStandIn } from '../../mock/wechat/login/server.ts';

const studentsCount = Number(process.env.BENCH_STUDENTS ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const clientLevels = (process.env.BENCH_CLIENTS ?? '32,128').split(',').map(Number);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const serviceKey = { keyId: 'bench', secret: 'bench-secret-0123456789abcdef' };
const appId = 'wxbench0000000000';
const appSecret = 'bench-app-secret';

async function spawnBff(
  env: Record<string, string>,
  port: number,
): Promise<{ url: string; child: ChildProcess }> {
  const profile = process.env.BFF_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BFF_CPU_PROF_DIR}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', new URL('../src/server.ts', import.meta.url).pathname],
    {
      env: { ...process.env, ...env, BFF_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`bff exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) return { url, child };
    } catch {
      await sleep(100);
    }
  }
  throw new Error('bff did not start');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** Closed loop: `clients` callers each send the next request as soon as the last is answered. */
async function drive(pool: Pool, clients: number, tokens: string[], path: string) {
  const latencies: number[] = [];
  let failures = 0;
  const endAt = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < endAt) {
        const token = tokens[Math.floor(Math.random() * tokens.length)] as string;
        const start = performance.now();
        const response = await pool.request({
          method: 'GET',
          path,
          headers: { authorization: `Bearer ${token}` },
        });
        await response.body.text();
        if (response.statusCode !== 200) failures += 1;
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    perSecond: Math.round(latencies.length / seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
  };
}

const database = await freshDatabase('mysql');
// One Redis namespace for the core and the BFF (the BFF hears the core's card activity there).
const redisPrefix = `cc-bench-${randomBytes(4).toString('hex')}:`;
const corePort = 21_000 + Math.floor(Math.random() * 5_000);
const core = await spawnCore(
  {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${serviceKey.keyId}:${serviceKey.secret}`,
    PII_KEY: randomBytes(32).toString('hex'),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    PAY_INTERVAL_MS_MIN: '0',
  },
  corePort,
);
const login = await startLoginStandIn({ apps: { [appId]: appSecret }, requestsPerSecondMax: 100_000 });
const bff = await spawnBff(
  {
    CORE_URL: core.url,
    CORE_KEY_ID: serviceKey.keyId,
    CORE_KEY_SECRET: serviceKey.secret,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    WECHAT_LOGIN_URL: login.baseUrl,
    WECHAT_APPID: appId,
    WECHAT_APP_SECRET: appSecret,
    RATE_USER_PER_MIN: '1000000',
    RATE_IP_PER_MIN: '100000000',
    BINDING_CACHE_MS: '600000',
  },
  corePort + 5_000,
);
const client = new CoreClient({ url: core.url, ...serviceKey });
const pool = new Pool(bff.url, { connections: 256, pipelining: 1 });
try {
  const merchant = await client.createMerchant({ name: '一食堂', category: 'canteen' });
  const tokens: string[] = [];
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await pool.request({
      method: 'POST',
      path,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    const json = (await response.body.json()) as Record<string, unknown>;
    if (response.statusCode >= 300)
      throw new Error(`${path}: ${response.statusCode} ${JSON.stringify(json)}`);
    return json;
  };
  const setupStart = performance.now();
  for (let from = 0; from < studentsCount; from += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, studentsCount - from) }, async (_, i) => {
        const personNo = `BENCH${from + i}${randomBytes(3).toString('hex')}`;
        const card = await client.openCard({
          personNo,
          name: '压测学生',
          type: 'student',
          idNumber: '11010519491231002X',
        });
        await client.topUp({ id: randomUUID(), cardNo: card.cardNo, amount: 100_000, channel: 'cash' });
        for (let k = 0; k < 5; k++)
          await client.pay({
            id: randomUUID(),
            cardNo: card.cardNo,
            merchantId: merchant.id,
            amount: 100 + k,
          });
        const { code } = login.mintCode(appId);
        const session = await post('/api/v1/session', { code });
        await post(
          '/api/v1/binding',
          { personNo, name: '压测学生', secret: '31002X' },
          session.accessToken as string,
        );
        tokens.push(session.accessToken as string);
      }),
    );
  }
  console.log(
    `seeded ${tokens.length} bound students in ${((performance.now() - setupStart) / 1000).toFixed(1)} s; ${os.cpus().length} cores`,
  );
  const rows: string[] = [];
  // Reference: the same balance read straight from the core, what the BFF adds its work to.
  const cardNos = await Promise.all(
    tokens.slice(0, 50).map(async (token) => {
      const response = await pool.request({
        method: 'GET',
        path: '/api/v1/card',
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.body.json()) as { cardNo: string }).cardNo;
    }),
  );
  for (const clients of clientLevels) {
    const latencies: number[] = [];
    const endAt = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < endAt) {
          const start = performance.now();
          await client.getCard(cardNos[Math.floor(Math.random() * cardNos.length)] as string);
          latencies.push(performance.now() - start);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    rows.push(
      `| core alone (GET /v1/cards/:cardNo) | ${clients} | ${Math.round(latencies.length / seconds).toLocaleString('en')} | ${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} | 0 |`,
    );
    console.log(rows.at(-1));
  }
  for (const [name, path] of [
    ['balance (GET /card)', '/api/v1/card'],
    ['bill page (GET /transactions?limit=20)', '/api/v1/transactions?limit=20'],
  ] as const) {
    await drive(pool, 16, tokens, path); // warm-up: JIT, connection pools, binding cache
    for (const clients of clientLevels) {
      const r = await drive(pool, clients, tokens, path);
      rows.push(
        `| ${name} | ${clients} | **${r.perSecond.toLocaleString('en')}** | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | ${r.failures} |`,
      );
      console.log(rows.at(-1));
    }
  }
  console.log(
    '\n| read | concurrent callers | requests/s | p50 / p99 ms | non-200 |\n|---|---:|---:|---:|---:|',
  );
  for (const row of rows) console.log(row);
} finally {
  await pool.close();
  await client.close();
  bff.child.kill('SIGTERM');
  if (bff.child.exitCode === null) await once(bff.child, 'exit');
  await login.close();
  await core.stop();
  await database.drop();
}
