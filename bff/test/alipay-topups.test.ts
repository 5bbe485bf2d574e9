import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { shanghaiToday } from '../../core/src/time.ts';
import { type AlipayStandIn, startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair, type RsaKeyPair } from '../../mock/alipay/signing.ts';
import { type Receiver, startReceiver } from '../../mock/alipay/test-support.ts';
import { type PayStandIn, startPayStandIn } from '../../mock/wechat/pay/server.ts';
import { API_V3_KEY, MCHID, makeMerchant } from '../../mock/wechat/test-support.ts';
import { AlipayPay, fenToYuan, outRequestNoOf, yuanToFen } from '../src/services/alipay-pay.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import { openPerson } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';
import { cardCentre } from './topups-support.ts';

const ALIPAY_APP_ID = '2021000100000001';
/** Another merchant's app on the same platform: its notifications are genuine but not ours. */
const OTHER_APP_ID = '2021000100000002';
const SELLER_ID = '2088101122334455';
const h5Origin = 'http://127.0.0.1:10086';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
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
 */
describe('Alipay top-ups through alipay-sdk against the open-platform stand-in', () => {
  let alipay: AlipayStandIn;
  let wechatPay: PayStandIn;
  let world: TestWorld;
  let notifyUrl: string;
  let appKeys: RsaKeyPair;
  /** A capturing receiver: genuine signed notifications, kept to be replayed at the BFF. */
  let receiver: Receiver;
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
  let otherKeys: RsaKeyPair;

  before(async () => {
    appKeys = makeRsaKeyPair();
    otherKeys = makeRsaKeyPair();
    alipay = await startAlipayStandIn({
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
    wechatPay = await startPayStandIn({
      merchants: [{ mchid: MCHID, certificatePem: merchant.certificatePem, apiV3Key: API_V3_KEY }],
      billsSameDay: true,
    });
    const port = await freePort();
    notifyUrl = `http://127.0.0.1:${port}/api/v1/pay/alipay/notify`;
    world = await startWorld({
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
    const verifier = clientOf(ALIPAY_APP_ID, appKeys, notifyUrl);
    receiver = await startReceiver((fields) => verifier.verifyNotification(fields));
  });

  after(async () => {
    await receiver.close();
    await world.stop();
    await alipay.close();
    await wechatPay.close();
  });

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

  test('refund ids become distinct out_request_no values of letters, digits and _', () => {
    assert.equal(outRequestNoOf('adm-abc'), 'adm_2Dabc');
    assert.notEqual(outRequestNoOf('adm-abc'), outRequestNoOf('adm_2Dabc'));
    assert.match(outRequestNoOf(`apr-${'-'.repeat(60)}`), /^h[0-9a-f]{63}$/);
    for (const id of ['adm-x', 'a|b*c@d', 'x'.repeat(64)])
      assert.match(outRequestNoOf(id), /^[A-Za-z0-9_]{1,64}$/);
  });

  test('yuan strings convert to fen exactly, without floats', () => {
    assert.equal(yuanToFen('0.29'), 29);
    assert.equal(yuanToFen('12.5'), 1250);
    assert.equal(yuanToFen('1000.07'), 100_007);
    for (const bad of ['12.505', '-1.00', '1e3', ' 1.00', '01.00', '1.', '', '0x10'])
      assert.equal(yuanToFen(bad), undefined, bad);
    assert.equal(fenToYuan(29), '0.29');
    assert.equal(fenToYuan(100_007), '1000.07');
  });

  test('when an Alipay student orders, pays with my.tradePay and Alipay notifies, then the card is credited once under ali:<trade_no> and Alipay reads success', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 2_990);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.channel, 'alipay');
    assert.equal(created.body.payment, undefined, 'no WeChat requestPayment parameters');
    // The same account asking for a WeChat payment is refused before any order exists.
    const wechat = await world.request<{ code: string }>('POST', '/api/v1/top-ups', {
      token: student.accessToken,
      body: { amount: 2_990, channel: 'wechat' },
    });
    assert.equal(wechat.status, 400, JSON.stringify(wechat.body));
    assert.equal(wechat.body.code, 'VALIDATION_FAILED');
    assert.equal((await world.core.client.topUpOrders(student.cardNo)).items.length, 1);
    const trade = alipay.trade(ALIPAY_APP_ID, created.body.id);
    assert.equal(trade?.totalFen, 2_990, 'alipay.trade.create for 29.90 yuan');
    assert.equal(trade?.buyer.openId, student.openId, 'the buyer is the signed-in Alipay account');
    const tradeNo = tradePay(created.body);
    await eventually(async () => (await stored(created.body.id)).status === 'credited');
    const order = await stored(created.body.id);
    assert.equal(order.operationId, `ali:${tradeNo}`);
    assert.equal(order.transactionId, tradeNo);
    assert.equal(await balance(student.cardNo), 2_990);
    await eventually(() => deliveries(created.body.id).some((d) => d.acknowledged));
    assert.deepEqual(
      deliveries(created.body.id).map((d) => [d.status, d.answer]),
      [[200, 'success']],
    );
    const read = await world.request<TopUpView>('GET', `/api/v1/top-ups/${created.body.id}`, {
      token: student.accessToken,
    });
    assert.equal(read.body.status, 'credited');
  });

  test('when the same notification arrives twice, late and overtaken by a refund, then the card is credited once', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 1_500);
    await setFaults(created.body.id, { duplicate: true, delayMs: 150, outOfOrder: true });
    tradePay(created.body);
    // The payment's notification is held back (outOfOrder) until the next one, the refund's: the
    // result page's read asks Alipay (alipay.trade.query) and credits meanwhile.
    const read = await world.request<TopUpView>('GET', `/api/v1/top-ups/${created.body.id}`, {
      token: student.accessToken,
    });
    assert.equal(read.body.status, 'credited');
    assert.equal(deliveries(created.body.id).length, 0, 'no notification has arrived yet');
    assert.equal(await balance(student.cardNo), 1_500);
    const centre = await cardCentre(world);
    const refunded = await centre.refund(created.body.id, {
      requestId: randomBytes(6).toString('hex'),
      amount: 500,
      reason: '多充',
    });
    assert.equal(refunded.status, 200, JSON.stringify(refunded.body));
    // The refund's notification first, then the payment's twice (duplicate), all late.
    await eventually(() => deliveries(created.body.id).filter((d) => d.acknowledged).length >= 4, 8_000);
    assert.ok(
      deliveries(created.body.id).every((d) => d.answer === 'success'),
      JSON.stringify(deliveries(created.body.id)),
    );
    assert.equal(await balance(student.cardNo), 1_000, 'credited once, refunded once');
    assert.deepEqual((await checkLedger(world.core.core.db)).breaks, []);
  });

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

  const post = (body: string) =>
    fetch(notifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }).then(async (r) => [r.status, await r.text()] as const);

  test('when 50 copies of one genuine notification arrive at once, then the card is credited once and every copy reads success', async () => {
    alipay.faults.clear();
    const student = await browserStudent();
    const created = await create(student, 1_234);
    // The trade is opened at Alipay with a capturing notify_url, so the test holds Alipay's own
    // signed notification and can deliver it 50 times at once.
    const client = clientOf(ALIPAY_APP_ID, appKeys, receiver.url);
    const tradeNo = await client.createForMiniProgram({
      outTradeNo: created.body.id,
      amount: 1_234,
      expiresAtMs: created.body.expiresAtMs,
      openid: 'ali-buyer-of-h5',
    });
    const paid = alipay.pay(ALIPAY_APP_ID, { tradeNo });
    assert.ok(paid.ok);
    await eventually(() => receiver.received.some((r) => r.fields.out_trade_no === created.body.id));
    const captured = receiver.received.find((r) => r.fields.out_trade_no === created.body.id);
    assert.ok(captured?.verified);
    const body = new URLSearchParams(captured.fields).toString();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    for (const a of answers) assert.deepEqual(a, [200, 'success']);
    assert.equal(await balance(student.cardNo), 1_234);
    assert.equal((await stored(created.body.id)).operationId, `ali:${tradeNo}`);
    // One field changed after signing is a forgery: refused, nothing changes.
    const tampered = new URLSearchParams({ ...captured.fields, total_amount: '99.99' }).toString();
    assert.deepEqual(await post(tampered), [401, 'fail']);
  });

  test('when a notification is signed with a foreign key, then it is refused (not success) and nothing is credited until the poller asks Alipay', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 800);
    await setFaults(created.body.id, { badSignature: true });
    tradePay(created.body);
    await eventually(() => deliveries(created.body.id).length >= 2);
    for (const d of deliveries(created.body.id)) {
      assert.equal(d.acknowledged, false);
      assert.equal(d.answer, 'fail');
    }
    assert.equal((await stored(created.body.id)).status, 'created');
    assert.equal(await balance(student.cardNo), 0);
    // The payment is genuine at Alipay: the poller's signed query credits it.
    await world.bff.bff.topUps?.pollOnce();
    assert.equal((await stored(created.body.id)).status, 'credited');
    assert.equal(await balance(student.cardNo), 800);
  });

  test('when a genuine notification says one fen more than the order, then nothing is credited, Alipay reads success and the card centre sees amount_differs', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 1_000);
    await setFaults(created.body.id, { amountMismatch: true });
    tradePay(created.body);
    await eventually(() => deliveries(created.body.id).some((d) => d.acknowledged));
    assert.equal(deliveries(created.body.id)[0]?.answer, 'success');
    assert.equal((await stored(created.body.id)).status, 'created');
    assert.equal(await balance(student.cardNo), 0);
    const found = await mismatchesOf(created.body.id);
    assert.deepEqual(
      found.map((m) => m.kind),
      ['amount_differs'],
    );
    assert.match(found[0]?.theirs ?? '', /10\.01/);
  });

  test('when a genuine notification names an order we never made or another app, then it is answered success and filed, nothing credited', async () => {
    alipay.faults.clear();
    // Our app, an out_trade_no of our form that we never made.
    const unknown = `TU${randomBytes(13).toString('hex').toUpperCase()}`;
    const ours = clientOf(ALIPAY_APP_ID, appKeys, notifyUrl);
    const tradeNo = await ours.createForMiniProgram({
      outTradeNo: unknown,
      amount: 500,
      expiresAtMs: Date.now() + 60_000,
      openid: 'ali-somebody',
    });
    assert.ok(alipay.pay(ALIPAY_APP_ID, { tradeNo }).ok);
    await eventually(() => deliveries(unknown).some((d) => d.acknowledged));
    assert.deepEqual(
      deliveries(unknown).map((d) => d.answer),
      ['success'],
    );
    assert.deepEqual(
      (await mismatchesOf(unknown)).map((m) => m.kind),
      ['missing_ours'],
    );
    // Another app's genuine notification naming one of our real orders: not ours to credit.
    const student = await browserStudent();
    const created = await create(student, 600);
    const other = clientOf(OTHER_APP_ID, otherKeys, notifyUrl);
    const otherTrade = await other.createForMiniProgram({
      outTradeNo: created.body.id,
      amount: 600,
      expiresAtMs: Date.now() + 60_000,
      openid: 'ali-somebody',
    });
    assert.ok(alipay.pay(OTHER_APP_ID, { tradeNo: otherTrade }).ok);
    await eventually(() => deliveries(created.body.id).some((d) => d.acknowledged));
    assert.equal((await stored(created.body.id)).status, 'created');
    assert.equal(await balance(student.cardNo), 0);
    assert.deepEqual(
      (await mismatchesOf(created.body.id)).map((m) => m.kind),
      ['missing_ours'],
    );
  });

  test('when the gateway is down while notifications are lost, then the poller credits later once it answers', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 700);
    await setFaults(created.body.id, { delayMs: 60_000 });
    tradePay(created.body);
    alipay.faults.setGlobal({ gatewayDown: true });
    try {
      const report = await world.bff.bff.topUps?.pollOnce();
      assert.ok((report?.failed ?? 0) >= 1, JSON.stringify(report));
      assert.equal((await stored(created.body.id)).status, 'created');
    } finally {
      alipay.faults.setGlobal({});
    }
    await world.bff.bff.topUps?.pollOnce();
    assert.equal((await stored(created.body.id)).status, 'credited');
    assert.equal(await balance(student.cardNo), 700);
  });

  test('when an unpaid Alipay order expires, then the poller closes it at Alipay first and then here, and it can no longer be paid', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 900);
    await world.core.core.db.execute('UPDATE top_up_orders SET expires_at_ms = ? WHERE id = ?', [
      Date.now() - 1,
      created.body.id,
    ]);
    await world.bff.bff.topUps?.pollOnce();
    assert.equal((await stored(created.body.id)).status, 'closed');
    assert.equal(alipay.trade(ALIPAY_APP_ID, created.body.id)?.status, 'TRADE_CLOSED');
    const late = alipay.pay(ALIPAY_APP_ID, { outTradeNo: created.body.id });
    assert.equal(late.ok, false);
    assert.equal(await balance(student.cardNo), 0);
  });

  test('when finance refunds part and then the rest of an Alipay top-up, then alipay.trade.refund moves the money under each out_request_no and the order is refunded', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 2_000);
    tradePay(created.body);
    await eventually(async () => (await stored(created.body.id)).status === 'credited');
    const centre = await cardCentre(world);
    const requestId = randomBytes(6).toString('hex');
    const first = await centre.refund(created.body.id, { requestId, amount: 600, reason: '退款' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // A retry of the same request moves nothing again (same out_request_no at Alipay).
    await centre.refund(created.body.id, { requestId, amount: 600, reason: '退款' });
    const trade = alipay.trade(ALIPAY_APP_ID, created.body.id);
    assert.deepEqual(
      trade?.refunds.map((r) => [r.outRequestNo, r.amountFen]),
      [[outRequestNoOf(`adm-${requestId}`), 600]],
    );
    assert.equal(await balance(student.cardNo), 1_400);
    await centre.refund(created.body.id, {
      requestId: randomBytes(6).toString('hex'),
      amount: 1_400,
      reason: '退款',
    });
    assert.equal(await balance(student.cardNo), 0);
    assert.equal((await stored(created.body.id)).status, 'refunded');
    assert.equal(alipay.trade(ALIPAY_APP_ID, created.body.id)?.status, 'TRADE_CLOSED');
    const refunds = await world.core.client.topUpRefunds(created.body.id);
    assert.deepEqual(
      refunds.items.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
    assert.deepEqual((await checkLedger(world.core.core.db)).breaks, []);
  });

  test('when Alipay refuses a refund, then the money goes back to the wallet and the refund is failed', async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const created = await create(student, 1_000);
    tradePay(created.body);
    await eventually(async () => (await stored(created.body.id)).status === 'credited');
    // Alipay's trade was refunded in part behind our back: our full refund is more than it has left.
    await clientOf(ALIPAY_APP_ID, appKeys, notifyUrl).refund({
      outTradeNo: created.body.id,
      refundId: 'outside-1',
      amount: 100,
      reason: '测试',
    });
    const centre = await cardCentre(world);
    const reply = await centre.refund(created.body.id, {
      requestId: randomBytes(6).toString('hex'),
      amount: 1_000,
      reason: '退款',
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal((reply.body as { refund: { status: string } }).refund.status, 'failed');
    assert.equal(await balance(student.cardNo), 1_000);
    assert.equal((await stored(created.body.id)).refundedAmount, 0);
    assert.deepEqual((await checkLedger(world.core.core.db)).breaks, []);
  });

  test('when a student outside the Alipay app (H5) tops up with Alipay, then the answer is a signed wap.pay cashier URL and paying there credits the card', async () => {
    alipay.faults.clear();
    const student = await browserStudent();
    const limits = await world.request<{ channels: string[] }>('GET', '/api/v1/top-ups/limits', {
      token: student.accessToken,
    });
    assert.deepEqual(limits.body.channels, ['wechat', 'alipay'], 'the H5 page may offer both');
    const created = await create(student, 1_100);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.alipay, undefined);
    const url = new URL(created.body.payPageUrl ?? '');
    assert.equal(url.origin + url.pathname, alipay.gatewayUrl);
    assert.equal(url.searchParams.get('method'), 'alipay.trade.wap.pay');
    const cashier = await fetch(url);
    assert.equal(cashier.status, 200, await cashier.clone().text());
    const html = await cashier.text();
    const tradeNo = /name="trade_no" value="(\d+)"/.exec(html)?.[1];
    assert.ok(tradeNo);
    const paid = await fetch(`${alipay.baseUrl}/__mock/cashier`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ app_id: ALIPAY_APP_ID, trade_no: tradeNo }),
      redirect: 'manual',
    });
    assert.equal(paid.status, 303);
    // Alipay's signed synchronous return, back to the H5 result page of this order.
    const back = new URL(paid.headers.get('location') ?? '');
    assert.equal(back.origin, h5Origin);
    assert.equal(back.hash, `#/pages/top-up-result/index?id=${created.body.id}`);
    assert.equal(back.searchParams.get('out_trade_no'), created.body.id);
    await eventually(async () => (await stored(created.body.id)).status === 'credited');
    assert.equal(await balance(student.cardNo), 1_100);
  });

  test("when today's Alipay bill is downloaded (zipped GBK CSV) and reconciled, then a trade paid at Alipay but not credited here is state_differs, one we never ordered is missing_ours, and a credited one is no difference", async () => {
    alipay.faults.clear();
    const student = await alipayStudent();
    const credited = await create(student, 1_010);
    tradePay(credited.body);
    await eventually(async () => (await stored(credited.body.id)).status === 'credited');
    const lost = await create(student, 1_020);
    await setFaults(lost.body.id, { delayMs: 60_000 });
    tradePay(lost.body);
    const unknown = `TU${randomBytes(13).toString('hex').toUpperCase()}`;
    const tradeNo = await clientOf(ALIPAY_APP_ID, appKeys, receiver.url).createForMiniProgram({
      outTradeNo: unknown,
      amount: 1_030,
      expiresAtMs: Date.now() + 60_000,
      openid: 'ali-somebody',
    });
    assert.ok(alipay.pay(ALIPAY_APP_ID, { tradeNo }).ok);
    const day = shanghaiToday();
    const centre = await cardCentre(world);
    const reply = await centre.reconcile(day);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.deepEqual(
      (await mismatchesOf(lost.body.id)).map((m) => m.kind),
      ['state_differs'],
    );
    assert.deepEqual(
      (await mismatchesOf(unknown)).map((m) => [m.kind, m.theirs]),
      [['missing_ours', `SUCCESS 1030 ${tradeNo}`]],
    );
    assert.deepEqual(await mismatchesOf(credited.body.id), []);
    // A rerun stores nothing twice.
    await centre.reconcile(day);
    assert.equal((await mismatchesOf(lost.body.id)).length, 1);
  });

  test('when Alipay is not configured, then its notify route answers fail (503) so Alipay keeps the notification', async () => {
    const bare = await startWorld({});
    try {
      const notify = await fetch(`${bare.bff.url}/api/v1/pay/alipay/notify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'trade_no=1',
      });
      assert.equal(notify.status, 503);
      assert.equal(await notify.text(), 'fail');
    } finally {
      await bare.stop();
    }
  });
});

describe('Alipay top-ups on a server without WeChat Pay', () => {
  test('when only Alipay is configured, then an Alipay student tops up and is credited once, the poller and reconciliation run, and WeChat Pay answers UNAVAILABLE', async () => {
    const appKeys = makeRsaKeyPair();
    const alipay = await startAlipayStandIn({
      apps: [
        { appId: ALIPAY_APP_ID, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id', sellerId: SELLER_ID },
      ],
      billsSameDay: true,
    });
    const port = await freePort();
    const world = await startWorld({
      BFF_PORT: String(port),
      TOP_UP_POLL_INTERVAL_MS: '0',
      TOP_UP_POLL_AFTER_MS: '0',
      ALIPAY_APP_ID,
      ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem,
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_SELLER_ID: SELLER_ID,
      ALIPAY_NOTIFY_URL: `http://127.0.0.1:${port}/api/v1/pay/alipay/notify`,
    });
    try {
      assert.equal(world.bff.bff.config.topUps, undefined, 'no WeChat Pay merchant');
      const minted = alipay.mintAuthCode(ALIPAY_APP_ID);
      const session = await world.request<{ accessToken: string }>('POST', '/api/v1/session/alipay', {
        body: { code: minted.code },
      });
      const person = await openPerson(world);
      await world.request('POST', '/api/v1/binding', {
        token: session.body.accessToken,
        body: { personNo: person.personNo, name: person.name, secret: person.secret },
      });
      const limits = await world.request<{ minAmount: number }>('GET', '/api/v1/top-ups/limits', {
        token: session.body.accessToken,
      });
      assert.equal(limits.status, 200);
      assert.deepEqual((limits.body as { channels?: string[] }).channels, ['alipay']);
      const created = await world.request<TopUpView>('POST', '/api/v1/top-ups', {
        token: session.body.accessToken,
        body: { amount: 1_500, channel: 'alipay' },
        headers: { 'idempotency-key': `key-${randomBytes(8).toString('hex')}` },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(created.body.alipay?.tradeNO);
      assert.ok(alipay.pay(ALIPAY_APP_ID, { tradeNo: created.body.alipay.tradeNO }).ok);
      await eventually(
        async () => (await world.core.client.topUpOrder(created.body.id)).status === 'credited',
      );
      assert.equal((await world.core.client.getCard(person.cardNo)).balance.main, 1_500);
      const report = await world.bff.bff.topUps?.pollOnce();
      assert.equal(report?.failed, 0, JSON.stringify(report));
      const mismatches = await world.bff.bff.topUps?.reconcile(shanghaiToday());
      assert.deepEqual(
        mismatches?.filter((m) => m.outTradeNo === created.body.id),
        [],
      );
      // A WeChat account asking for WeChat Pay, and WeChat's notify route: not configured here.
      const wechatUser = world.login.mintCode('wx0123456789abcdef', {});
      const wx = await world.request<{ accessToken: string }>('POST', '/api/v1/session', {
        body: { code: wechatUser.code },
      });
      const other = await openPerson(world);
      await world.request('POST', '/api/v1/binding', {
        token: wx.body.accessToken,
        body: { personNo: other.personNo, name: other.name, secret: other.secret },
      });
      const refused = await world.request<{ code: string }>('POST', '/api/v1/top-ups', {
        token: wx.body.accessToken,
        body: { amount: 1_500 },
      });
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'UNAVAILABLE');
      const notify = await fetch(`${world.bff.url}/api/v1/pay/notify`, { method: 'POST', body: '{}' });
      assert.equal(notify.status, 503);
    } finally {
      await world.stop();
      await alipay.close();
    }
  });
});
