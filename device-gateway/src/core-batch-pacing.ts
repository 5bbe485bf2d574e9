// When the gateway's batch request to the core leaves (issue #20). The core's cost is mostly per request
// and per ledger transaction (docs/benchmarks.md, bench:core-cpu: 124 µs of core and 95 µs of MariaDB CPU
// a payment at 11 payments a request against 90 and 76 at 32), and a gateway at 1,500 payments a second
// that sends each turn's payments at once sends 3 a request. So a batch request leaves at most every
// `intervalMs`: the first payment after a quiet spell goes at once (the last request left long ago), and
// under load each request carries what came in during the interval, at most `intervalMs` more of wait.
// Within that, it also waits for the work slices still queued (up to `sliceWaitMs`, work-slices.ts), whose
// payments would otherwise miss it.

import type { WorkSlices } from './work-slices.ts';

export class CoreBatchPacing {
  private lastLeftAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly slices: Pick<WorkSlices, 'whenDrained'>,
    /** GATEWAY_CORE_BATCH_INTERVAL_MS: the least time between two batch requests' departures. */
    private readonly intervalMs: number,
    /** GATEWAY_CORE_BATCH_WAIT_MS: how long a due request waits, at most, for the queued work slices. */
    private readonly sliceWaitMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The core client's scheduleFlush: `flush` sends the operations queued by then as one request. */
  readonly schedule = (flush: () => void): void => {
    const leave = () => {
      this.lastLeftAtMs = this.now();
      flush();
    };
    const dueInMs = this.lastLeftAtMs + this.intervalMs - this.now();
    if (dueInMs <= 0) this.slices.whenDrained(leave, this.sliceWaitMs);
    else setTimeout(() => this.slices.whenDrained(leave, this.sliceWaitMs), dueInMs);
  };
}
