import { createHmac, randomBytes } from 'node:crypto';

/**
 * Adapters to the outside systems a utility order credits: the dorm meter system (electricity by
 * room) and the network billing system (a package on an account). Both speak the vendors' usual
 * third-party payment envelope (mock/utility/vendor-api.ts is the stand-in's side): a signed JSON
 * POST, an answer `{ code, msg, data }`. Our order id travels as `orderNo`, the vendor's
 * idempotency key, so a resend after a lost answer never credits twice.
 */

/** What the outside system says about one order. */
export type CreditOutcome =
  /** Credited (now or earlier): the figures it answered. */
  | { kind: 'credited'; result: Record<string, unknown> }
  /** A definite refusal: nothing was or will be credited for this order. */
  | { kind: 'refused'; code: RefusalCode; message: string }
  /** Only from query: the system has no such order (never received, or refused without keeping it). */
  | { kind: 'unknown' };

export type RefusalCode = 'ROOM_NOT_FOUND' | 'NETWORK_ACCOUNT_NOT_FOUND' | 'PACKAGE_INVALID';

export interface CreditRequest {
  orderId: string;
  target: string;
  amount: number;
  packageId: string | null;
}

/** Thrown when the system did not answer in time or answered something we cannot read: outcome unknown. */
export class ProviderUnavailable extends Error {}

export interface CreditProvider {
  credit(request: CreditRequest): Promise<CreditOutcome>;
  query(orderId: string): Promise<CreditOutcome>;
  /** The target's live state (room balance, account expiry); undefined when the system does not know it. */
  target(target: string): Promise<Record<string, unknown> | undefined>;
  /** Electricity: daily usage of a room, newest last. */
  usage?(target: string, days: number): Promise<{ day: string; kwh: string }[]>;
}

export interface VendorOptions {
  url: string;
  appId: string;
  secret: string;
  timeoutMs: number;
}

function sign(fields: Record<string, unknown>, secret: string): string {
  const text = Object.keys(fields)
    .filter((k) => fields[k] !== undefined && fields[k] !== null && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${String(fields[k])}`)
    .join('&');
  return createHmac('sha256', secret).update(text).digest('hex').toUpperCase();
}

/** One signed call to a vendor system in the shared envelope; ProviderUnavailable when no usable answer came. */
export async function vendorPost(
  options: VendorOptions,
  path: string,
  business: Record<string, unknown>,
): Promise<{ code: string; msg: string; data?: Record<string, unknown> }> {
  const fields: Record<string, unknown> = {
    ...business,
    appId: options.appId,
    timestamp: Date.now(),
    nonce: randomBytes(12).toString('hex'),
  };
  fields.sign = sign(fields, options.secret);
  let response: Response;
  try {
    response = await fetch(new URL(path, options.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new ProviderUnavailable(`${path}: ${(error as Error).name}`);
  }
  const json = (await response.json().catch(() => undefined)) as
    | { code?: unknown; msg?: unknown; data?: Record<string, unknown> }
    | undefined;
  if (!response.ok || json === undefined || typeof json.code !== 'string')
    throw new ProviderUnavailable(`${path}: HTTP ${response.status}`);
  // A signature or clock refusal, or a 5xxx, says nothing about the order: treated as no answer.
  if (json.code === '4001' || json.code.startsWith('5'))
    throw new ProviderUnavailable(`${path}: ${json.code}`);
  return { code: json.code, msg: String(json.msg ?? ''), data: json.data };
}

const ok = '0000';
const notFound = '1001';
const duplicate = '2001';
const orderNotFound = '3001';
const badRequest = '4000';

function creditAnswer(
  answer: { code: string; msg: string; data?: Record<string, unknown> },
  notFoundCode: RefusalCode,
  expected: CreditRequest,
): CreditOutcome {
  // 2001: the system already has this order number (our resend, or a duplicate delivery): its figures stand.
  if (answer.code === ok || answer.code === duplicate) {
    const data = answer.data ?? {};
    if (data.orderNo !== expected.orderId || Number(data.amountFen) !== expected.amount)
      throw new ProviderUnavailable(
        `the answer names order ${String(data.orderNo)} for ${String(data.amountFen)}`,
      );
    return { kind: 'credited', result: data };
  }
  if (answer.code === notFound) return { kind: 'refused', code: notFoundCode, message: answer.msg };
  if (answer.code === badRequest) return { kind: 'refused', code: 'PACKAGE_INVALID', message: answer.msg };
  throw new ProviderUnavailable(`unexpected code ${answer.code}`);
}

/** The dorm meter system: a room id, a recharge in fen, the balance in kWh. */
export function electricityProvider(options: VendorOptions): CreditProvider {
  return {
    async credit(request) {
      const answer = await vendorPost(options, '/api/elec/recharge', {
        orderNo: request.orderId,
        roomId: request.target,
        amountFen: request.amount,
      });
      return creditAnswer(answer, 'ROOM_NOT_FOUND', request);
    },
    async query(orderId) {
      const answer = await vendorPost(options, '/api/elec/order/query', { orderNo: orderId });
      if (answer.code === orderNotFound) return { kind: 'unknown' };
      if (answer.code !== ok) throw new ProviderUnavailable(`order query answered ${answer.code}`);
      return { kind: 'credited', result: answer.data ?? {} };
    },
    async target(roomId) {
      const answer = await vendorPost(options, '/api/elec/room/query', { roomId });
      if (answer.code === notFound) return undefined;
      if (answer.code !== ok) throw new ProviderUnavailable(`room query answered ${answer.code}`);
      return answer.data ?? {};
    },
    async usage(roomId, days) {
      const answer = await vendorPost(options, '/api/elec/room/usage', { roomId, days });
      if (answer.code !== ok) return [];
      return (answer.data?.items as { day: string; kwh: string }[] | undefined) ?? [];
    },
  };
}

/** The network billing system: an account, a package bought for its price, the new expiry. */
export function networkProvider(options: VendorOptions): CreditProvider {
  return {
    async credit(request) {
      const answer = await vendorPost(options, '/api/net/pay', {
        orderNo: request.orderId,
        accountId: request.target,
        packageId: request.packageId,
        amountFen: request.amount,
      });
      return creditAnswer(answer, 'NETWORK_ACCOUNT_NOT_FOUND', request);
    },
    async query(orderId) {
      const answer = await vendorPost(options, '/api/net/order/query', { orderNo: orderId });
      if (answer.code === orderNotFound) return { kind: 'unknown' };
      if (answer.code !== ok) throw new ProviderUnavailable(`order query answered ${answer.code}`);
      return { kind: 'credited', result: answer.data ?? {} };
    },
    async target(accountId) {
      const answer = await vendorPost(options, '/api/net/account/query', { accountId });
      if (answer.code === notFound) return undefined;
      if (answer.code !== ok) throw new ProviderUnavailable(`account query answered ${answer.code}`);
      return answer.data ?? {};
    },
  };
}
