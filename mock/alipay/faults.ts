/**
 * Fault switches, global or per merchant order (out_trade_no); a per-order switch wins field by field,
 * so one order can misbehave while the rest stay honest. Notification faults apply where a
 * notification is made; gateway faults apply to every gateway call while switched on.
 */
export interface Faults {
  /** Hold each notification's first attempt back this long (a poll can overtake it). */
  delayMs?: number;
  /** Deliver every notification twice: two deliveries of the same notify_id, each with its own retries. */
  duplicate?: boolean;
  /**
   * Hold an order's notification back until its next one is made (a refund after the payment, a
   * close), then deliver the newer one first; released alone after `OUT_OF_ORDER_HOLD_MS` (scaled).
   */
  outOfOrder?: boolean;
  /** Sign notifications with a key that is not the platform's: the receiver must refuse, Alipay retries. */
  badSignature?: boolean;
  /** Notify a total_amount one fen above the order's, honestly signed: only the amount check catches it. */
  amountMismatch?: boolean;
  /** Sign gateway answers with a key that is not the platform's: the SDK's validateSign must throw. */
  badResponseSignature?: boolean;
  /** The gateway answers 502 with an HTML page, as a load balancer in front of a down gateway does. */
  gatewayDown?: boolean;
}

export const OUT_OF_ORDER_HOLD_MS = 60_000;

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

  get global(): Faults {
    return { ...this.#global };
  }

  for(outTradeNo: string): Faults {
    return { ...this.#global, ...this.#perOrder.get(outTradeNo) };
  }
}
