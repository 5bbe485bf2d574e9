// Counters an operator watches: connections, sign-ins, requests by kind, pushes, and every ERROR the
// gateway sent by code (bad frames, bad MACs, floods, timeouts). In memory per instance, bounded by the
// fixed set of names; logged once a minute, and scraped in the Prometheus format from the optional
// GATEWAY_HEALTH_PORT listener (docs/operations.md, "Metrics and health") with the device sessions,
// payments by outcome, the blacklist version and the payments in flight. No card or device number is
// ever a label.

import { createServer, type Server } from 'node:http';
import { runChecks } from '@campus-card/core/health';
import { Counter, createMetricsRegistry, Gauge, Histogram, type Registry } from '@campus-card/core/metrics';

/** What the gauges read when scraped. */
export interface GatewayGauges {
  signedInSessions(): number;
  connections(): number;
  blacklistVersion(): number;
  paymentsInFlight(): number;
  paymentsInFlightMax(): number;
  workSliceWaitMs(): number;
}

/**
 * A labelled counter kept as a plain map and handed to Prometheus when scraped: a frame then costs a map
 * update, not prom-client's label hashing and checks (several a payment; issue #20).
 */
function scrapedCounter(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  values: ReadonlyMap<string, number>,
): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, count] of values) this.inc({ [label]: value }, count);
    },
  });
}

export class GatewayMetrics {
  private readonly counters = new Map<string, number>();
  private readonly outcomes = new Map<string, number>();
  readonly registry: Registry = createMetricsRegistry('device-gateway');

  private readonly paymentSeconds = new Histogram({
    name: 'gateway_payment_seconds',
    help: "A payment's time at this instance, from its frame read to its answer, by result: approved, declined or error",
    labelNames: ['result'] as const,
    // A till waits 5 s; BUSY answers within milliseconds (docs/protocol.md).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  constructor() {
    scrapedCounter(
      this.registry,
      'gateway_events_total',
      'Gateway events by name: connections, sign_ins, requests.<kind>, pushes.<kind>, errors.<code> …',
      'event',
      this.counters,
    );
    scrapedCounter(
      this.registry,
      'gateway_payments_total',
      'Payments answered, by outcome: approved, a decline reason, or error',
      'outcome',
      this.outcomes,
    );
  }

  inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  /**
   * One payment answered after `seconds`: `approved`, the decline's reason (a fixed protocol set), or
   * `error`.
   */
  payment(outcome: string, seconds: number): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    const result = outcome === 'approved' || outcome === 'error' ? outcome : 'declined';
    this.paymentSeconds.observe({ result }, seconds);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** Every counter, sorted by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Gauges read at each scrape from the running gateway. */
  watch(gauges: GatewayGauges): void {
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge('gateway_device_sessions', 'Devices signed in at this instance', gauges.signedInSessions);
    gauge('gateway_connections', 'TCP connections open at this instance', gauges.connections);
    gauge('gateway_blacklist_version', 'Blacklist version this instance holds', gauges.blacklistVersion);
    gauge('gateway_payments_in_flight', 'Payments admitted and not yet answered', gauges.paymentsInFlight);
    gauge('gateway_payments_in_flight_max', 'GATEWAY_INFLIGHT_MAX', gauges.paymentsInFlightMax);
    gauge(
      'gateway_work_slice_wait_seconds',
      'How long the oldest request waiting for a work slice has waited; past GATEWAY_BACKLOG_MAX_MS payments are refused BUSY',
      () => gauges.workSliceWaitMs() / 1000,
    );
  }
}

/**
 * The optional HTTP side (GATEWAY_HEALTH_HOST:GATEWAY_HEALTH_PORT): GET /metrics, /health/live (the
 * process answers) and /health/ready (every check ok, else 503). Nothing else is served.
 */
export async function startHealthListener(
  host: string,
  port: number,
  registry: Registry,
  checks: Record<string, () => Promise<void>>,
): Promise<Server> {
  const server = createServer((request, response) => {
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const answer = async () => {
      if (request.method !== 'GET') return json(405, { status: 'method_not_allowed' });
      if (request.url === '/metrics') {
        const text = await registry.metrics();
        response.writeHead(200, { 'content-type': registry.contentType }).end(text);
        return;
      }
      if (request.url === '/health/live') return json(200, { status: 'ok' });
      if (request.url === '/health/ready') {
        const { ready, checks: results } = await runChecks(checks);
        return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks: results });
      }
      return json(404, { status: 'not_found' });
    };
    answer().catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
