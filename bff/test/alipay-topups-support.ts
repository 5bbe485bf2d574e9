import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { shanghaiToday } from '../../core/src/time.ts';
import { startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair, type RsaKeyPair } from '../../mock/alipay/signing.ts';
import { startReceiver } from '../../mock/alipay/test-support.ts';
import { startPayStandIn } from '../../mock/wechat/pay/server.ts';
import { API_V3_KEY, MCHID, makeMerchant } from '../../mock/wechat/test-support.ts';
import { AlipayPay } from '../src/services/alipay-pay.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import { openPerson } from './students.ts';
import { startWorld } from './support.ts';

export const ALIPAY_APP_ID = '2021000100000001';
/** Another merchant's app on the same platform: its notifications are genuine but not ours. */
export const OTHER_APP_ID = '2021000100000002';
export const SELLER_ID = '2088101122334455';
export const h5Origin = 'http://127.0.0.1:10086';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Alipay top-ups end to end (docs/alipay.md): the real core on MariaDB, Redis, the BFF with the
 * real alipay-sdk against the Alipay stand-in (whose notifications reach the BFF's own notify route),
 * beside the WeChat Pay stand-in. The poller's timer is off; tests run a pass when they mean to.
 * One start per test file; the helpers below act on this world.
 */
export async function startAlipayTopUps() {
  const appKeys = makeRsaKeyPair();
  const otherKeys = makeRsaKeyPair();
  const alipay = await startAlipayStandIn({
    apps: [
      { appId: ALIPAY_APP_ID, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id', sellerId: SELLER_ID },
      { appId: OTHER_APP_ID, appPublicKey: otherKeys.publicKeyPem, idMode: 'open_id' },
    ],
    retryScale: 0.0005,
    h5ReturnOrigins: [h5Origin],
    outOfOrderHoldMs: 2_000,
    billsSameDay: true,
  });
  const merchant = makeMerchant();
  const wechatPay = await startPayStandIn({
    merchants: [{ mchid: MCHID, certificatePem: merchant.certificatePem, apiV3Key: API_V3_KEY }],
    billsSameDay: true,
  });
  const port = await freePort();
  const notifyUrl = `http://127.0.0.1:${port}/api/v1/pay/alipay/notify`;
  const world = await startWorld({
    BFF_PORT: String(port),
    WECHAT_PAY_URL: wechatPay.baseUrl,
    WECHAT_PAY_MCHID: MCHID,
    WECHAT_PAY_MERCHANT_CERT: merchant.certificatePem,
    WECHAT_PAY_MERCHANT_KEY: merchant.privateKeyPem,
    WECHAT_PAY_API_V3_KEY: API_V3_KEY,
    WECHAT_PAY_NOTIFY_URL: `http://127.0.0.1:${port}/api/v1/pay/notify`,
    TOP_UP_H5_RETURN_URL: `${h5Origin}/#/pages/top-up-result/index?id={id}`,
    TOP_UP_POLL_INTERVAL_MS: '0',
    TOP_UP_POLL_AFTER_MS: '0',
    RATE_USER_PER_MIN: '100000',
    RATE_IP_PER_MIN: '100000',
    ADJUSTMENT_APPROVAL_ABOVE: '100000000',
    ALIPAY_APP_ID,
    ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
    ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
    ALIPAY_TIMEOUT_MS: '2000',
    ALIPAY_SELLER_ID: SELLER_ID,
    ALIPAY_NOTIFY_URL: notifyUrl,
  });
  /** The BFF's own Alipay client, used by the test as a second caller of our app (or of another app). */
  const clientOf = (appId: string, keys: RsaKeyPair, notifyTo: string) =>
    new AlipayPay({
      appId,
      privateKey: keys.privateKeyPem,
      alipayPublicKey: alipay.alipayPublicKey,
      gatewayUrl: alipay.gatewayUrl,
      sellerId: SELLER_ID,
      notifyUrl: notifyTo,
      idType: 'open_id',
    });
  const verifier = clientOf(ALIPAY_APP_ID, appKeys, notifyUrl);
  /** A capturing receiver: genuine signed notifications, kept to be replayed at the BFF. */
  const receiver = await startReceiver((fields) => verifier.verifyNotification(fields));

  /** Signs in through my.getAuthCode → /session/alipay and binds to a new card, as the Alipay build does. */
  async function alipayStudent() {
    const minted = alipay.mintAuthCode(ALIPAY_APP_ID);
    const session = await world.request<{ accessToken: string }>('POST', '/api/v1/session/alipay', {
      body: { code: minted.code },
    });
    assert.equal(session.status, 200, JSON.stringify(session.body));
    const person = await openPerson(world);
    const bound = await world.request('POST', '/api/v1/binding', {
      token: session.body.accessToken,
      body: { personNo: person.personNo, name: person.name, secret: person.secret },
    });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    return { ...person, accessToken: session.body.accessToken, openId: minted.openId };
  }
  /** A student signed in through WeChat (the H5 build): Alipay orders come back as the wap.pay cashier URL. */
  async function browserStudent() {
    const person = await openPerson(world);
    const minted = world.login.mintCode('wx0123456789abcdef', {});
    const session = await world.request<{ accessToken: string }>('POST', '/api/v1/session', {
      body: { code: minted.code },
    });
    const bound = await world.request('POST', '/api/v1/binding', {
      token: session.body.accessToken,
      body: { personNo: person.personNo, name: person.name, secret: person.secret },
    });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    return { ...person, accessToken: session.body.accessToken, openId: '' };
  }

  type Student = Awaited<ReturnType<typeof alipayStudent>>;

  const create = (student: Student, amount: number, key = `key-${randomBytes(8).toString('hex')}`) =>
    world.request<TopUpView & { code?: string }>('POST', '/api/v1/top-ups', {
      token: student.accessToken,
      body: { amount, channel: 'alipay' },
      headers: { 'idempotency-key': key },
    });
  const balance = async (cardNo: string) => (await world.core.client.getCard(cardNo)).balance.main;
  const stored = (id: string) => world.core.client.topUpOrder(id);
  /** What the Alipay client does on my.tradePay({ tradeNO }) when the buyer confirms. */
  const tradePay = (order: TopUpView) => {
    assert.ok(order.alipay?.tradeNO, JSON.stringify(order));
    const paid = alipay.pay(ALIPAY_APP_ID, { tradeNo: order.alipay.tradeNO });
    assert.ok(paid.ok, JSON.stringify(paid));
    return paid.tradeNo;
  };
  const deliveries = (id: string) => alipay.deliveries.filter((d) => d.outTradeNo === id);
  const setFaults = async (id: string, faults: Record<string, unknown>) => {
    const response = await fetch(`${alipay.baseUrl}/__mock/faults/${id}`, {
      method: 'PUT',
      body: JSON.stringify(faults),
    });
    assert.equal(response.status, 204);
  };
  const mismatchesOf = async (id: string) =>
    (await world.core.client.topUpMismatches({ billDate: shanghaiToday(), limit: 500 })).items.filter(
      (m) => m.outTradeNo === id,
    );

  return {
    alipay,
    wechatPay,
    world,
    notifyUrl,
    appKeys,
    otherKeys,
    receiver,
    clientOf,
    alipayStudent,
    browserStudent,
    create,
    balance,
    stored,
    tradePay,
    deliveries,
    setFaults,
    mismatchesOf,
    stop: async () => {
      await receiver.close();
      await world.stop();
      await alipay.close();
      await wechatPay.close();
    },
  };
}

export type AlipayTopUps = Awaited<ReturnType<typeof startAlipayTopUps>>;
