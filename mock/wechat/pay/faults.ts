/**
 * Fault switches for notifications, global or per merchant order (out_trade_no). A per-order switch
 * wins over the global one field by field, so one order can misbehave while the rest stay honest.
 */
export interface Faults {
  /** Deliver every notification twice (two independent deliveries, each with its own retries). */
  duplicate?: boolean;
  /** Hold the first attempt back this long, so a poll can overtake the notification. */
  delayMs?: number;
  /** Sign the wrong bytes: the receiver must reject with a non-2xx, and WeChat retries. */
  badSignature?: boolean;
  /** Timestamp 10 minutes old, honestly signed: only a freshness check catches it. */
  staleTimestamp?: boolean;
  /** Ciphertext with a flipped bit, body honestly signed: only the GCM tag check catches it. */
  tamperedCiphertext?: boolean;
  /** A refund of the order ends CLOSED (退款关闭, e.g. the payer's account is closed) instead of SUCCESS. */
  refundCloses?: boolean;
}

export const STALE_TIMESTAMP_OFFSET_SECONDS = -600;

export class FaultSwitches {
  #global: Faults = {};
  readonly #perOrder = new Map<string, Faults>();

  setGlobal(faults: Faults): void {
    this.#global = { ...faults };
  }

  setForOrder(outTradeNo: string, faults: Faults): void {
    this.#perOrder.set(outTradeNo, { ...faults });
  }

  clear(): void {
    this.#global = {};
    this.#perOrder.clear();
  }

  for(outTradeNo: string): Faults {
    return { ...this.#global, ...this.#perOrder.get(outTradeNo) };
  }
}
