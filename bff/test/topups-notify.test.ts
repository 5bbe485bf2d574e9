import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TopUpMismatch } from '@campus-card/core/client';
import Pay from 'wechatpay-node-v3';
import { API_V3_KEY, VerifyingTransport } from '../../mock/wechat/test-support.ts';
import { type RunningBff, startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import {
  balanceOf,
  boundStudent,
  type CardCentre,
  cardCentre,
  createTopUp,
  deliveriesOf,
  MCHID,
  newKey,
  type PayWorld,
  payLikeWechat,
  startPayWorld,
  storedStatus,
  waitFor,
  waitForStatus,
} from './topups-support.ts';

/** Today in Asia/Shanghai, the day a notification's finding is filed under. */
const shanghaiToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long enough for the stand-in's shrunk schedule (first retries after 30 ms) to have retried several times. */
const retryWindowMs = 400;

describe('WeChat Pay notifications that can never apply', () => {
  let w: PayWorld;
  let centre: CardCentre;
  before(async () => {
    w = await startPayWorld();
    centre = await cardCentre(w.world);
  });
  after(() => w.stop());

  /** An order WeChat has under a number of our choosing (as a bug or an attack would make one), paid. */
  async function plantAndPay(input: {
    outTradeNo: string;
    amount: number;
    openid: string;
    pay?: Pay;
    notifyUrl?: string;
  }) {
    const planted = await (input.pay ?? w.pay).transactions_jsapi({
      description: 'planted',
      out_trade_no: input.outTradeNo,
      notify_url: input.notifyUrl ?? w.notifyUrl,
      amount: { total: input.amount, currency: 'CNY' },
      payer: { openid: input.openid },
    });
    assert.equal(planted.status, 200, JSON.stringify(planted));
    const paid = await w.standIn.pay(planted.data);
    assert.ok(paid.ok, JSON.stringify(paid));
  }

  async function findings(outTradeNo: string): Promise<TopUpMismatch[]> {
    const reply = await centre.mismatches(shanghaiToday());
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return (reply.body as unknown as { items: TopUpMismatch[] }).items.filter(
      (m) => m.outTradeNo === outTradeNo,
    );
  }

  async function answeredOnceWith200(outTradeNo: string) {
    await waitFor(() => deliveriesOf(w.standIn, outTradeNo).length >= 1);
    await sleep(retryWindowMs);
    assert.deepEqual(
      deliveriesOf(w.standIn, outTradeNo).map((d) => d.status),
      [200],
      'answered 2xx once: WeChat does not send it again',
    );
  }

  test('#12.14 when WeChat notifies a payment of a different amount than the order, then 200 once, nothing credited, and the card centre sees amount_differs', async () => {
    // Goal: before, a 400 made WeChat send it again for a day; now it stops and the finding is in the backoffice's list.
    const student = await boundStudent(w.world);
    const ours = await w.world.core.client.createTopUpOrder({
      openid: student.openid,
      cardNo: student.cardNo,
      idempotencyKey: newKey(),
      amount: 1_000,
      dailyCap: 30_000,
      ttlMs: 60_000,
    });
    await plantAndPay({ outTradeNo: ours.id, amount: 9_999, openid: student.openid });
    await answeredOnceWith200(ours.id);
    assert.equal(await storedStatus(w.world, ours.id), 'created');
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
    const found = await findings(ours.id);
    assert.deepEqual(
      found.map((m) => m.kind),
      ['amount_differs'],
    );
    assert.match(found[0]?.theirs ?? '', /^SUCCESS 9999 /);
    assert.ok(!JSON.stringify(found).includes(student.openid), 'no payer in the finding');
  });

  test('#12.14 when WeChat notifies a payment for an order we never made, in our number format or not, then 200 once and the card centre sees missing_ours', async () => {
    // Goal: an unknown order (before: 404, or 500 when the number was not of our form) is a finding, not a retry loop.
    const student = await boundStudent(w.world);
    const numbers = [
      `TU${randomBytes(13).toString('hex').toUpperCase()}`,
      `X${randomBytes(8).toString('hex')}`,
    ];
    for (const outTradeNo of numbers) {
      await plantAndPay({ outTradeNo, amount: 1_500, openid: student.openid });
      await answeredOnceWith200(outTradeNo);
      assert.deepEqual(
        (await findings(outTradeNo)).map((m) => m.kind),
        ['missing_ours'],
      );
    }
  });

  test('#12.14 when a notification names another appid, then 200 once, nothing credited, and the card centre sees it with that appid', async () => {
    // Goal: a payment for another mini-program under our merchant never credits a card and never loops.
    const student = await boundStudent(w.world);
    const ours = await w.world.core.client.createTopUpOrder({
      openid: student.openid,
      cardNo: student.cardNo,
      idempotencyKey: newKey(),
      amount: 1_200,
      dailyCap: 30_000,
      ttlMs: 60_000,
    });
    const otherApp = new Pay({
      appid: 'wx9999999999999999',
      mchid: MCHID,
      publicKey: Buffer.from(w.merchant.certificatePem),
      privateKey: Buffer.from(w.merchant.privateKeyPem),
      key: API_V3_KEY,
    });
    new VerifyingTransport(w.standIn.baseUrl).attach(otherApp);
    await plantAndPay({ outTradeNo: ours.id, amount: 1_200, openid: student.openid, pay: otherApp });
    await answeredOnceWith200(ours.id);
    assert.equal(await storedStatus(w.world, ours.id), 'created');
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
    const found = await findings(ours.id);
    assert.equal(found.length, 1);
    assert.match(found[0]?.theirs ?? '', /appid=wx9999999999999999/);
  });

  test('#12.14 when WeChat notifies a refund we never asked for, then 200 once, the card keeps its money, and the card centre sees state_differs', async () => {
    // Goal: a refund notification that can never settle (before: 400, retried for a day) is a finding too.
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 2_000)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    const refunds = () => deliveriesOf(w.standIn, order.id).filter((d) => d.eventType.startsWith('REFUND.'));
    const asked = await w.pay.refunds({
      out_trade_no: order.id,
      out_refund_no: `RX${randomBytes(8).toString('hex')}`,
      notify_url: w.notifyUrl,
      amount: { refund: 500, total: 2_000, currency: 'CNY' },
    });
    assert.equal(asked.status, 200, JSON.stringify(asked));
    await waitFor(() => refunds().length >= 1);
    await sleep(retryWindowMs);
    assert.deepEqual(
      refunds().map((d) => d.status),
      [200],
    );
    assert.equal(await balanceOf(w.world, student.cardNo), 2_000);
    assert.deepEqual(
      (await findings(order.id)).map((m) => m.kind),
      ['state_differs'],
    );
  });

  test('#12.14 when the core cannot be reached, then the notification is answered 500 and WeChat sends it again', async () => {
    // Goal: 5xx is kept for what may recover; a BFF whose core is down must not swallow a payment.
    const env = { ...w.world.env, CORE_URL: 'http://127.0.0.1:9', BFF_PORT: '0' };
    let cut: RunningBff | undefined;
    try {
      cut = await startBff(loadConfig(env));
      const student = await boundStudent(w.world);
      const outTradeNo = `TU${randomBytes(13).toString('hex').toUpperCase()}`;
      await plantAndPay({
        outTradeNo,
        amount: 800,
        openid: student.openid,
        notifyUrl: `${cut.url}/api/v1/pay/notify`,
      });
      await waitFor(() => deliveriesOf(w.standIn, outTradeNo).length >= 3);
      assert.ok(deliveriesOf(w.standIn, outTradeNo).every((d) => d.status === 500));
      assert.deepEqual(await findings(outTradeNo), [], 'nothing was filed');
    } finally {
      await cut?.close();
    }
  });
});
