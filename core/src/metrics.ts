// Prometheus metrics shared by the core, the BFF and the gateway (docs/operations.md, "Metrics and
// health"). One registry per service instance, so tests running several in one process stay apart.
// HTTP requests are labelled by the matched route TEMPLATE (/cards/:cardNo), never by the raw path,
// which would carry card numbers and openids into a monitoring system that keeps them for months.

import type { Middleware } from 'koa';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A registry with the process metrics (CPU, memory, event-loop lag, GC) and a `service` label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Latency buckets in seconds: a payment answers in milliseconds, a report in seconds. */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Counts requests and records their latency by method, route template and status. A request no
 * route matched is labelled `unmatched`, so a scan of random paths cannot grow the label set.
 */
export function httpMetrics(registry: Registry): Middleware {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const labels = {
        method: methods.has(ctx.method) ? ctx.method : 'OTHER',
        route: typeof matched === 'string' ? matched : 'unmatched',
        status: String(ctx.status),
      };
      requests.inc(labels);
      latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}

/** The exposition text of a registry, for a GET /metrics handler. */
export function metricsEndpoint(registry: Registry): Middleware {
  return async (ctx) => {
    ctx.set('Content-Type', registry.contentType);
    ctx.body = await registry.metrics();
  };
}
