/**
 * npm run bench:gateway-cpu -w device-gateway — the gateway's own CPU per payment, measured so that a
 * shared machine disturbs it little: the real gateway (src/server.ts, its own process: codec, session,
 * admission, the PAY handler, the credential verifier with a fresh Ed25519 check per payment, the Redis
 * replay guard, the batched signed call to the core) against a core stand-in that approves at once
 * (core-stand-in.ts, in this process), so no core or MariaDB competes for the cores. Only the gateway
 * process's CPU time counts (every thread's, over the measured payments, divided by them).
 *
 * Each run: a fresh gateway, BENCH_POS (200) tills sign in, every one of BENCH_CARDS (500) cards pays once
 * (warm-up: certificates and phone keys seen once, code compiled), then BENCH_PAYMENTS (3,000) payments are
 * measured, sent by BENCH_LANES (4) closed loops (round-robin over the cards and tills): at most that many
 * meet in one gateway tick, so the batching does not drift with the machine's load. The CPU is read from
 * every thread's schedstat (ns). Codes are signed before the measured part, so this process stays light.
 *
 * A/B: BENCH_AB_ROOT=/tmp/old (a checkout of another commit, e.g. `git archive HEAD | tar -x -C /tmp/old`
 * with node_modules linked) alternates runs of that gateway and this one, BENCH_RUNS (5) each, and prints
 * each run and the medians; BENCH_AB_ROOT=/work/main with BENCH_NODE_OPTIONS_B=… compares a Node flag on the
 * same code. Without it, BENCH_RUNS runs of this gateway. BENCH_REDIS_URL ('' for the in-memory replay
 * guard), GATEWAY_CPU_PROF_DIR (CPU profiles of the gateway) as in bench:gateway.
 */

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadsCpuUs } from '@campus-card/tests/kit';
import type { Message } from '../src/protocol/index.ts';
import { type BenchDevice, connectMany } from './bench-device.ts';
import { type CoreStandIn, startCoreStandIn } from './core-stand-in.ts';
import { campusKey } from './options.ts';
import { bindPhone, type Phone } from './phone.ts';
import { freePort, spawnGateway } from './processes.ts';
import { fmt } from './report.ts';

const knobs = {
  pos: Number(process.env.BENCH_POS ?? 200),
  cards: Number(process.env.BENCH_CARDS ?? 500),
  payments: Number(process.env.BENCH_PAYMENTS ?? 3_000),
  lanes: Number(process.env.BENCH_LANES ?? 4),
  runs: Number(process.env.BENCH_RUNS ?? 5),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  abRoot: process.env.BENCH_AB_ROOT,
  /** B's checkout instead of this tree (a snapshot, while others edit this tree). */
  bRoot: process.env.BENCH_B_ROOT,
};

interface Side {
  readonly name: string;
  readonly entry: string;
  /** NODE_OPTIONS for this side's gateway (BENCH_NODE_OPTIONS_B: e.g. a V8 flag tried against none). */
  readonly nodeOptions?: string | undefined;
}

interface RunResult {
  readonly side: string;
  readonly gatewayUs: number;
  readonly approved: number;
  readonly other: number;
  readonly opsPerBatch: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly load: number;
}

const thisSide: Side = {
  name: knobs.bRoot === undefined ? 'B (this tree)' : 'B (BENCH_B_ROOT)',
  entry:
    knobs.bRoot === undefined
      ? new URL('../src/server.ts', import.meta.url).pathname
      : `${knobs.bRoot}/device-gateway/src/server.ts`,
  nodeOptions: process.env.BENCH_NODE_OPTIONS_B,
};

/**
 * Pays `codes` over `lanes` closed loops (each sends its next payment when the last is answered, through the
 * tills in turn), so at most `lanes` payments meet in one gateway tick however fast or starved the gateway
 * is: its batching, and so its CPU per payment, does not drift with the machine's load.
 */
async function drive(
  tills: readonly BenchDevice[],
  codes: readonly string[],
  lanes: number,
): Promise<{ replies: Message[]; latenciesMs: number[] }> {
  const replies: Message[] = [];
  const latenciesMs: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < codes.length) {
        const i = next++;
        const at = performance.now();
        const reply = await (tills[i % tills.length] as BenchDevice).request({
          kind: 'pay',
          code: { kind: 'qr', text: codes[i] as string },
          amountFen: 1,
          orderNo: i + 1,
          itemNo: 0,
        });
        replies.push(reply);
        latenciesMs.push(performance.now() - at);
      }
    }),
  );
  return { replies, latenciesMs };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function run(
  side: Side,
  standIn: CoreStandIn,
  devices: readonly { deviceId: number; key: Uint8Array }[],
  phones: readonly Phone[],
): Promise<RunResult> {
  const port = await freePort();
  const gateway: ChildProcess = await spawnGateway(
    {
      CORE_URL: standIn.url,
      CORE_KEY_ID: 'bench',
      CORE_SECRET: 'bench-secret-0123456789abcdef',
      CAMPUS_KEYS: `1:${Buffer.from(campusKey.publicKey).toString('hex')}`,
      ...(knobs.redisUrl === '' ? {} : { REDIS_URL: knobs.redisUrl }),
      HEARTBEAT_INTERVAL_SECONDS: '90',
      GATEWAY_WARM_UP_MS: '0',
      GATEWAY_INFLIGHT_MAX: '10000',
      // CPU, not overload, is measured: admission.ts's backlog bound would refuse part of the warm-up's
      // burst BUSY.
      GATEWAY_BACKLOG_MAX_MS: '0',
      LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
      ...(side.nodeOptions === undefined ? {} : { NODE_OPTIONS: side.nodeOptions }),
    },
    port,
    side.entry,
  );
  try {
    const tills = await connectMany(port, devices, 'pos', 50);
    // Warm-up: each card once (certificates and phone keys imported, code compiled).
    const warm = await drive(
      tills,
      phones.map((phone) => phone.code(Date.now())),
      knobs.lanes,
    );
    const notApproved = warm.replies.filter((r) => r.kind !== 'pay_approved');
    if (notApproved.length > 0) throw new Error(`warm-up: ${JSON.stringify(notApproved[0])}`);
    const nowMs = Date.now();
    const codes = Array.from({ length: knobs.payments }, (_, i) =>
      (phones[i % phones.length] as Phone).code(nowMs),
    );
    const load = os.loadavg()[0] as number;
    const batchesBefore = { ...standIn.counts };
    const pid = gateway.pid as number;
    const cpuBefore = threadsCpuUs(pid);
    const measured = await drive(tills, codes, knobs.lanes);
    const cpuUs = threadsCpuUs(pid) - cpuBefore;
    for (const till of tills) till.close();
    const approved = measured.replies.filter((r) => r.kind === 'pay_approved').length;
    const sorted = measured.latenciesMs.sort((a, b) => a - b);
    const batches = standIn.counts.batches - batchesBefore.batches;
    const operations = standIn.counts.operations - batchesBefore.operations;
    return {
      side: side.name,
      gatewayUs: cpuUs / approved,
      approved,
      other: measured.replies.length - approved,
      opsPerBatch: operations / batches,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      load,
    };
  } finally {
    gateway.kill('SIGTERM');
    if (gateway.exitCode === null) await once(gateway, 'exit');
  }
}

async function main(): Promise<void> {
  console.log(
    `gateway CPU bench — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}; ` +
      `${fmt(knobs.pos)} tills, ${fmt(knobs.cards)} cards, ${fmt(knobs.payments)} payments in ${knobs.lanes} closed loops a run, ` +
      `replay guard ${knobs.redisUrl === '' ? 'in memory' : 'Redis'}`,
  );
  const devices = Array.from({ length: knobs.pos }, (_, i) => ({
    deviceId: 100_001 + i,
    key: new Uint8Array(randomBytes(32)),
  }));
  const phones = await Promise.all(
    // Card numbers as bench:gateway's seeded cards have them (12 digits).
    Array.from({ length: knobs.cards }, (_, i) => bindPhone(`9${String(i + 1).padStart(11, '0')}`)),
  );
  const standIn = await startCoreStandIn(devices, 'M-BENCH');
  const sides: Side[] =
    knobs.abRoot === undefined
      ? [thisSide]
      : [{ name: 'A (BENCH_AB_ROOT)', entry: `${knobs.abRoot}/device-gateway/src/server.ts` }, thisSide];
  const results: RunResult[] = [];
  try {
    for (let i = 0; i < knobs.runs; i++) {
      for (const side of sides) {
        const result = await run(side, standIn, devices, phones);
        results.push(result);
        console.log(
          `  ${result.side.padEnd(16)} run ${i + 1}: gateway ${result.gatewayUs.toFixed(0).padStart(4)} µs a payment` +
            ` (${fmt(result.approved)} approved${result.other > 0 ? `, ${fmt(result.other)} other` : ''}; ` +
            `${result.opsPerBatch.toFixed(1)} a core request; p50 / p99 ${result.p50Ms.toFixed(1)} / ${result.p99Ms.toFixed(1)} ms; ` +
            `load ${result.load.toFixed(2)})`,
        );
        await sleep(500);
      }
    }
  } finally {
    await standIn.close();
  }
  for (const side of sides) {
    const mine = results.filter((r) => r.side === side.name).map((r) => r.gatewayUs);
    console.log(
      `  median ${side.name}: ${median(mine).toFixed(0)} µs a payment (min ${Math.min(...mine).toFixed(0)}, max ${Math.max(...mine).toFixed(0)}, ${mine.length} runs)`,
    );
  }
}

await main();
