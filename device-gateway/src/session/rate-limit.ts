/** A token bucket: `perSecondMax` sustained, bursts up to the same number. */
export class RateLimit {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    private readonly perSecondMax: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecondMax;
    this.refilledAtMs = now();
  }

  take(): boolean {
    const nowMs = this.now();
    this.tokens = Math.min(
      this.perSecondMax,
      this.tokens + ((nowMs - this.refilledAtMs) * this.perSecondMax) / 1000,
    );
    this.refilledAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Counts events in a sliding window, for "too many errors from one connection". */
export class WindowCounter {
  private readonly times: number[] = [];

  constructor(
    private readonly countMax: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one event; true when the window now holds more than allowed. */
  exceeded(): boolean {
    const nowMs = this.now();
    this.times.push(nowMs);
    while ((this.times[0] ?? nowMs) <= nowMs - this.windowMs) this.times.shift();
    return this.times.length > this.countMax;
  }
}
