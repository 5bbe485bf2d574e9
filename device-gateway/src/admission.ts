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
//
// Measured delay (issue #20): a fixed count fits one machine's capacity only, and a refusal is only as quick as
// the frame is read. So below the count the bound adapts, every `windowMs`, to two measures of queueing: the
// mean time the payments answered in the window spent in the gateway (admission to answer), against
// `paymentTargetMs`, and the mean delay of the gateway's event loop (perf_hooks), against `loopLagTargetMs` —
// frames, refusals included, wait that long before they are read. Past either target the bound shrinks by a
// fifth (never below `adaptiveFloor`); when it limited payments in a window with both under target it grows by
// a tenth, up to `max` (additive-increase, multiplicative-decrease, as TCP's window).
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The bound a fresh gateway starts from, at least (never above the bound itself). */
export const warmUpFloor = 32;

/** The adapted bound never falls below this (nor above `max`): a slow core still gets payments to answer. */
export const adaptiveFloor = 32;

/** The mean time in the gateway the bound aims to keep a payment under: approved p99 ≤ 200 ms (issue #20). */
export const paymentTargetMs = 100;

/** The mean event-loop delay the bound aims to stay under: a BUSY is answered within ≤ 50 ms (issue #20). */
export const loopLagTargetMs = 10;

/** How often the bound is adapted. */
export const windowMs = 100;

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
  /** The event loop's mean delay since the last call, ms (tests); by default measured with perf_hooks. */
  readonly loopLagMs?: () => number;
}

/** The mean event-loop delay since the previous call, from a perf_hooks histogram sampling every 10 ms. */
function measuredLoopLag(): { read: () => number; stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    read: () => {
      // The histogram counts the delay beyond its resolution, in ns; NaN before its first sample.
      const meanMs = histogram.mean / 1e6;
      histogram.reset();
      return Number.isFinite(meanMs) ? meanMs : 0;
    },
    stop: () => histogram.disable(),
  };
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
  private readonly loopLagMs: () => number;
  private readonly stopLoopLag: () => void;
  /** The bound measured delay allows now (adaptiveFloor … max). */
  private adapted: number;
  private windowStartMs: number;
  /** In the current window: time in the gateway of the payments answered, how many, and whether any was refused. */
  private windowSpentMs = 0;
  private windowAnswered = 0;
  private windowRefused = false;

  constructor(options: AdmissionOptions) {
    this.max = options.max;
    this.retryAfterMs = options.retryAfterMs;
    this.warmUpMs = options.warmUpMs ?? 0;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.startedAtMs = this.now();
    this.startMax = Math.min(this.max, Math.max(warmUpFloor, Math.ceil(this.max / 10)));
    this.adapted = this.max;
    this.windowStartMs = this.startedAtMs;
    if (options.loopLagMs === undefined) {
      const lag = measuredLoopLag();
      this.loopLagMs = lag.read;
      this.stopLoopLag = lag.stop;
    } else {
      this.loopLagMs = options.loopLagMs;
      this.stopLoopLag = () => undefined;
    }
  }

  /** Payments that may be in flight now: the warm-up's rising bound, and below it what measured delay allows. */
  get bound(): number {
    return Math.min(this.warmUpBound(), this.adapted);
  }

  private warmUpBound(): number {
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
    this.windowSpentMs += this.now() - enteredAtMs;
    this.windowAnswered += 1;
  }

  /** The bound measured delay allows (adaptiveFloor … max), for the metrics. */
  get limit(): number {
    return this.adapted;
  }

  /** Ends the window: shrinks the bound past either target, grows it when it limited and both were met. */
  private adapt(nowMs: number): void {
    const lagMs = this.loopLagMs();
    const spentMs = this.windowAnswered === 0 ? 0 : this.windowSpentMs / this.windowAnswered;
    const floor = Math.min(this.max, adaptiveFloor);
    if (spentMs > paymentTargetMs || lagMs > loopLagTargetMs)
      this.adapted = Math.max(floor, Math.floor(this.adapted * 0.8));
    else if (this.windowRefused)
      this.adapted = Math.min(this.max, this.adapted + Math.ceil(this.adapted / 10));
    this.windowStartMs = nowMs;
    this.windowSpentMs = 0;
    this.windowAnswered = 0;
    this.windowRefused = false;
  }

  /** Stops measuring the event loop (the gateway closes). */
  stop(): void {
    this.stopLoopLag();
  }

  get current(): number {
    return this.inFlight;
  }

  /** The BUSY answer's retryAfterMs: the configured wait plus up to half again, so refused tills spread out. */
  retryAfter(): number {
    return Math.min(0xffff, Math.round(this.retryAfterMs * (1 + this.random() / 2)));
  }
}
