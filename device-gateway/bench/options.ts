// The bench's knobs, from the environment (docs/benchmarks.md, "Device gateway").

import { randomBytes } from 'node:crypto';
import { campusSigningKeyFromSecret } from '../../core/src/credential/index.ts';

export const options = {
  posCount: Number(process.env.BENCH_POS ?? 1_000),
  rate: Number(process.env.BENCH_RATE ?? 3_000),
  seconds: Number(process.env.BENCH_SECONDS ?? 15),
  /** The first seconds of (a) are also reported apart: connections, JIT and caches warming up. */
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 3),
  idleCount: Number(process.env.BENCH_IDLE ?? 10_000),
  lossesCount: Number(process.env.BENCH_LOSSES ?? 5),
  cardsCount: Number(process.env.BENCH_CARDS ?? 2_000),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** BENCH_MYSQLD_PID: the database server whose CPU counts, when it cannot be found by its port. */
  mysqldPid: process.env.BENCH_MYSQLD_PID ? Number(process.env.BENCH_MYSQLD_PID) : undefined,
  /** GATEWAY_CPU_PROF_DIR=/tmp/prof writes a CPU profile of the gateway when it stops. */
  gatewayCpuProfDir: process.env.GATEWAY_CPU_PROF_DIR,
} as const;

export const serviceKey = { keyId: 'bench', secret: 'bench-secret-0123456789abcdef' };
export const piiKeyHex = randomBytes(32).toString('hex');
export const campusKey = campusSigningKeyFromSecret(1, new Uint8Array(32).fill(9));
