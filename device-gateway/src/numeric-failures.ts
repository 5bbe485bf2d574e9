// Wrong numeric pay codes per till. The core limits wrong codes per code id; this limits what one till can
// try across many code ids: after `failuresMax` wrong codes within `windowMs` (from the first) the till's
// numeric codes are refused here without asking the core until the window ends. QR codes are not
// affected. Kept per instance: a device holds one session, at one instance.
//
// A till may have several requests in flight at once, so a check is reserved before the core is asked
// (take) and settled after (settle): wrong codes plus checks in flight never pass failuresMax, so a burst
// of guesses sent together gets no more answers than the limit. A right code gives back only its own
// reservation; the failures of the same burst stay counted.

export interface NumericFailureLimitOptions {
  readonly failuresMax: number;
  readonly windowMs: number;
  /** Devices counted at once; past it the oldest windows are dropped (a bound, not a verdict). */
  readonly devicesMax: number;
  readonly now?: () => number;
}

/** Generous to a cashier mistyping, tight enough that a till cannot sweep code ids. */
export const numericFailureDefaults = {
  failuresMax: 20,
  windowMs: 10 * 60_000,
  devicesMax: 100_000,
} as const;

export class NumericFailureLimit {
  private readonly windows = new Map<string, { failures: number; untilMs: number }>();
  /** Checks taken and not yet settled, per device (bounded by the session's requests in flight). */
  private readonly inFlight = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: NumericFailureLimitOptions = numericFailureDefaults) {
    this.now = options.now ?? Date.now;
  }

  /** Reserves one check for the device; false (ask nothing) when failures and checks in flight reach the max. */
  take(deviceRef: string): boolean {
    const pending = this.inFlight.get(deviceRef) ?? 0;
    if (this.failures(deviceRef) + pending >= this.options.failuresMax) return false;
    this.inFlight.set(deviceRef, pending + 1);
    return true;
  }

  /** Settles a taken check: a guess-like refusal stays counted as a failure; anything else is given back. */
  settle(deviceRef: string, failed: boolean): void {
    const pending = (this.inFlight.get(deviceRef) ?? 1) - 1;
    if (pending > 0) this.inFlight.set(deviceRef, pending);
    else this.inFlight.delete(deviceRef);
    if (failed) this.fail(deviceRef);
  }

  /** True while the device has used up its wrong codes for the current window. */
  blocked(deviceRef: string): boolean {
    return this.failures(deviceRef) >= this.options.failuresMax;
  }

  private failures(deviceRef: string): number {
    const window = this.windows.get(deviceRef);
    if (window === undefined) return 0;
    if (window.untilMs <= this.now()) {
      this.windows.delete(deviceRef);
      return 0;
    }
    return window.failures;
  }

  private fail(deviceRef: string): void {
    const nowMs = this.now();
    const window = this.windows.get(deviceRef);
    if (window !== undefined && window.untilMs > nowMs) {
      window.failures += 1;
      return;
    }
    this.windows.delete(deviceRef);
    if (this.windows.size >= this.options.devicesMax) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(deviceRef, { failures: 1, untilMs: nowMs + this.options.windowMs });
  }
}
