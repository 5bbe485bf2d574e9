// Admission control (protocol § 7.9, BUSY): past its capacity the gateway refuses a new payment at once
// instead of queueing it behind others until the till's 5 s timeout, which would make the till retry or go
// offline and so make the overload worse.
//
// Two bounds:
//
// - A count (GATEWAY_INFLIGHT_MAX), with a warm-up: a process that has just started serves fewer payments a
//   second (code not yet compiled, every certificate seen for the first time, the core's caches cold), so
//   during its first `warmUpMs` the count rises in a straight line from a tenth of it (never below
//   warmUpFloor) to all of it: the excess of a burst that meets a fresh gateway is refused BUSY at once.
// - A backlog (issue #20): a count fits one machine's capacity only (Little's law: in flight = payments a
//   second × time each takes, so 400 in flight is 160 ms of queue at 2,500/s and 400 ms at 1,000/s). So a
//   new payment is also refused while the oldest request waiting for a work slice (work-slices.ts) has
//   waited longer than `backlogMaxMs`, once at least a few slices' worth wait (backlogJobsMin): the gateway's own CPU is behind by that much, and what it admits now
//   would only wait longer. The signal is the gateway's own queue, not a payment's whole time: a slow core
//   call or a straggler (a federation call, a PIN retry) does not sit in that queue, so it cannot shrink
//   what is admitted (the mean-delay bound of b37bda8 and a minimum-time one tried on 2026-12-08 both sank
//   to their floors when the machine was slow for other reasons, and approved a fifth of what they could).

/** The bound a fresh gateway starts from, at least (never above the bound itself). */
export const warmUpFloor = 32;

export interface AdmissionOptions {
  /** Payments that may be in flight on this instance at once (GATEWAY_INFLIGHT_MAX). */
  readonly max: number;
  /** The wait a BUSY answer names, before jitter (GATEWAY_BUSY_RETRY_AFTER_MS). */
  readonly retryAfterMs: number;
  /** How long after start the count rises to `max` (GATEWAY_WARM_UP_MS; 0: the whole bound at once). */
  readonly warmUpMs?: number;
  /**
   * How long the oldest request waiting for a work slice may have waited before new payments are refused
   * (GATEWAY_BACKLOG_MAX_MS; 0: the count alone), and how long it has (WorkSlices.backlogMs).
   */
  readonly backlogMaxMs?: number;
  readonly backlogMs?: () => number;
  /** A monotonic clock in ms; the warm-up counts from the first reading. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export class Admission {
  private inFlight = 0;
  readonly max: number;
  private readonly retryAfterMs: number;
  private readonly warmUpMs: number;
  private readonly backlogMaxMs: number;
  private readonly backlogMs: () => number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly startedAtMs: number;
  private readonly startMax: number;

  constructor(options: AdmissionOptions) {
    this.max = options.max;
    this.retryAfterMs = options.retryAfterMs;
    this.warmUpMs = options.warmUpMs ?? 0;
    this.backlogMaxMs = options.backlogMaxMs ?? 0;
    this.backlogMs = options.backlogMs ?? (() => 0);
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.startedAtMs = this.now();
    this.startMax = Math.min(this.max, Math.max(warmUpFloor, Math.ceil(this.max / 10)));
  }

  /** Payments that may be in flight now: the whole count once warmed up. */
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
    if (this.backlogMaxMs > 0 && this.backlogMs() > this.backlogMaxMs) return false;
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
