// Part (a): POS terminals pay at a fixed total rate (open loop: each on its own schedule, made and signed
// ahead by load.ts); prints rates, latencies (approved and BUSY apart), outcomes, CPU per payment of each
// process, a second-by-second timeline, and the ledger check.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Database } from '../../core/src/db/database.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import type { BenchDevice } from './bench-device.ts';
import { type CpuSnapshot, cpuSnapshot, type PathPids } from './cpu.ts';
import { type LoadPlan, type LoadRun, outcomeCodes, planLoad, sendLoad, untilStart } from './load.ts';
import { options } from './options.ts';
import type { Phone } from './phone.ts';
import { bar, fmt, line, percentile, spread, us } from './report.ts';

/** The run's latencies, sorted, by outcome and time. */
interface Samples {
  all: number[];
  /** Sent after the warm-up seconds. */
  steady: number[];
  approved: number[];
  busy: number[];
  outcomes: Map<string, number>;
}

/** The gateway drops a till silent for three heartbeats (90 s here): warn well before. */
const silenceWarningMs = 60_000;

const ascending = (a: number, b: number) => a - b;

function samplesOf(run: LoadRun): Samples {
  const samples: Samples = { all: [], steady: [], approved: [], busy: [], outcomes: new Map() };
  const steadyFrom = run.startedAt + options.warmupSeconds * 1000;
  let unanswered = 0;
  for (let i = 0; i < run.outcome.length; i += 1) {
    const ms = run.latencyMs[i] as number;
    const outcome = run.outcome[i];
    if (outcome === outcomeCodes.unanswered) {
      unanswered += 1;
      continue;
    }
    samples.all.push(ms);
    if ((run.sentAt[i] as number) >= steadyFrom) samples.steady.push(ms);
    if (outcome === outcomeCodes.approved) samples.approved.push(ms);
    if (outcome === outcomeCodes.busy) samples.busy.push(ms);
  }
  for (const list of [samples.all, samples.steady, samples.approved, samples.busy]) list.sort(ascending);
  if (samples.approved.length > 0) samples.outcomes.set('pay_approved', samples.approved.length);
  if (samples.busy.length > 0) samples.outcomes.set('error BUSY', samples.busy.length);
  for (const [kind, n] of run.otherKinds) samples.outcomes.set(kind, n);
  if (unanswered > 0) samples.outcomes.set('no answer', unanswered);
  return samples;
}

/**
 * Part (a) second by second, by when the payments were sent: approved, BUSY and other answers, the
 * approved ones' p50 / p99, and a bar of the approved, so warm-up and overload show.
 */
function printTimeline(run: LoadRun): void {
  const seconds = Math.ceil(options.seconds);
  const approvedMs = Array.from({ length: seconds }, () => [] as number[]);
  const busy = new Array<number>(seconds).fill(0);
  const other = new Array<number>(seconds).fill(0);
  for (let i = 0; i < run.outcome.length; i += 1) {
    const second = Math.min(seconds - 1, Math.floor(((run.sentAt[i] as number) - run.startedAt) / 1000));
    const outcome = run.outcome[i];
    if (outcome === outcomeCodes.approved) approvedMs[second]?.push(run.latencyMs[i] as number);
    else if (outcome === outcomeCodes.busy) busy[second] = (busy[second] as number) + 1;
    else other[second] = (other[second] as number) + 1;
  }
  const most = Math.max(1, ...approvedMs.map((list) => list.length));
  console.log(
    '  second by second, by when a payment was sent (other: declined, errors but BUSY, no answer):',
  );
  console.log(
    `  ${'s'.padStart(4)} ${'approved'.padStart(9)} ${'BUSY'.padStart(7)} ${'other'.padStart(6)}  approved p50 / p99 ms`,
  );
  approvedMs.forEach((list, second) => {
    list.sort(ascending);
    const p50p99 = list.length
      ? `${percentile(list, 0.5).toFixed(0)} / ${percentile(list, 0.99).toFixed(0)}`
      : '-';
    console.log(
      `  ${String(second).padStart(4)} ${fmt(list.length).padStart(9)} ${fmt(busy[second] as number).padStart(7)} ${fmt(other[second] as number).padStart(6)}  ${p50p99.padEnd(13)} ${bar(list.length, most, 30)}`,
    );
  });
}

/** How late the timer sent the payments after their planned times. */
function sendLag(run: LoadRun, plan: LoadPlan): number[] {
  const lag = Array.from(run.sentAt, (at, i) => at - run.startedAt - (plan.atMs[i] as number));
  return lag.sort(ascending);
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

function printCpu(
  before: CpuSnapshot,
  after: CpuSnapshot,
  approved: number,
  sent: number,
  pids: PathPids,
): void {
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
  // Its work is per payment sent, approved or not: this one does not move with the approval rate.
  line('  load generator per payment sent', us((after.loadGenerator - before.loadGenerator) / sent));
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
  const plan = planLoad(pos, phones, options.rate, options.seconds);
  const lateMs = await untilStart(plan);
  const batchRoute = '/v1/operations/batch';
  const batchesBefore = await coreRequests(coreUrl, batchRoute);
  const viewBefore = await gatewayView(gatewayMetricsUrl);
  const loadLoop = monitorEventLoopDelay({ resolution: 10 });
  loadLoop.enable();
  const cpuBefore = cpuSnapshot(pids);
  const run = await sendLoad(pos, plan);
  const cpuAfter = cpuSnapshot(pids);
  loadLoop.disable();
  const viewAfter = await gatewayView(gatewayMetricsUrl);
  const batches = (await coreRequests(coreUrl, batchRoute)) - batchesBefore;
  const samples = samplesOf(run);
  const approved = samples.approved.length;
  console.log(
    `(a) ${fmt(pos.length)} POS terminals, offered ${fmt(options.rate)} payments/s for ${options.seconds} s`,
  );
  line(
    'codes and frames made ahead: payments / time / each',
    `${fmt(plan.atMs.length)} / ${(plan.signingMs / 1000).toFixed(1)} s / ${us((plan.signingMs * 1000) / plan.atMs.length)}`,
  );
  // Codes are dated at their planned send times: a late start makes them older when sent (90 s at most).
  if (lateMs > 1000)
    line('  started late by (codes that much older when sent)', `${(lateMs / 1000).toFixed(1)} s`);
  // The tills send nothing while their payments are made: past the gateway's silence limit it drops them.
  if (plan.signingMs > silenceWarningMs) {
    line(
      '  WARNING: tills silent while signing ahead',
      `${(plan.signingMs / 1000).toFixed(0)} s (limit 90 s)`,
    );
  }
  line('sent after the planned time p50 / p99 / max', spread(sendLag(run, plan)));
  line('payments answered', fmt(samples.all.length));
  line('approved payments/s', `${fmt(approved / run.elapsedS)} /s`);
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
  printCpu(cpuBefore, cpuAfter, approved, plan.atMs.length, pids);
  printTimeline(run);
  // Nothing charged without an approval: every account still balances after the run.
  const { breaks } = await checkLedger(db);
  line('ledger check (breaks found, 0 expected)', String(breaks.length));
}
