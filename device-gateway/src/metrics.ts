// Counters an operator watches: connections, sign-ins, requests by kind, pushes, and every ERROR the
// gateway sent by code (bad frames, bad MACs, floods, timeouts). In memory per instance, bounded by the
// fixed set of names; logged once a minute and readable from the running gateway.

export class GatewayMetrics {
  private readonly counters = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /** Every counter, sorted by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}
