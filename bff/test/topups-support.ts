import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type Pay from 'wechatpay-node-v3';
import { type PayStandIn, startPayStandIn } from '../../mock/wechat/pay/server.ts';
import {
  API_V3_KEY,
  APPID,
  MCHID,
  makeMerchant,
  makePay,
  VerifyingTransport,
  waitFor,
} from '../../mock/wechat/test-support.ts';
import type { CertifiedKey } from '../../mock/wechat/x509.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import { signedInAdmins } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld, testAppId } from './support.ts';

export { APPID, MCHID, waitFor };
export const h5Origin = 'http://127.0.0.1:10086';

/** A port that was free a moment ago: the notify URL must be known before the BFF starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface PayWorld {
  world: TestWorld;
  standIn: PayStandIn;
  merchant: CertifiedKey;
  /** The merchant's own SDK instance, for planting orders WeChat has and we do not. */
  pay: Pay;
  notifyUrl: string;
  stop(): Promise<void>;
}

/**
 * The top-up world: the WeChat Pay stand-in (short retry schedule, same-day bills, H5 page allowed to
 * return to the H5 origin) and the usual real core on MariaDB, Redis and a BFF whose notify URL is
 * its own /api/v1/pay/notify. The poller's timer is off: tests run a poll when they mean to.
 */
export async function startPayWorld(env: Record<string, string> = {}): Promise<PayWorld> {
  assert.equal(APPID, testAppId, 'the pay stand-in and the login stand-in serve the same mini-program');
  const merchant = makeMerchant();
  const standIn = await startPayStandIn({
    merchants: [{ mchid: MCHID, certificatePem: merchant.certificatePem, apiV3Key: API_V3_KEY }],
    retryScale: 0.002,
    refundSettleMs: 30,
    billsSameDay: true,
    h5ReturnOrigins: [h5Origin],
  });
  const port = await freePort();
  const notifyUrl = `http://127.0.0.1:${port}/api/v1/pay/notify`;
  const world = await startWorld({
    BFF_PORT: String(port),
    WECHAT_PAY_URL: standIn.baseUrl,
    WECHAT_PAY_MCHID: MCHID,
    WECHAT_PAY_MERCHANT_CERT: merchant.certificatePem,
    WECHAT_PAY_MERCHANT_KEY: merchant.privateKeyPem,
    WECHAT_PAY_API_V3_KEY: API_V3_KEY,
    WECHAT_PAY_NOTIFY_URL: notifyUrl,
    WECHAT_PAY_H5_URL: `${standIn.baseUrl}/pay/h5`,
    TOP_UP_H5_RETURN_URL: `${h5Origin}/#/pages/top-up-result/index?id={id}`,
    TOP_UP_POLL_INTERVAL_MS: '0',
    TOP_UP_POLL_AFTER_MS: '0',
    RATE_USER_PER_MIN: '100000',
    RATE_IP_PER_MIN: '100000',
    // Refunds here run at once; maker-checker on refunds has its own test (admin-top-up-refunds).
    ADJUSTMENT_APPROVAL_ABOVE: '100000000',
    ...env,
  });
  const pay = makePay(merchant);
  new VerifyingTransport(standIn.baseUrl).attach(pay);
  return {
    world,
    standIn,
    merchant,
    pay,
    notifyUrl,
    async stop() {
      await standIn.close();
      await world.stop();
    },
  };
}

export type Student = Awaited<ReturnType<typeof boundStudent>>;
export { boundStudent };

export const newKey = () => `key-${randomBytes(8).toString('hex')}`;

/** POST /api/v1/top-ups as the mini-program sends it. */
export function createTopUp(world: TestWorld, student: Student, amount: number, key: string = newKey()) {
  return world.request<TopUpView & { code?: string }>('POST', '/api/v1/top-ups', {
    token: student.accessToken,
    body: { amount },
    headers: { 'idempotency-key': key },
  });
}

/** What the WeChat client does on wx.requestPayment: the stand-in checks paySign, pays and notifies. */
export async function payLikeWechat(standIn: PayStandIn, order: TopUpView): Promise<string> {
  assert.ok(order.payment, 'the order carries requestPayment parameters');
  const paid = await standIn.pay({ appId: APPID, ...order.payment });
  assert.ok(paid.ok, JSON.stringify(paid));
  return paid.transactionId;
}

export async function orderOf(world: TestWorld, student: Student, id: string) {
  const reply = await world.request<TopUpView>('GET', `/api/v1/top-ups/${id}`, {
    token: student.accessToken,
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body;
}

/** The order as the core stores it, read without the BFF (whose read may ask WeChat and settle it). */
export async function storedStatus(world: TestWorld, id: string): Promise<TopUpView['status']> {
  return (await world.core.client.topUpOrder(id)).status;
}

export async function waitForStatus(
  world: TestWorld,
  student: Student,
  id: string,
  status: TopUpView['status'],
  timeoutMs = 5_000,
): Promise<TopUpView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await orderOf(world, student, id);
    if (order.status === status) return order;
    if (Date.now() > deadline) assert.fail(`order ${id} is ${order.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function balanceOf(world: TestWorld, cardNo: string): Promise<number> {
  return (await world.core.client.getCard(cardNo)).balance.main;
}

/** The card centre's finance admin at the admin API: refunds, a poll, a reconciliation on demand. */
export async function cardCentre(world: TestWorld) {
  const tokens = await signedInAdmins(world);
  const call = (method: string, path: string, body?: unknown, token = tokens.finance) =>
    world.request(method, `/api/admin/v1${path}`, { token, ...(body === undefined ? {} : { body }) });
  return {
    tokens,
    call,
    refund: (orderId: string, body: { requestId: string; amount: number; reason: string }) =>
      call('POST', `/top-ups/${orderId}/refunds`, body),
    poll: () => call('POST', '/top-ups/poll', { confirm: true }),
    reconcile: (billDate: string) => call('POST', `/top-up-reconciliations/${billDate}`, { confirm: true }),
    mismatches: (billDate: string) => call('GET', `/top-up-mismatches?billDate=${billDate}`),
  };
}
export type CardCentre = Awaited<ReturnType<typeof cardCentre>>;

/** Sets a fault switch on one order at the stand-in (duplicate, delay, bad signature, stale, tampered). */
export async function setFaults(standIn: PayStandIn, outTradeNo: string, faults: Record<string, unknown>) {
  const response = await fetch(`${standIn.baseUrl}/__mock/faults/${outTradeNo}`, {
    method: 'PUT',
    body: JSON.stringify(faults),
  });
  assert.equal(response.status, 204);
}

export const deliveriesOf = (standIn: PayStandIn, outTradeNo: string) =>
  standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo);
