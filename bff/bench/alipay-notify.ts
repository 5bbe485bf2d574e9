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
 * credited once. Run: node --import tsx bff/bench/alipay-notify.ts. Figures go to docs/benchmarks.md.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreClient } from '../../core/src/client/index.ts';
import { freshDatabase, spawnCore } from '../../core/test/support.ts';
import { startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair } from '../../mock/alipay/signing.ts';
import { API_V3_KEY, APPID, MCHID, makeMerchant } from '../../mock/wechat/test-support.ts';
import { AlipayPay } from '../src/services/alipay-pay.ts';

const ALIPAY_APP_ID = '2021000100000001';
const SELLER_ID = '2088101122334455';
const ordersCount = Number(process.env.BENCH_NOTIFY_ORDERS ?? 2_000);
const wave = Number(process.env.BENCH_NOTIFY_WAVE ?? 64);
const cardsCount = Number(process.env.BENCH_NOTIFY_CARDS ?? 200);
const serviceKey = { keyId: 'bench', secret: 'bench-secret-0123456789abcdef' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function spawnBff(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('../src/server.ts', import.meta.url).pathname],
    {
      env: { ...process.env, ...env, BFF_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`bff exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).ok) return child;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('bff did not start');
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

const database = await freshDatabase('mysql');
const core = await spawnCore({
  DATABASE_URL: database.url,
  CORE_SERVICE_KEYS: `${serviceKey.keyId}:${serviceKey.secret}`,
  PII_KEY: randomBytes(32).toString('hex'),
});
const appKeys = makeRsaKeyPair();
const alipay = await startAlipayStandIn({
  apps: [
    { appId: ALIPAY_APP_ID, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id', sellerId: SELLER_ID },
  ],
});
const merchant = makeMerchant();
const bffPort = await freePort();
const notifyUrl = `http://127.0.0.1:${bffPort}/api/v1/pay/alipay/notify`;
const bff = await spawnBff(
  {
    CORE_URL: core.url,
    CORE_KEY_ID: serviceKey.keyId,
    CORE_KEY_SECRET: serviceKey.secret,
    JWT_SECRET: randomBytes(32).toString('hex'),
    WECHAT_APPID: APPID,
    WECHAT_APP_SECRET: 'bench-app-secret',
    // Alipay top-ups share the top-up settings, which WeChat Pay's configuration switches on.
    WECHAT_PAY_URL: 'http://127.0.0.1:9',
    WECHAT_PAY_MCHID: MCHID,
    WECHAT_PAY_MERCHANT_CERT: merchant.certificatePem,
    WECHAT_PAY_MERCHANT_KEY: merchant.privateKeyPem,
    WECHAT_PAY_API_V3_KEY: API_V3_KEY,
    WECHAT_PAY_NOTIFY_URL: `http://127.0.0.1:${bffPort}/api/v1/pay/notify`,
    ALIPAY_APP_ID,
    ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
    ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
    ALIPAY_SELLER_ID: SELLER_ID,
    ALIPAY_NOTIFY_URL: notifyUrl,
    TOP_UP_POLL_INTERVAL_MS: '0',
    RATE_IP_PER_MIN: '100000000',
  },
  bffPort,
);
const client = new CoreClient({ url: core.url, ...serviceKey });
const placer = new AlipayPay({
  appId: ALIPAY_APP_ID,
  privateKey: appKeys.privateKeyPem,
  alipayPublicKey: alipay.alipayPublicKey,
  gatewayUrl: alipay.gatewayUrl,
  sellerId: SELLER_ID,
  notifyUrl,
  idType: 'open_id',
});
try {
  const cards: string[] = [];
  for (let i = 0; i < cardsCount; i++) {
    const card = await client.openCard({
      personNo: `A${i}${randomBytes(3).toString('hex')}`,
      name: '压测学生',
      type: 'student',
    });
    cards.push(card.cardNo);
  }
  const setupStart = performance.now();
  const orders: { id: string; tradeNo: string }[] = [];
  await inParallel(
    Array.from({ length: ordersCount }, (_, i) => i),
    16,
    async (i) => {
      const order = await client.createTopUpOrder({
        openid: `ali-bench-${i % cardsCount}`,
        cardNo: cards[i % cardsCount] as string,
        idempotencyKey: `bench-${i}-${randomBytes(4).toString('hex')}`,
        amount: 1_000,
        channel: 'alipay',
        dailyCap: 100_000_000,
        ttlMs: 2 * 3_600_000,
      });
      const tradeNo = await placer.createForMiniProgram({
        outTradeNo: order.id,
        amount: 1_000,
        expiresAtMs: order.expiresAtMs,
        openid: order.openid,
      });
      orders.push({ id: order.id, tradeNo });
    },
  );
  console.log(
    `setup: ${ordersCount} orders on ${cardsCount} cards in ${Math.round(performance.now() - setupStart)} ms`,
  );

  const paidAt = new Map<string, number>();
  const start = performance.now();
  for (let from = 0; from < orders.length; from += wave) {
    const slice = orders.slice(from, from + wave);
    for (const order of slice) {
      paidAt.set(order.id, Date.now());
      const paid = alipay.pay(ALIPAY_APP_ID, { tradeNo: order.tradeNo });
      if (!paid.ok) throw new Error(`pay ${paid.subCode}`);
    }
    // Waves keep in flight what a busy merchant sees, without piling thousands of sockets at once.
    while (alipay.deliveries.length < from + slice.length) await sleep(2);
  }
  const elapsedMs = performance.now() - start;
  const latencies = alipay.deliveries
    .map((d) => d.atMs - (paidAt.get(d.outTradeNo) ?? d.atMs))
    .sort((a, b) => a - b);
  const refused = alipay.deliveries.filter((d) => !d.acknowledged).length;
  const { items: unsettled } = await client.unsettledTopUpOrders(0, 500);
  let credited = 0;
  for (const card of cards) credited += (await client.getCard(card)).balance.main;
  console.log(
    JSON.stringify({
      notifications: alipay.deliveries.length,
      perSecond: Math.round((orders.length / elapsedMs) * 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      refused,
      unsettled: unsettled.length,
      creditedFen: credited,
      expectedFen: ordersCount * 1_000,
    }),
  );
} finally {
  await client.close();
  bff.kill('SIGTERM');
  await alipay.close();
  await core.stop();
  await database.drop();
}
