/**
 * Alipay notify processing rate: how many Alipay payment notifications the BFF verifies (RSA2,
 * checkNotifySignV2) and credits per second. MariaDB, the core (spawned), the BFF (spawned) and this
 * process (the Alipay stand-in, which signs every notification) on one machine.
 *
 * Places BENCH_NOTIFY_ORDERS Alipay orders (core orders, then alipay.trade.create at the stand-in
 * through the BFF's own verifying client), then pays them in waves of BENCH_NOTIFY_WAVE: each payment
 * makes the stand-in post one signed, form-encoded notification to the BFF, which verifies it, checks
 * app_id, seller_id and total_amount, and has the core credit it under ali:<trade_no>. Prints
 * notifications/s, latency from payment to the BFF's answer (p50/p99) and checks every order ended
 * credited once. Run by `npm run bench:bff` after the WeChat one, or alone: node --import tsx
 * bff/bench/alipay-notify.ts. Figures go to docs/benchmarks.md.
 * The driver is notify-driver.ts, shared with topups-notify.ts.
 */

import { startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair } from '../../mock/alipay/signing.ts';
import { AlipayPay } from '../src/services/alipay-pay.ts';
import { runNotifyBench } from './notify-driver.ts';

const ALIPAY_APP_ID = '2021000100000001';
const SELLER_ID = '2088101122334455';

await runNotifyBench<string>({
  personPrefix: 'A',
  openidPrefix: 'ali-bench-',
  coreChannel: 'alipay',
  async start(bffPort) {
    const appKeys = makeRsaKeyPair();
    const alipay = await startAlipayStandIn({
      apps: [
        { appId: ALIPAY_APP_ID, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id', sellerId: SELLER_ID },
      ],
    });
    const notifyUrl = `http://127.0.0.1:${bffPort}/api/v1/pay/alipay/notify`;
    const placer = new AlipayPay({
      appId: ALIPAY_APP_ID,
      privateKey: appKeys.privateKeyPem,
      alipayPublicKey: alipay.alipayPublicKey,
      gatewayUrl: alipay.gatewayUrl,
      sellerId: SELLER_ID,
      notifyUrl,
      idType: 'open_id',
    });
    return {
      env: {
        // Alipay top-ups share the top-up settings, which WeChat Pay's configuration switches on.
        WECHAT_PAY_URL: 'http://127.0.0.1:9',
        WECHAT_PAY_NOTIFY_URL: `http://127.0.0.1:${bffPort}/api/v1/pay/notify`,
        ALIPAY_APP_ID,
        ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem,
        ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
        ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
        ALIPAY_SELLER_ID: SELLER_ID,
        ALIPAY_NOTIFY_URL: notifyUrl,
      },
      place: (order) =>
        placer.createForMiniProgram({
          outTradeNo: order.id,
          amount: 1_000,
          expiresAtMs: order.expiresAtMs,
          openid: order.openid,
        }),
      async pay(tradeNo) {
        const paid = alipay.pay(ALIPAY_APP_ID, { tradeNo });
        if (!paid.ok) throw new Error(`pay ${paid.subCode}`);
      },
      delivered: () => alipay.deliveries.length,
      deliveries: () =>
        alipay.deliveries.map((d) => ({ atMs: d.atMs, outTradeNo: d.outTradeNo, refused: !d.acknowledged })),
      close: () => alipay.close(),
    };
  },
});
