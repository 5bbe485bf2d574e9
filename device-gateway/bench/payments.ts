// Part (a): POS terminals pay at a fixed total rate (open loop: each on its own schedule); prints rates,
// latencies (approved and BUSY apart), outcomes, CPU per payment of each process, and the ledger check.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../core/src/db/database.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import type { Message } from '../src/protocol/index.ts';
import type { BenchDevice } from './bench-device.ts';
import { type CpuSnapshot, cpuSnapshot, type PathPids } from './cpu.ts';
import { options } from './options.ts';
import type { Phone } from './phone.ts';
import { fmt, line, spread, us } from './report.ts';

interface Samples {
  all: number[];
  /** After the warm-up seconds. */
  steady: number[];
  approved: number[];
  busy: number[];
  outcomes: Map<string, number>;
}

function outcomeOf(reply: Message): string {
  if (reply.kind === 'pay_declined') return `declined ${reply.reason}`;
  if (reply.kind === 'error') return `error ${reply.code}`;
  return reply.kind;
}

/** Each terminal pays every `intervalMs` until the end, a fresh code each time, never waiting for answers. */
async function load(
  pos: readonly BenchDevice[],
  phones: readonly Phone[],
): Promise<{ samples: Samples; elapsedS: number }> {
  const samples: Samples = { all: [], steady: [], approved: [], busy: [], outcomes: new Map() };
  const intervalMs = (1000 * pos.length) / options.rate;
  const startedAt = performance.now();
  const endAt = startedAt + options.seconds * 1000;
  const steadyFrom = startedAt + options.warmupSeconds * 1000;
  let sent = 0;
  await Promise.all(
    pos.map(async (device) => {
      await sleep(Math.random() * intervalMs);
      const inFlight: Promise<void>[] = [];
      while (performance.now() < endAt) {
        const phone = phones[Math.floor(Math.random() * phones.length)] as Phone;
        const started = performance.now();
        sent += 1;
        const answer = device
          .request({
            kind: 'pay',
            code: { kind: 'qr', text: phone.code(Date.now()) },
            amountFen: 1,
            orderNo: sent,
            itemNo: 0,
          })
          .then((reply) => {
            const ms = performance.now() - started;
            samples.all.push(ms);
            if (started >= steadyFrom) samples.steady.push(ms);
            if (reply.kind === 'pay_approved') samples.approved.push(ms);
            if (reply.kind === 'error' && reply.code === 'BUSY') samples.busy.push(ms);
            const key = outcomeOf(reply);
            samples.outcomes.set(key, (samples.outcomes.get(key) ?? 0) + 1);
          });
        inFlight.push(answer);
        await sleep(Math.max(0, started + intervalMs - performance.now()));
      }
      await Promise.all(inFlight);
    }),
  );
  return { samples, elapsedS: (performance.now() - startedAt) / 1000 };
}

/** Requests the core answered on a route so far, from its /metrics. */
async function coreRequests(coreUrl: string, route: string): Promise<number> {
  const text = await (await fetch(`${coreUrl}/metrics`)).text();
  let total = 0;
  for (const row of text.split('\n')) {
    if (row.startsWith('http_requests_total{') && row.includes(`route="${route}"`)) {
      total += Number(row.slice(row.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** The gateway's own view of part (a), from its /metrics (prom-client's event-loop delay resets at each scrape). */
interface GatewayView {
  approvedSeconds: number;
  approvedCount: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

async function gatewayView(metricsUrl: string): Promise<GatewayView | undefined> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const sample = (name: string, label = '') => {
      const row = text
        .split('\n')
        .find((r) => r.startsWith(name) && (label === '' || r.includes(label)) && !r.startsWith('#'));
      return row === undefined ? Number.NaN : Number(row.slice(row.lastIndexOf(' ') + 1));
    };
    // No approved payment yet: no row for it.
    const count = (name: string, label: string) => {
      const value = sample(name, label);
      return Number.isNaN(value) ? 0 : value;
    };
    return {
      approvedSeconds: count('gateway_payment_seconds_sum', 'result="approved"'),
      approvedCount: count('gateway_payment_seconds_count', 'result="approved"'),
      loopP50Ms: sample('nodejs_eventloop_lag_p50_seconds') * 1000,
      loopP99Ms: sample('nodejs_eventloop_lag_p99_seconds') * 1000,
      loopMaxMs: sample('nodejs_eventloop_lag_max_seconds') * 1000,
    };
  } catch {
    return undefined;
  }
}

/**
 * Where an answer's time goes: an approved payment's mean time inside the gateway (frame decoded → answer
 * made, its handler) against its mean end to end, and how late each event loop ran its callbacks during the
 * run (a frame, a BUSY's included, waits about that long to be read when the gateway is saturated). The
 * loops are sampled by a 10 ms timer, whose interval is what is printed: 10 ms is on time.
 */
function printWhereTimeGoes(
  before: GatewayView | undefined,
  after: GatewayView | undefined,
  approved: readonly number[],
  loadLoop: ReturnType<typeof monitorEventLoopDelay>,
): void {
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  if (before !== undefined && after !== undefined) {
    const count = after.approvedCount - before.approvedCount;
    const inside = ((after.approvedSeconds - before.approvedSeconds) / count) * 1000;
    const endToEnd = approved.reduce((sum, x) => sum + x, 0) / approved.length;
    line(
      '  approved: mean end to end / in the gateway handler',
      `${endToEnd.toFixed(1)} / ${inside.toFixed(1)} ms`,
    );
    line(
      'gateway event-loop tick, 10 ms on time, p50 / p99 / max',
      `${after.loopP50Ms.toFixed(1)} / ${after.loopP99Ms.toFixed(1)} / ${after.loopMaxMs.toFixed(1)} ms`,
    );
  } else line('gateway event-loop tick', 'not read (its /metrics did not answer)');
  line(
    'load generator event-loop tick p50 / p99 / max',
    `${ms(loadLoop.percentile(50))} / ${ms(loadLoop.percentile(99))} / ${ms(loadLoop.max)} ms`,
  );
}

function printCpu(before: CpuSnapshot, after: CpuSnapshot, approved: number, pids: PathPids): void {
  const perPayment = (key: keyof CpuSnapshot) => (after[key] - before[key]) / approved;
  const gateway = perPayment('gateway');
  const core = perPayment('core');
  const database = perPayment('database');
  const loadGenerator = perPayment('loadGenerator');
  line(
    'CPU per payment: gateway / core / MariaDB / load gen',
    `${us(gateway)} / ${us(core)} / ${us(database)} / ${us(loadGenerator)}`,
  );
  line(
    '  total of the four / without the load generator',
    `${us(gateway + core + database + loadGenerator)} / ${us(gateway + core + database)}`,
  );
  line(
    '  MariaDB pid (its CPU for every client counts)',
    pids.database === undefined ? 'not found (set BENCH_MYSQLD_PID)' : String(pids.database),
  );
}

export async function runPayments(
  pos: readonly BenchDevice[],
  phones: readonly Phone[],
  pids: PathPids,
  db: Database,
  coreUrl: string,
  gatewayMetricsUrl: string,
): Promise<void> {
  const batchRoute = '/v1/operations/batch';
  const batchesBefore = await coreRequests(coreUrl, batchRoute);
  const viewBefore = await gatewayView(gatewayMetricsUrl);
  const loadLoop = monitorEventLoopDelay({ resolution: 10 });
  loadLoop.enable();
  const cpuBefore = cpuSnapshot(pids);
  const { samples, elapsedS } = await load(pos, phones);
  const cpuAfter = cpuSnapshot(pids);
  loadLoop.disable();
  const viewAfter = await gatewayView(gatewayMetricsUrl);
  const batches = (await coreRequests(coreUrl, batchRoute)) - batchesBefore;
  for (const list of [samples.all, samples.steady, samples.approved, samples.busy])
    list.sort((a, b) => a - b);
  const approved = samples.outcomes.get('pay_approved') ?? 0;
  console.log(
    `(a) ${fmt(pos.length)} POS terminals, offered ${fmt(options.rate)} payments/s for ${options.seconds} s`,
  );
  line('payments answered', fmt(samples.all.length));
  line('approved payments/s', `${fmt(approved / elapsedS)} /s`);
  line('end-to-end latency p50 / p99 / max', spread(samples.all));
  line(`  after the first ${options.warmupSeconds} s p50 / p99 / max`, spread(samples.steady));
  line('  approved payments p50 / p99 / max', spread(samples.approved));
  line('  BUSY refusals p50 / p99 / max', spread(samples.busy));
  printWhereTimeGoes(viewBefore, viewAfter, samples.approved, loadLoop);
  line('outcomes', [...samples.outcomes].map(([k, v]) => `${k} ${fmt(v)}`).join(', '));
  // The gateway's money calls made in one tick travel in one signed request (core/src/client/transport.ts).
  line(
    'core batch requests / approved payments a request',
    `${fmt(batches)} / ${(approved / batches).toFixed(1)}`,
  );
  printCpu(cpuBefore, cpuAfter, approved, pids);
  // Nothing charged without an approval: every account still balances after the run.
  const { breaks } = await checkLedger(db);
  line('ledger check (breaks found, 0 expected)', String(breaks.length));
}
