import type { ApiClient } from './request.ts';
import type { TopUpLimits, TopUpOrder, TopUpStatus } from './types.ts';

export type PayChannel = 'wechat' | 'alipay';

/**
 * A placed order as the BFF answers it: WeChat's requestPayment parameters, a payment page for a
 * browser, or, for an order placed from the Alipay mini-program, the trade number for my.tradePay.
 */
export type PlacedTopUp = TopUpOrder & { readonly alipay?: { readonly tradeNO: string } };

/** The limits, with the channels the server takes (a browser may offer WeChat's page or Alipay's cashier). */
export function getTopUpLimits(
  api: ApiClient,
): Promise<TopUpLimits & { readonly channels?: readonly PayChannel[] }> {
  return api.request('GET', '/top-ups/limits');
}

/** One key per tap of "pay", reused if that request is retried: the BFF then answers the same order. */
export function newIdempotencyKey(random: () => number = Math.random): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz0123456789';
  let key = `tu-${Date.now().toString(36)}-`;
  for (let i = 0; i < 16; i++) key += alphabet[Math.floor(random() * alphabet.length)];
  return key;
}

/** cardNo only when a parent tops up a child; the student's own card otherwise. */
export function createTopUp(
  api: ApiClient,
  request: { amount: number; channel: PayChannel; cardNo?: string; idempotencyKey: string },
): Promise<PlacedTopUp> {
  const { amount, channel, cardNo } = request;
  return api.request('POST', '/top-ups', cardNo ? { amount, channel, cardNo } : { amount, channel }, {
    headers: { 'idempotency-key': request.idempotencyKey },
  });
}

export function getTopUp(api: ApiClient, id: string): Promise<TopUpOrder> {
  return api.request('GET', `/top-ups/${encodeURIComponent(id)}`);
}

/** States after which the order never changes: the result page stops following it. */
export function isFinal(status: TopUpStatus): boolean {
  return status === 'credited' || status === 'closed' || status === 'refunded' || status === 'failed';
}

/**
 * Follows an order until it reaches a final state or `attemptsMax` reads, reporting every state seen, so
 * the page shows "paid, crediting" instead of a limbo. The wait between reads grows from 500 ms to 3 s.
 */
export async function followTopUp(
  api: ApiClient,
  id: string,
  onState: (order: TopUpOrder) => void,
  options: { attemptsMax?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<TopUpOrder> {
  const attemptsMax = options.attemptsMax ?? 40;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let order = await getTopUp(api, id);
  onState(order);
  for (let attempt = 1; attempt < attemptsMax && !isFinal(order.status); attempt++) {
    await sleep(Math.min(3_000, 500 * attempt));
    order = await getTopUp(api, id);
    onState(order);
  }
  return order;
}
