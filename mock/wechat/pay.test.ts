import assert from 'node:assert/strict';
import { createHash, createVerify, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type Pay from 'wechatpay-node-v3';
import { RETRY_SCHEDULE_MS } from './pay/notifications.ts';
import { type PayStandIn, startPayStandIn } from './pay/server.ts';
import {
  API_V3_KEY,
  APPID,
  MCHID,
  makeMerchant,
  makePay,
  type Receiver,
  startReceiver,
  VerifyingTransport,
  waitFor,
} from './test-support.ts';
import type { CertifiedKey } from './x509.ts';

const RETRY_SCALE = 0.002;

interface PaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

describe('WeChat Pay v3 stand-in driven by the real SDK', () => {
  let merchant: CertifiedKey;
  let standIn: PayStandIn;
  let pay: Pay;
  let receiver: Receiver;

  before(async () => {
    merchant = makeMerchant();
    standIn = await startPayStandIn({
      merchants: [{ mchid: MCHID, certificatePem: merchant.certificatePem, apiV3Key: API_V3_KEY }],
      retryScale: RETRY_SCALE,
      refundSettleMs: 20,
      billsSameDay: true,
    });
    pay = makePay(merchant);
    new VerifyingTransport(standIn.baseUrl).attach(pay);
    receiver = await startReceiver(pay);
  });

  after(async () => {
    await standIn.close();
    await receiver.close();
  });

  const newOrderNo = () => `T${randomBytes(8).toString('hex')}`;

  async function order(outTradeNo: string, total = 1000): Promise<PaymentParams> {
    const result = await pay.transactions_jsapi({
      description: 'Campus card top-up',
      out_trade_no: outTradeNo,
      notify_url: receiver.url,
      amount: { total, currency: 'CNY' },
      payer: { openid: 'o-student-1' },
    });
    assert.equal(result.status, 200, JSON.stringify(result));
    return result.data as PaymentParams;
  }

  async function query(outTradeNo: string) {
    return (await pay.query({ out_trade_no: outTradeNo })) as {
      status: number;
      data?: Record<string, unknown>;
    };
  }

  test('when a JSAPI order is placed, then a prepay_id comes back and the paySign verifies with the merchant certificate', async () => {
    // Goal: the SDK's wx.requestPayment parameters are exactly what the WeChat client will accept.
    const params = await order(newOrderNo());
    assert.match(params.package, /^prepay_id=wx/);
    const signed = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    assert.ok(
      createVerify('RSA-SHA256').update(signed).verify(merchant.certificatePem, params.paySign, 'base64'),
    );
    const forged = await standIn.pay({ ...params, nonceStr: 'other' });
    assert.deepEqual(forged.ok ? 'paid' : forged.code, 'SIGN_ERROR');
  });

  test('when an order is queried before and after payment, then NOTPAY turns into SUCCESS with a transaction id', async () => {
    // Goal: the poller for unconfirmed orders sees the same states WeChat reports.
    const outTradeNo = newOrderNo();
    const params = await order(outTradeNo);
    assert.equal((await query(outTradeNo)).data?.trade_state, 'NOTPAY');
    const paid = await fetch(`${standIn.baseUrl}/__mock/pay/${params.package.slice(10)}`, {
      method: 'POST',
      body: JSON.stringify(params),
    });
    assert.equal(paid.status, 200);
    const after = await query(outTradeNo);
    assert.equal(after.data?.trade_state, 'SUCCESS');
    assert.match(String(after.data?.transaction_id), /^42000\d{23}$/);
    const unknown = await query(newOrderNo());
    assert.equal(unknown.status, 404);
    assert.match(String((unknown as { error?: string }).error), /ORDER_NOT_EXIST/);
  });

  test('when an unpaid order is closed, then it reads CLOSED and can no longer be paid', async () => {
    // Goal: expired top-ups we close cannot be paid behind our back.
    const outTradeNo = newOrderNo();
    const params = await order(outTradeNo);
    assert.equal((await pay.close(outTradeNo)).status, 204);
    assert.equal((await query(outTradeNo)).data?.trade_state, 'CLOSED');
    const attempt = await standIn.pay(params);
    assert.equal(attempt.ok ? 'paid' : attempt.code, 'ORDER_CLOSED');
  });

  test('when a paid order is notified, then the receiver verifies the raw body with pay.verifySign and decrypts the transaction', async () => {
    // Goal: the notification is a faithful v3 envelope our notify route can check end to end.
    const outTradeNo = newOrderNo();
    await standIn.pay(await order(outTradeNo, 2500));
    await waitFor(() => receiver.received.some((r) => r.resource?.out_trade_no === outTradeNo));
    const note = receiver.received.find((r) => r.resource?.out_trade_no === outTradeNo);
    assert.equal(note?.verdict, 'ok');
    assert.equal(note?.envelope.event_type, 'TRANSACTION.SUCCESS');
    assert.equal(note?.envelope.resource.associated_data, 'transaction');
    assert.equal(note?.envelope.resource.nonce.length, 12);
    assert.equal(note?.headers['wechatpay-serial'], standIn.platform.serialNo);
    // The SDK's own decipher agrees with ours on an untampered resource.
    const { ciphertext, associated_data, nonce } = note?.envelope.resource ?? {
      ciphertext: '',
      associated_data: '',
      nonce: '',
    };
    const viaSdk = pay.decipher_gcm<Record<string, unknown>>(ciphertext, associated_data, nonce, API_V3_KEY);
    assert.equal(viaSdk.trade_state, 'SUCCESS');
    assert.deepEqual(note?.resource?.amount, {
      total: 2500,
      payer_total: 2500,
      currency: 'CNY',
      payer_currency: 'CNY',
    });
    assert.equal(note?.resource?.mchid, MCHID);
    assert.equal(note?.resource?.appid, APPID);
  });

  test('when a paid order is refunded, then the refund succeeds, reads SUCCESS and is notified with associated_data refund', async () => {
    // Goal: top-up refunds on card cancellation go through the same API and notification as WeChat's.
    const outTradeNo = newOrderNo();
    await standIn.pay(await order(outTradeNo, 3000));
    const refund = await pay.refunds({
      out_trade_no: outTradeNo,
      out_refund_no: `R${outTradeNo}`,
      reason: 'card cancelled',
      notify_url: receiver.url,
      amount: { refund: 1000, total: 3000, currency: 'CNY' },
    });
    assert.equal(refund.status, 200);
    assert.equal(refund.data?.status, 'PROCESSING');
    await waitFor(() => receiver.received.some((r) => r.resource?.out_refund_no === `R${outTradeNo}`));
    const found = await pay.find_refunds(`R${outTradeNo}`);
    assert.equal(found.data?.status, 'SUCCESS');
    const note = receiver.received.find((r) => r.resource?.out_refund_no === `R${outTradeNo}`);
    assert.equal(note?.envelope.event_type, 'REFUND.SUCCESS');
    assert.equal(note?.envelope.resource.associated_data, 'refund');
    assert.equal(note?.resource?.refund_status, 'SUCCESS');
    const tooMuch = await pay.refunds({
      out_trade_no: outTradeNo,
      out_refund_no: `S${outTradeNo}`,
      amount: { refund: 2001, total: 3000, currency: 'CNY' },
    });
    assert.equal(tooMuch.status, 403);
  });

  test('when our request is signed with the wrong key, then the answer is 401 SIGN_ERROR', async () => {
    // Goal: a broken merchant key fails loudly in tests, as it would against WeChat.
    const impostor = makePay(merchant, makeMerchant().privateKeyPem);
    new VerifyingTransport(standIn.baseUrl).attach(impostor);
    const result = await impostor.query({ out_trade_no: newOrderNo() });
    assert.equal(result.status, 401);
    assert.match(String(result.error), /SIGN_ERROR/);
  });

  test('when a request is replayed outside the 300 s window, then the answer is 401 SIGN_ERROR', async () => {
    // Goal: timestamps are checked, so captured requests cannot be replayed later.
    const path = `/v3/pay/transactions/out-trade-no/${newOrderNo()}?mchid=${MCHID}`;
    const timestamp = String(Math.floor(Date.now() / 1000) - 301);
    const nonce = 'N1';
    const signature = (await import('./pay/signing.ts')).signText(
      (await import('node:crypto')).createPrivateKey(merchant.privateKeyPem),
      `GET\n${path}\n${timestamp}\n${nonce}\n\n`,
    );
    const response = await fetch(`${standIn.baseUrl}${path}`, {
      headers: {
        Authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${MCHID}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${merchant.serialNo.toLowerCase()}",signature="${signature}"`,
      },
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'SIGN_ERROR');
  });

  test('when the receiver fails, then WeChat retries on the scaled schedule until it answers 2xx', async () => {
    // Goal: our notify route can rely on retries, and tests can watch them without waiting minutes.
    const outTradeNo = newOrderNo();
    receiver.statuses.push(500, 500, 503);
    await standIn.pay(await order(outTradeNo));
    await waitFor(() => standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo).length === 4);
    const attempts = standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo);
    assert.deepEqual(
      attempts.map((d) => d.status),
      [500, 500, 503, 204],
    );
    for (let i = 1; i < attempts.length; i++) {
      const gapMs = (attempts[i]?.atMs ?? 0) - (attempts[i - 1]?.atMs ?? 0);
      const expectedMs = (RETRY_SCHEDULE_MS[i - 1] ?? 0) * RETRY_SCALE;
      assert.ok(gapMs >= expectedMs - 2, `retry ${i} after ${gapMs} ms, expected ${expectedMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo).length, 4);
  });

  describe('fault switches', () => {
    async function payWith(faults: Parameters<PayStandIn['faults']['setForOrder']>[1]) {
      const outTradeNo = newOrderNo();
      const params = await order(outTradeNo);
      const set = await fetch(`${standIn.baseUrl}/__mock/faults/${outTradeNo}`, {
        method: 'PUT',
        body: JSON.stringify(faults),
      });
      assert.equal(set.status, 204);
      const paidAtMs = Date.now();
      await standIn.pay(params);
      return { outTradeNo, paidAtMs };
    }

    const deliveriesOf = (outTradeNo: string) =>
      standIn.deliveries.filter((d) => d.outTradeNo === outTradeNo);
    // Retries of earlier faulty notifications keep arriving, so match what was received by notification id.
    const receivedFor = (outTradeNo: string) => {
      const ids = new Set(deliveriesOf(outTradeNo).map((d) => d.notificationId));
      return receiver.received.filter((r) => ids.has(r.envelope.id));
    };

    test('when duplicate is on, then the same notification id arrives twice', async () => {
      // Goal: our crediting must be idempotent per transaction_id; this makes the duplicate happen.
      const { outTradeNo } = await payWith({ duplicate: true });
      await waitFor(() => deliveriesOf(outTradeNo).length === 2);
      const ids = receiver.received
        .filter((r) => r.resource?.out_trade_no === outTradeNo)
        .map((r) => r.envelope.id);
      assert.equal(ids.length, 2);
      assert.equal(ids[0], ids[1]);
    });

    test('when delay is on, then the first attempt comes no earlier than the delay', async () => {
      // Goal: a poll can overtake the notification, as happens in production.
      const { outTradeNo, paidAtMs } = await payWith({ delayMs: 150 });
      assert.equal((await query(outTradeNo)).data?.trade_state, 'SUCCESS');
      assert.equal(deliveriesOf(outTradeNo).length, 0);
      await waitFor(() => deliveriesOf(outTradeNo).length === 1);
      assert.ok((deliveriesOf(outTradeNo)[0]?.atMs ?? 0) - paidAtMs >= 150);
    });

    test('when bad signature is on, then pay.verifySign refuses it and WeChat keeps retrying', async () => {
      // Goal: a forged notification is refused, and refusing it triggers the retry path.
      const { outTradeNo } = await payWith({ badSignature: true });
      await waitFor(() => deliveriesOf(outTradeNo).length >= 2);
      const seen = receiver.received.filter(
        (r) => JSON.parse(r.rawBody).id === receiver.received.at(-1)?.envelope.id,
      );
      assert.ok(seen.every((r) => r.verdict === 'bad_signature'));
      assert.ok(deliveriesOf(outTradeNo).every((d) => d.status === 401));
    });

    test('when stale timestamp is on, then the signature verifies but the freshness check refuses it', async () => {
      // Goal: the SDK does not check timestamps; our receiver must, and this proves it can tell.
      const { outTradeNo } = await payWith({ staleTimestamp: true });
      await waitFor(() => deliveriesOf(outTradeNo).length >= 1);
      const note = receivedFor(outTradeNo)[0];
      assert.equal(note?.verdict, 'stale');
      const header = String(note?.headers['wechatpay-timestamp']);
      assert.ok(Date.now() / 1000 - Number(header) > 300);
      const signed = await pay.verifySign({
        timestamp: header,
        nonce: String(note?.headers['wechatpay-nonce']),
        serial: String(note?.headers['wechatpay-serial']),
        signature: String(note?.headers['wechatpay-signature']),
        body: note?.rawBody ?? '',
      });
      assert.ok(signed);
    });

    test('when tampered ciphertext is on, then the signature verifies but the GCM tag check refuses it', async () => {
      // Goal: the SDK's decipher_gcm ignores the tag; ours must not, and this proves the difference.
      const { outTradeNo } = await payWith({ tamperedCiphertext: true });
      await waitFor(() => deliveriesOf(outTradeNo).length >= 1);
      assert.deepEqual(
        receivedFor(outTradeNo).map((r) => r.verdict),
        ['tampered'],
      );
    });
  });

  test('when the trade bill of today is fetched, then its SHA1 matches the download and it lists the payments', async () => {
    // Goal: the reconciliation job can compare the bill with our ledger, row by row.
    const outTradeNo = newOrderNo();
    await standIn.pay(await order(outTradeNo, 1234));
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const bill = await pay.tradebill({ bill_date: today, bill_type: 'ALL' });
    assert.equal(bill.status, 200);
    assert.equal(bill.data.hash_type, 'SHA1');
    const downloaded = await pay.downloadBill(bill.data.download_url);
    assert.equal(downloaded.status, 200);
    const text = String(downloaded.data);
    assert.equal(createHash('sha1').update(text).digest('hex'), bill.data.hash_value);
    const row = text.split('\r\n').find((line) => line.includes(`\`${outTradeNo}`));
    assert.ok(row?.includes('`SUCCESS'));
    assert.ok(row?.includes('`12.34'));
    const tomorrow = new Date(Date.now() + 32 * 3_600_000).toISOString().slice(0, 10);
    assert.equal((await pay.tradebill({ bill_date: tomorrow, bill_type: 'ALL' })).status, 400);
  });
});
