import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningCore, startCore } from '../../core/src/app.ts';
import { CoreClient, type OfflineRecordInput } from '../../core/src/client/index.ts';
import { loadConfig } from '../../core/src/config.ts';
import { createLogger } from '../../core/src/log.ts';
import { clockOffsetMs } from '../clock.ts';
import { nodeArgsFor } from './bundle.ts';
import { migratedDatabase } from './database-template.ts';
import { redisPrefix } from './redis.ts';

/** The service key tests sign with; the core under test accepts it. */
export const testServiceKey = { keyId: 'test', secret: 'test-secret-0123456789abcdef' };

export interface TestCore {
  core: RunningCore;
  client: CoreClient;
  databaseUrl: string;
  /** Its Redis namespace (REDIS_PREFIX): a gateway or BFF beside it takes the same one to hear it. */
  redisPrefix: string;
  stop(): Promise<void>;
}

/**
 * Starts a real core on port 0 against a fresh database, with a signed client, in a Redis namespace of its
 * own unless env names one (REDIS_PREFIX), so test files running at once never hear each other's channels.
 */
export async function startTestCore(
  dialect: 'mysql' | 'sqlite',
  env: Record<string, string> = {},
): Promise<TestCore> {
  const database = await migratedDatabase(dialect);
  const config = loadConfig({
    DATABASE_URL: database.url,
    CORE_PORT: '0',
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PII_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PAY_INTERVAL_MS_MIN: '0',
    // Off unless a test turns it on: a version moved by a timer would race tests that count versions.
    PASSAGE_PEOPLE_FOLLOW_MS: '0',
    REDIS_PREFIX: redisPrefix('core'),
    ...env,
  });
  // The database clock follows the test's clock when the test has shifted it (tests/clock.ts).
  const core = await startCore(config, createLogger('core-test', config.logLevel), { clockOffsetMs });
  const client = new CoreClient({ url: core.url, ...testServiceKey });
  return {
    core,
    client,
    databaseUrl: database.url,
    redisPrefix: config.redisPrefix,
    async stop() {
      await client.close();
      await core.close();
      await database.drop();
    },
  };
}

let serial = 0;
/** A unique id for one test operation. */
export function opId(prefix = 'op'): string {
  serial += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${serial}`;
}

let personSerial = 0;
/** Opens a student card and returns its number. */
export async function openStudent(
  client: CoreClient,
  overrides: { dailyLimit?: number } = {},
): Promise<string> {
  personSerial += 1;
  const card = await client.openCard({
    personNo: `S${process.pid}${Date.now().toString(36)}${personSerial}`.slice(0, 32),
    name: '测试学生',
    type: 'student',
    department: '计算机学院',
    ...overrides,
  });
  return card.cardNo;
}

const coreEntry = new URL('../../core/src/server.ts', import.meta.url).pathname;

/** Starts the core as its own process (a load generator must not share its event loop; a crash test kills it). */
export async function spawnCore(
  env: Record<string, string>,
  port = 20_000 + Math.floor(Math.random() * 20_000),
): Promise<{ url: string; port: number; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.CORE_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CORE_CPU_PROF_DIR}`]
        : []),
      ...(await nodeArgsFor(coreEntry)),
    ],
    {
      // No balancer in front of a spawned core unless the test brings one (it then sets SHUTDOWN_DRAIN_MS).
      env: { ...process.env, CORE_PORT: String(port), LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_MS: '0', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`core exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      await sleep(100);
    }
  }
  return {
    url,
    port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** An offline payment record as the gateway uploads it, with what a test gives; the same fields give the same hash. */
export function offlineRecord(
  fields: Partial<OfflineRecordInput> & { offlineNo: number; sequence: number },
): OfflineRecordInput {
  return {
    recordKind: 'payment',
    decision: 'accepted',
    takenAtMs: Date.now(),
    amount: 100,
    orderNo: 1,
    sessionId: null,
    recordHash: createHash('sha256')
      .update(`${fields.offlineNo}:${fields.sequence}:${fields.amount}`)
      .digest('hex'),
    macOk: true,
    cardNo: null,
    cardVersion: null,
    codeRefusal: null,
    ...fields,
  };
}
