// Admission control (protocol § 7.9, BUSY): past its capacity the gateway refuses a new payment at once
// instead of queueing it behind others until the till's 5 s timeout, which would make the till retry or go
// offline and so make the overload worse.
//
// Two bounds, the smaller applies:
//
// - A count (GATEWAY_INFLIGHT_MAX), with a warm-up: a process that has just started serves fewer payments a
//   second (code not yet compiled, every certificate seen for the first time, the core's caches cold), so
//   during its first `warmUpMs` the count rises in a straight line from a tenth of it (never below
//   warmUpFloor) to all of it: the excess of a burst that meets a fresh gateway is refused BUSY at once.
// - A standing queue (issue #20): a count fits one machine's capacity only (Little's law: in flight =
//   payments a second × time each takes, so 400 in flight is 160 ms of queue at 2,500/s and 400 ms at
//   1,000/s). So every `windowMs` the bound looks at the quickest payment answered in that window: when even
//   the quickest spent more than `queueTargetMs` in the gateway, every payment is waiting behind a standing
//   queue, not behind one slow card or core call, and the bound shrinks to a fraction of what is in flight;
//   when the quickest was under target and the bound turned payments away, it grows again (additive
//   increase, multiplicative decrease, the way TCP's window and CoDel's drop rate do). The minimum, not the
//   mean, is the signal: a straggler (a federation call, a PIN retry) raises the mean but not the minimum,
//   and an event loop that lags while it keeps up (which sank the mean-delay bound of b37bda8) does not
//   raise it either.

/** The bound a fresh gateway starts from, at least (never above the bound itself). */
export const warmUpFloor = 32;

/** The standing-queue bound never falls below this (nor above the count): a slow core still gets work. */
export const queueBoundFloor = 16;

/** How often the standing-queue bound is adapted, and the window its minimum is taken over. */
export const windowMs = 100;

/** What the bound keeps of what is in flight when a window shows a standing queue. */
const decrease = 0.8;
/** What the bound grows by, of itself, after a window under target in which it turned payments away. */
const increase = 0.1;

export interface AdmissionOptions {
  /** Payments that may be in flight on this instance at once (GATEWAY_INFLIGHT_MAX). */
  readonly max: number;
  /** The wait a BUSY answer names, before jitter (GATEWAY_BUSY_RETRY_AFTER_MS). */
  readonly retryAfterMs: number;
  /** How long after start the count rises to `max` (GATEWAY_WARM_UP_MS; 0: the whole bound at once). */
  readonly warmUpMs?: number;
  /**
   * The time in the gateway past which the quickest payment of a window means a standing queue
   * (GATEWAY_QUEUE_TARGET_MS; 0: no standing-queue bound, the count alone).
   */
  readonly queueTargetMs?: number;
  /** A monotonic clock in ms; the warm-up counts from the first reading. */
  readonly now?: () => number;
  readonly random?: () => number;
}

export class Admission {
  private inFlight = 0;
  readonly max: number;
  private readonly retryAfterMs: number;
  private readonly warmUpMs: number;
  private readonly queueTargetMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly startedAtMs: number;
  private readonly startMax: number;
  /** What the standing-queue signal allows now (queueBoundFloor … max). */
  private queueBound: number;
  private windowStartMs: number;
  /** The quickest payment answered in the current window (ms in the gateway), Infinity before one is. */
  private windowQuickestMs = Number.POSITIVE_INFINITY;
  private windowRefused = false;

  constructor(options: AdmissionOptions) {
    this.max = options.max;
    this.retryAfterMs = options.retryAfterMs;
    this.warmUpMs = options.warmUpMs ?? 0;
    this.queueTargetMs = options.queueTargetMs ?? 0;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.startedAtMs = this.now();
    this.windowStartMs = this.startedAtMs;
    this.startMax = Math.min(this.max, Math.max(warmUpFloor, Math.ceil(this.max / 10)));
    this.queueBound = this.max;
  }

  /** Payments that may be in flight now: the warm-up's rising count, and below it the standing-queue bound. */
  get bound(): number {
    return Math.min(this.countBound(), this.queueBound);
  }

  private countBound(): number {
    if (this.warmUpMs <= 0) return this.max;
    const elapsed = this.now() - this.startedAtMs;
    if (elapsed >= this.warmUpMs) return this.max;
    return Math.floor(this.startMax + ((this.max - this.startMax) * elapsed) / this.warmUpMs);
  }

  /**
   * Takes a place for one payment and answers when it was taken (for leave), or undefined: refused. The
   * event loop runs one frame at a time, so the check and the reservation cannot interleave with another
   * request's; every taken place is given back by leave().
   */
  tryEnter(): number | undefined {
    const nowMs = this.now();
    if (nowMs - this.windowStartMs >= windowMs) this.adapt(nowMs);
    if (this.inFlight >= this.bound) {
      this.windowRefused = true;
      return undefined;
    }
    this.inFlight += 1;
    return nowMs;
  }

  /** Gives back the place taken at `enteredAtMs` (tryEnter's answer). */
  leave(enteredAtMs: number): void {
    this.inFlight -= 1;
    const spentMs = this.now() - enteredAtMs;
    if (spentMs < this.windowQuickestMs) this.windowQuickestMs = spentMs;
  }

  private adapt(nowMs: number): void {
    if (this.queueTargetMs > 0 && this.windowQuickestMs !== Number.POSITIVE_INFINITY) {
      if (this.windowQuickestMs > this.queueTargetMs) {
        // From what is in flight, not from the bound: a bound far above it would take many windows to bite.
        this.queueBound = Math.max(
          queueBoundFloor,
          Math.floor(Math.min(this.queueBound, this.inFlight) * decrease),
        );
      } else if (this.windowRefused && this.queueBound < this.max) {
        this.queueBound = Math.min(
          this.max,
          this.queueBound + Math.max(1, Math.ceil(this.queueBound * increase)),
        );
      }
    }
    this.windowStartMs = nowMs;
    this.windowQuickestMs = Number.POSITIVE_INFINITY;
    this.windowRefused = false;
  }

  get current(): number {
    return this.inFlight;
  }

  /** The bound now (count, warm-up and standing queue), for the metrics. */
  get limit(): number {
    return this.bound;
  }

  /** The BUSY answer's retryAfterMs: the configured wait plus up to half again, so refused tills spread out. */
  retryAfter(): number {
    return Math.min(0xffff, Math.round(this.retryAfterMs * (1 + this.random() / 2)));
  }
}
