/**
 * Notify processing rate: how many WeChat Pay payment notifications the BFF verifies, decrypts and
 * credits per second. MariaDB, the core (spawned), the BFF (spawned) and this process (the WeChat
 * Pay stand-in, which signs and encrypts every notification) on one machine.
 *
 * Places BENCH_NOTIFY_ORDERS orders (core orders, then JSAPI orders at the stand-in), then pays them
 * in waves of BENCH_NOTIFY_WAVE: each payment makes the stand-in send one signed, encrypted
 * notification to the BFF, which checks timestamp, signature (RSA-2048) and GCM tag, reads the order
 * and has the core credit it (conditional UPDATEs and a ledger top-up). Prints notifications/s,
 * latency from payment to the BFF's answer (p50/p99) and checks every order ended credited once.
 * Run: node --import tsx bff/bench/topups-notify.ts. Figures go to docs/benchmarks.md, "BFF".
 * The driver is notify-driver.ts, shared with alipay-notify.ts.
 */

import { startPayStandIn } from '../../mock/wechat/pay/server.ts';
import { API_V3_KEY, MCHID, makePay, VerifyingTransport } from '../../mock/wechat/test-support.ts';
import { runNotifyBench } from './notify-driver.ts';

await runNotifyBench<Record<string, unknown>>({
  personPrefix: 'N',
  openidPrefix: 'o-bench-',
  async start(bffPort, merchant) {
    const standIn = await startPayStandIn({
      merchants: [{ mchid: MCHID, certificatePem: merchant.certificatePem, apiV3Key: API_V3_KEY }],
    });
    const notifyUrl = `http://127.0.0.1:${bffPort}/api/v1/pay/notify`;
    const pay = makePay(merchant);
    new VerifyingTransport(standIn.baseUrl).attach(pay);
    return {
      env: { WECHAT_PAY_URL: standIn.baseUrl, WECHAT_PAY_NOTIFY_URL: notifyUrl },
      async place(order) {
        const placed = await pay.transactions_jsapi({
          description: '校园卡充值',
          out_trade_no: order.id,
          notify_url: notifyUrl,
          amount: { total: 1_000, currency: 'CNY' },
          payer: { openid: order.openid },
        });
        if (placed.status !== 200) throw new Error(`jsapi ${placed.status}`);
        return placed.data as Record<string, unknown>;
      },
      async pay(params) {
        const paid = await standIn.pay(params);
        if (!paid.ok) throw new Error(`pay ${paid.code}`);
      },
      delivered: () => standIn.deliveries.length,
      deliveries: () =>
        standIn.deliveries.map((d) => ({
          atMs: d.atMs,
          outTradeNo: d.outTradeNo,
          refused: d.status !== 204,
        })),
      close: () => standIn.close(),
    };
  },
});
