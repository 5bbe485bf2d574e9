import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AlipaySdk } from 'alipay-sdk';
import { RETRY_SCHEDULE_MS } from './notifications.ts';
import { type AlipayStandIn, startAlipayStandIn } from './server.ts';
import type { RsaKeyPair } from './signing.ts';
import { rsa2Verify, signContent } from './signing.ts';
import {
  AlipayGateway,
  APP_ID,
  makeAppKeys,
  type Receiver,
  startReceiver,
  unzipEntries,
  waitFor,
} from './test-support.ts';

const RETRY_SCALE = 0.0001;
const USER_ID_APP = '2021000100000002';
const RETURN_ORIGIN = 'http://127.0.0.1:9';

describe('Alipay open-platform stand-in driven by the real alipay-sdk', () => {
  let appKeys: RsaKeyPair;
  let standIn: AlipayStandIn;
  let gateway: AlipayGateway;
  let receiver: Receiver;

  before(async () => {
    appKeys = makeAppKeys();
    standIn = await startAlipayStandIn({
      apps: [
        {
          appId: APP_ID,
          appPublicKey: appKeys.publicKeyPem,
          idMode: 'open_id',
          sellerId: '2088000000000001',
        },
        { appId: USER_ID_APP, appPublicKey: appKeys.publicKeyPem, idMode: 'user_id' },
      ],
      retryScale: RETRY_SCALE,
      h5ReturnOrigins: [RETURN_ORIGIN],
      billsSameDay: true,
      outOfOrderHoldMs: 5_000,
    });
    gateway = makeGateway(APP_ID);
    receiver = await startReceiver((fields) => gateway.verifyNotification(fields));
  });

  after(async () => {
    await standIn.close();
    await receiver.close();
  });

  function makeGateway(
    appId: string,
    overrides: { privateKey?: string; alipayPublicKey?: string; gatewayUrl?: string } = {},
  ) {
    return new AlipayGateway({
      appId,
      privateKey: overrides.privateKey ?? appKeys.privateKeyPem,
      alipayPublicKey: overrides.alipayPublicKey ?? standIn.alipayPublicKey,
      gatewayUrl: overrides.gatewayUrl ?? standIn.gatewayUrl,
      timeoutMs: 2_000,
    });
  }

  const newOrderNo = () => `T${randomBytes(8).toString('hex')}`;

  async function create(outTradeNo: string, totalAmount = '12.50') {
    const result = await gateway.exec('alipay.trade.create', {
      notify_url: receiver.url,
      bizContent: {
        out_trade_no: outTradeNo,
        total_amount: totalAmount,
        subject: '校园卡充值',
        buyer_open_id: '0buyer',
      },
    });
    assert.equal(result.kind, 'ok', JSON.stringify(result));
    return (result as { data: Record<string, string> }).data;
  }

  const query = (outTradeNo: string) =>
    gateway.exec('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } });

  const notificationsOf = (outTradeNo: string) =>
    receiver.received.filter((n) => n.fields.out_trade_no === outTradeNo);

  test('when a person signs in with an auth code, then oauth.token answers their open_id, verified, and the code is single use', async () => {
    // Goal: the login path the BFF uses gets a verified id, and a replayed code is a verified refusal.
    standIn.faults.clear();
    const minted = standIn.mintAuthCode(APP_ID);
    const first = await gateway.exec('alipay.system.oauth.token', {
      grant_type: 'authorization_code',
      code: minted.code,
    });
    assert.equal(first.kind, 'ok', JSON.stringify(first));
    const data = (first as { data: Record<string, unknown> }).data;
    assert.equal(data.open_id, minted.openId);
    assert.equal(data.user_id, undefined);
    assert.match(String(data.access_token), /^authusrB/);
    const again = await gateway.exec('alipay.system.oauth.token', {
      grant_type: 'authorization_code',
      code: minted.code,
    });
    assert.deepEqual(again, {
      kind: 'refused',
      code: '40002',
      subCode: 'isv.code-invalid',
      subMsg: '授权码code无效',
    });
  });

  test('when the app is set to user ids, then oauth.token answers the 2088 user_id, the same person in both apps has one user_id and two open_ids', async () => {
    standIn.faults.clear();
    const person = standIn.mintAuthCode(USER_ID_APP);
    const result = await makeGateway(USER_ID_APP).exec('alipay.system.oauth.token', {
      grant_type: 'authorization_code',
      code: person.code,
    });
    assert.equal(result.kind, 'ok', JSON.stringify(result));
    assert.equal((result as { data: Record<string, unknown> }).data.user_id, person.userId);
    assert.match(person.userId, /^2088\d{12}$/);
    const samePerson = standIn.mintAuthCode(APP_ID, { userId: person.userId });
    assert.notEqual(samePerson.openId, person.openId);
  });

  test('when a request is signed with a key that is not the app key, then the gateway refuses it with isv.invalid-signature', async () => {
    standIn.faults.clear();
    const impostor = makeGateway(APP_ID, { privateKey: makeAppKeys().privateKeyPem });
    const result = await impostor.exec('alipay.trade.query', { bizContent: { out_trade_no: 'T1' } });
    assert.equal(result.kind, 'refused');
    assert.equal((result as { subCode: string }).subCode, 'isv.invalid-signature');
  });

  test('when the SDK writes its own timestamp in the process zone (not Beijing), then the gateway refuses it; AlipayGateway writes Beijing time', async () => {
    // Goal: the SDK's local-zone timestamp trap is visible here (tests run in America/Los_Angeles).
    standIn.faults.clear();
    const raw = new AlipaySdk({
      appId: APP_ID,
      privateKey: appKeys.privateKeyPem.trim(),
      alipayPublicKey: standIn.alipayPublicKey.trim(),
      gateway: standIn.gatewayUrl,
    });
    const answer = (await raw.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: 'T1' } },
      { validateSign: true },
    )) as Record<string, unknown>;
    assert.equal(answer.subCode, 'isv.invalid-timestamp');
    const ours = await query('T1');
    assert.equal((ours as { subCode: string }).subCode, 'ACQ.TRADE_NOT_EXIST');
  });

  test("when the gateway answer is signed with a key that is not Alipay's, then every call refuses it, while the bare SDK without validateSign accepts it", async () => {
    // Goal: the trap (validateSign off by default) and the control (AlipayGateway always verifies).
    standIn.faults.clear();
    const outTradeNo = newOrderNo();
    await create(outTradeNo);
    standIn.faults.setGlobal({ badResponseSignature: true });
    try {
      assert.deepEqual(await query(outTradeNo), { kind: 'unavailable', reason: 'bad_signature' });
      const minted = standIn.mintAuthCode(APP_ID);
      assert.deepEqual(
        await gateway.exec('alipay.system.oauth.token', {
          grant_type: 'authorization_code',
          code: minted.code,
        }),
        { kind: 'unavailable', reason: 'bad_signature' },
      );
      // A forged error_response is no refusal either.
      assert.deepEqual(
        await gateway.exec('alipay.system.oauth.token', {
          grant_type: 'authorization_code',
          code: minted.code,
        }),
        { kind: 'unavailable', reason: 'bad_signature' },
      );
      const trusting = new AlipaySdk({
        appId: APP_ID,
        privateKey: appKeys.privateKeyPem.trim(),
        alipayPublicKey: standIn.alipayPublicKey.trim(),
        gateway: standIn.gatewayUrl,
      });
      const accepted = (await trusting.exec('alipay.trade.query', {
        timestamp: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
        bizContent: { out_trade_no: outTradeNo },
      })) as Record<string, unknown>;
      assert.equal(accepted.code, '10000');
    } finally {
      standIn.faults.clear();
    }
  });

  test('when the gateway is down or unreachable, then calls answer unavailable, not a refusal', async () => {
    standIn.faults.setGlobal({ gatewayDown: true });
    try {
      assert.deepEqual(await query('T1'), { kind: 'unavailable', reason: 'http_status' });
    } finally {
      standIn.faults.clear();
    }
    const nowhere = makeGateway(APP_ID, { gatewayUrl: 'http://127.0.0.1:9/gateway.do' });
    // A refused connection is told apart from a lost answer: nothing reached Alipay, so a caller may resend.
    assert.deepEqual(await nowhere.exec('alipay.trade.query', { bizContent: { out_trade_no: 'T1' } }), {
      kind: 'unavailable',
      reason: 'unreachable',
    });
  });

  test('when a trade is created and paid, then query follows it and one signed notification arrives, answered success', async () => {
    standIn.faults.clear();
    const outTradeNo = newOrderNo();
    const created = await create(outTradeNo, '12.50');
    assert.match(created.trade_no ?? '', /^\d{28}$/);
    const waiting = await query(outTradeNo);
    assert.equal((waiting as { data: Record<string, unknown> }).data.trade_status, 'WAIT_BUYER_PAY');
    assert.deepEqual(standIn.pay(APP_ID, { tradeNo: created.trade_no ?? '' }), {
      ok: true,
      tradeNo: created.trade_no,
    });
    await waitFor(() => notificationsOf(outTradeNo).length === 1);
    const [notification] = notificationsOf(outTradeNo);
    assert.equal(notification?.verified, true);
    assert.equal(notification?.fields.app_id, APP_ID);
    assert.equal(notification?.fields.seller_id, '2088000000000001');
    assert.equal(notification?.fields.total_amount, '12.50');
    assert.equal(notification?.fields.trade_status, 'TRADE_SUCCESS');
    assert.equal(notification?.fields.sign_type, 'RSA2');
    const paid = await query(outTradeNo);
    assert.equal((paid as { data: Record<string, unknown> }).data.trade_status, 'TRADE_SUCCESS');
    await waitFor(() => standIn.deliveries.some((d) => d.outTradeNo === outTradeNo && d.acknowledged));
    assert.equal(standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo).length, 1);
  });

  test('when the receiver does not answer success, then the notification is retried on the schedule until it does', async () => {
    standIn.faults.clear();
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo);
    receiver.answers.push('fail', 'SUCCESS ok');
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    await waitFor(() => standIn.deliveries.some((d) => d.outTradeNo === outTradeNo && d.acknowledged));
    const attempts = standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo);
    assert.deepEqual(
      attempts.map((d) => [d.attempt, d.acknowledged]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    assert.equal(new Set(attempts.map((d) => d.notifyId)).size, 1);
    assert.equal(RETRY_SCHEDULE_MS.length, 7, 'eight attempts in all, as Alipay makes');
  });

  test('when the duplicate switch is on, then the same notify_id arrives twice', async () => {
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo);
    standIn.faults.setForOrder(outTradeNo, { duplicate: true });
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    await waitFor(() => notificationsOf(outTradeNo).length === 2);
    const [a, b] = notificationsOf(outTradeNo);
    assert.equal(a?.fields.notify_id, b?.fields.notify_id);
    assert.equal(a?.verified && b?.verified, true);
  });

  test('when the late switch is on, then a query sees the payment before the notification arrives', async () => {
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo);
    standIn.faults.setForOrder(outTradeNo, { delayMs: 300 });
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    const paid = await query(outTradeNo);
    assert.equal((paid as { data: Record<string, unknown> }).data.trade_status, 'TRADE_SUCCESS');
    assert.equal(notificationsOf(outTradeNo).length, 0);
    await waitFor(() => notificationsOf(outTradeNo).length === 1);
  });

  test('when the out-of-order switch is on, then the refund notification arrives before the payment one', async () => {
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo, '10.00');
    standIn.faults.setForOrder(outTradeNo, { outOfOrder: true });
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    const refund = await gateway.exec('alipay.trade.refund', {
      bizContent: { out_trade_no: outTradeNo, refund_amount: '10.00', out_request_no: 'R1' },
    });
    assert.equal(refund.kind, 'ok', JSON.stringify(refund));
    await waitFor(() => notificationsOf(outTradeNo).length === 2);
    const statuses = notificationsOf(outTradeNo).map((n) => [
      n.fields.trade_status,
      n.fields.out_biz_no ?? '',
    ]);
    assert.deepEqual(statuses, [
      ['TRADE_CLOSED', 'R1'],
      ['TRADE_SUCCESS', ''],
    ]);
  });

  test('when the wrong-signature switch is on, then the notification fails verification, is answered fail and retried', async () => {
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo);
    standIn.faults.setForOrder(outTradeNo, { badSignature: true });
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    await waitFor(() => notificationsOf(outTradeNo).length >= 2);
    assert.equal(
      notificationsOf(outTradeNo).every((n) => !n.verified),
      true,
    );
  });

  test('when the amount-mismatch switch is on, then the notification verifies but names one fen more than the order', async () => {
    // Goal: only the receiver's amount check catches it; the signature is honest.
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo, '12.50');
    standIn.faults.setForOrder(outTradeNo, { amountMismatch: true });
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    await waitFor(() => notificationsOf(outTradeNo).length === 1);
    const [notification] = notificationsOf(outTradeNo);
    assert.equal(notification?.verified, true);
    assert.equal(notification?.fields.total_amount, '12.51');
  });

  test('when a notification field is tampered with, then checkNotifySignV2 refuses it', async () => {
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo, '1.00');
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    await waitFor(() => notificationsOf(outTradeNo).length === 1);
    const fields = { ...notificationsOf(outTradeNo)[0]?.fields };
    assert.equal(gateway.verifyNotification(fields), true);
    assert.equal(gateway.verifyNotification({ ...fields, total_amount: '100.00' }), false);
    const { sign: _sign, ...unsigned } = fields;
    assert.equal(gateway.verifyNotification(unsigned), false);
  });

  test("when trades are closed, queried unknown or refunded, then the answers carry Alipay's codes", async () => {
    standIn.faults.clear();
    assert.equal(((await query('T-none')) as { subCode: string }).subCode, 'ACQ.INVALID_PARAMETER');
    assert.equal(((await query('Tnone')) as { subCode: string }).subCode, 'ACQ.TRADE_NOT_EXIST');
    const open = newOrderNo();
    await create(open);
    const closed = await gateway.exec('alipay.trade.close', { bizContent: { out_trade_no: open } });
    assert.equal(closed.kind, 'ok');
    assert.equal(standIn.pay(APP_ID, { outTradeNo: open }).ok, false);
    const paidNo = newOrderNo();
    const { trade_no } = await create(paidNo, '10.00');
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    const closePaid = await gateway.exec('alipay.trade.close', { bizContent: { out_trade_no: paidNo } });
    assert.equal((closePaid as { subCode: string }).subCode, 'ACQ.TRADE_STATUS_ERROR');
    const refund = (amount: string, no: string) =>
      gateway.exec('alipay.trade.refund', {
        bizContent: { out_trade_no: paidNo, refund_amount: amount, out_request_no: no },
      });
    const first = await refund('3.00', 'R1');
    assert.equal((first as { data: Record<string, unknown> }).data.fund_change, 'Y');
    assert.equal((first as { data: Record<string, unknown> }).data.refund_fee, '3.00');
    const repeat = await refund('3.00', 'R1');
    assert.equal((repeat as { data: Record<string, unknown> }).data.fund_change, 'N');
    assert.equal((repeat as { data: Record<string, unknown> }).data.refund_fee, '3.00');
    assert.equal(
      ((await refund('7.01', 'R2')) as { subCode: string }).subCode,
      'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
    );
    assert.equal(
      ((await refund('7.00', 'R2')) as { data: Record<string, unknown> }).data.refund_fee,
      '10.00',
    );
    assert.equal(standIn.trade(APP_ID, paidNo)?.status, 'TRADE_CLOSED');
  });

  test('when the H5 wap.pay page is opened and paid, then the payer returns with a signed return and the trade is notified', async () => {
    standIn.faults.clear();
    const outTradeNo = newOrderNo();
    const url = gateway.pageUrl('alipay.trade.wap.pay', {
      bizContent: {
        out_trade_no: outTradeNo,
        total_amount: '20.00',
        subject: '校园卡充值',
        product_code: 'QUICK_WAP_WAY',
      },
      notifyUrl: receiver.url,
      returnUrl: `${RETURN_ORIGIN}/#/pages/topup/index`,
    });
    const page = await fetch(url);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.match(html, /¥20\.00/);
    const tradeNo = /name="trade_no" value="(\d+)"/.exec(html)?.[1] ?? '';
    const paid = await fetch(`${standIn.baseUrl}/__mock/cashier`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ app_id: APP_ID, trade_no: tradeNo }).toString(),
      redirect: 'manual',
    });
    assert.equal(paid.status, 303);
    const back = new URL(paid.headers.get('location') ?? '');
    assert.equal(back.origin, RETURN_ORIGIN);
    const fields = Object.fromEntries(back.searchParams);
    assert.equal(fields.out_trade_no, outTradeNo);
    assert.equal(
      rsa2Verify(standIn.alipayPublicKey, signContent(fields, ['sign', 'sign_type']), fields.sign ?? ''),
      true,
    );
    await waitFor(() => notificationsOf(outTradeNo).length === 1);
    // A tampered page request (amount changed after signing) is refused before any trade is made.
    const tampered = new URL(url);
    tampered.searchParams.set(
      'biz_content',
      (tampered.searchParams.get('biz_content') ?? '').replace('20.00', '0.01'),
    );
    const refused = await fetch(tampered);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /isv\.invalid-signature/);
  });

  test("when the day's bill is asked for, then a zip of GBK CSVs with GBK names lists the payment and the refund", async () => {
    standIn.faults.clear();
    const outTradeNo = newOrderNo();
    const { trade_no } = await create(outTradeNo, '8.80');
    standIn.pay(APP_ID, { tradeNo: trade_no ?? '' });
    await gateway.exec('alipay.trade.refund', {
      bizContent: { out_trade_no: outTradeNo, refund_amount: '1.30', out_request_no: 'RB1' },
    });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const answer = await gateway.exec('alipay.data.dataservice.bill.downloadurl.query', {
      bizContent: { bill_type: 'trade', bill_date: today },
    });
    assert.equal(answer.kind, 'ok', JSON.stringify(answer));
    const zip = Buffer.from(
      await (
        await fetch(String((answer as { data: Record<string, unknown> }).data.bill_download_url))
      ).arrayBuffer(),
    );
    const entries = unzipEntries(zip);
    const gbk = new TextDecoder('gbk');
    const names = entries.map((e) => gbk.decode(e.nameBytes));
    assert.deepEqual(names, [
      `20880000000000010156_${today.replaceAll('-', '')}_业务明细.csv`,
      `20880000000000010156_${today.replaceAll('-', '')}_业务明细(汇总).csv`,
    ]);
    assert.equal(
      entries.every((e) => (e.flags & 0x800) === 0),
      true,
      'no UTF-8 flag',
    );
    const detail = gbk.decode(entries[0]?.data);
    assert.match(detail, /\r\n/);
    const lines = detail.split('\r\n');
    const header = lines.find((l) => l.startsWith('支付宝交易号'))?.split(',') ?? [];
    const rows = lines.filter((l) => l.includes(outTradeNo)).map((l) => l.split(',').map((f) => f.trim()));
    const column = (name: string) => header.indexOf(name);
    assert.deepEqual(
      rows.map((r) => [r[column('业务类型')], r[column('订单金额（元）')], r[column('退款批次号/请求号')]]),
      [
        ['交易', '8.80', ''],
        ['退款', '-1.30', 'RB1'],
      ],
    );
    const missing = await gateway.exec('alipay.data.dataservice.bill.downloadurl.query', {
      bizContent: { bill_type: 'trade', bill_date: '2001-01-01' },
    });
    assert.equal((missing as { subCode: string }).subCode, 'isp.bill_not_exist');
  });
});
