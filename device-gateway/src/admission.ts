// Admission control (protocol § 7.9, BUSY): past its capacity the gateway refuses a new payment at once
// instead of queueing it behind others until the till's 5 s timeout, which would make the till retry or go
// offline and so make the overload worse. Little's law sizes the bound: payments in flight = payments per
// second × time each takes, so at a capacity of 2,000/s a bound of 400 keeps the wait near 200 ms.

export class Admission {
  private inFlight = 0;

  constructor(
    /** Payments that may be in flight on this instance at once (GATEWAY_INFLIGHT_MAX). */
    readonly max: number,
    /** The wait a BUSY answer names, before jitter (GATEWAY_BUSY_RETRY_AFTER_MS). */
    private readonly retryAfterMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Takes a place for one payment, or says no. The event loop runs one frame at a time, so the check and
   * the reservation cannot interleave with another request's; every taken place is given back by leave().
   */
  tryEnter(): boolean {
    if (this.inFlight >= this.max) return false;
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
