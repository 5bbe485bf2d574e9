// Admission control (protocol § 7.9, BUSY): past its capacity the gateway refuses a new payment at once
// instead of queueing it behind others until the till's 5 s timeout, which would make the till retry or go
// offline and so make the overload worse. Little's law sizes the bound: payments in flight = payments per
// second × time each takes, so at a capacity of 2,000/s a bound of 400 keeps the wait near 200 ms.
//
// Warm-up (issue #20): a process that has just started serves fewer payments a second (code not yet
// compiled, every certificate seen for the first time, the core's caches cold), so for the same wait it
// may hold fewer in flight. During its first `warmUpMs` the bound rises in a straight line from a tenth of
// the bound (never below warmUpFloor) to the whole bound: the excess of a burst that meets a fresh gateway
// is refused BUSY at once rather than queued.

/** The bound a fresh gateway starts from, at least (never above the bound itself). */
export const warmUpFloor = 32;

export interface AdmissionOptions {
  /** Payments that may be in flight on this instance at once (GATEWAY_INFLIGHT_MAX). */
  readonly max: number;
  /** The wait a BUSY answer names, before jitter (GATEWAY_BUSY_RETRY_AFTER_MS). */
  readonly retryAfterMs: number;
  /** How long after start the bound rises to `max` (GATEWAY_WARM_UP_MS; 0: the whole bound at once). */
  readonly warmUpMs?: number;
  /** A monotonic clock in ms; the warm-up counts from the first reading. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export class Admission {
  private inFlight = 0;
  readonly max: number;
  private readonly retryAfterMs: number;
  private readonly warmUpMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly startedAtMs: number;
  private readonly startMax: number;

  constructor(options: AdmissionOptions) {
    this.max = options.max;
    this.retryAfterMs = options.retryAfterMs;
    this.warmUpMs = options.warmUpMs ?? 0;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.startedAtMs = this.now();
    this.startMax = Math.min(this.max, Math.max(warmUpFloor, Math.ceil(this.max / 10)));
  }

  /** Payments that may be in flight now: the whole bound once warmed up. */
  get bound(): number {
    if (this.warmUpMs <= 0) return this.max;
    const elapsed = this.now() - this.startedAtMs;
    if (elapsed >= this.warmUpMs) return this.max;
    return Math.floor(this.startMax + ((this.max - this.startMax) * elapsed) / this.warmUpMs);
  }

  /**
   * Takes a place for one payment, or says no. The event loop runs one frame at a time, so the check and
   * the reservation cannot interleave with another request's; every taken place is given back by leave().
   */
  tryEnter(): boolean {
    if (this.inFlight >= this.bound) return false;
    this.inFlight += 1;
    return true;
  }

  leave(): void {
    this.inFlight -= 1;
  }

  get current(): number {
    return this.inFlight;
  }

  /** The BUSY answer's retryAfterMs: the configured wait plus up to half again, so refused tills spread out. */
  retryAfter(): number {
    return Math.min(0xffff, Math.round(this.retryAfterMs * (1 + this.random() / 2)));
  }
}
