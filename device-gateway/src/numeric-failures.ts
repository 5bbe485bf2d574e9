// Wrong numeric pay codes per till. The core limits wrong codes per code id; this limits what one till can
// try across many code ids: after `failuresMax` wrong codes within `windowMs` (from the first) the till's
// numeric codes are refused here without asking the core until the window ends. QR codes are not
// affected. Kept per instance: a device holds one session, at one instance.

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
  private readonly now: () => number;

  constructor(private readonly options: NumericFailureLimitOptions = numericFailureDefaults) {
    this.now = options.now ?? Date.now;
  }

  /** True while the device has used up its wrong codes for the current window. */
  blocked(deviceRef: string): boolean {
    const window = this.windows.get(deviceRef);
    if (window === undefined) return false;
    if (window.untilMs <= this.now()) {
      this.windows.delete(deviceRef);
      return false;
    }
    return window.failures >= this.options.failuresMax;
  }

  fail(deviceRef: string): void {
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
