/**
 * The driver both top-up notification benches share (topups-notify.ts for WeChat Pay, alipay-notify.ts
 * for Alipay): MariaDB, the core (spawned), the BFF (spawned) and this process (the channel's stand-in,
 * which signs every notification) on one machine. It opens BENCH_NOTIFY_CARDS cards, places
 * BENCH_NOTIFY_ORDERS orders (core orders, then the channel's own order at its stand-in), then pays them
 * in waves of BENCH_NOTIFY_WAVE: each payment makes the stand-in post one notification to the BFF, which
 * verifies it and has the core credit it. Prints notifications/s, latency from payment to the BFF's
 * answer (p50/p99), refused notifications, and checks every order ended credited once.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, spawnCore } from '@campus-card/tests/kit';
import { CoreClient } from '../../core/src/client/index.ts';
import { API_V3_KEY, APPID, MCHID, makeMerchant } from '../../mock/wechat/test-support.ts';

/** One notification the stand-in posted: when the BFF answered, for which order, and whether it refused. */
export interface Delivery {
  atMs: number;
  outTradeNo: string;
  refused: boolean;
}

/** A payment channel's stand-in, started for one bench run. */
export interface ChannelRun<Placed> {
  /** The BFF settings for this channel (the WeChat Pay merchant settings are the driver's). */
  env: Record<string, string>;
  /** Places the channel's order for a core top-up order at the stand-in. */
  place(order: { id: string; openid: string; expiresAtMs: number }): Promise<Placed>;
  /** Pays a placed order at the stand-in, which then notifies the BFF; throws when the stand-in refuses. */
  pay(placed: Placed): Promise<void>;
  /** How many notifications the stand-in has posted so far. */
  delivered(): number;
  /** The notifications posted. */
  deliveries(): readonly Delivery[];
  close(): Promise<void>;
}

export interface NotifyChannel<Placed> {
  /** How the bench cards' person numbers and the orders' openids begin. */
  personPrefix: string;
  openidPrefix: string;
  /** The core's channel of the orders, where it is not the default (WeChat Pay). */
  coreChannel?: 'alipay';
  /** Starts the stand-in for a BFF on `bffPort` with `merchant`'s WeChat Pay settings. */
  start(bffPort: number, merchant: ReturnType<typeof makeMerchant>): Promise<ChannelRun<Placed>>;
}

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

/** Runs the bench for `channel` and prints its figures. */
export async function runNotifyBench<Placed>(channel: NotifyChannel<Placed>): Promise<void> {
  const database = await freshDatabase('mysql');
  const core = await spawnCore({
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${serviceKey.keyId}:${serviceKey.secret}`,
    PII_KEY: randomBytes(32).toString('hex'),
  });
  const merchant = makeMerchant();
  const bffPort = await freePort();
  const standIn = await channel.start(bffPort, merchant);
  const bff = await spawnBff(
    {
      CORE_URL: core.url,
      CORE_KEY_ID: serviceKey.keyId,
      CORE_KEY_SECRET: serviceKey.secret,
      JWT_SECRET: randomBytes(32).toString('hex'),
      WECHAT_APPID: APPID,
      WECHAT_APP_SECRET: 'bench-app-secret',
      WECHAT_PAY_MCHID: MCHID,
      WECHAT_PAY_MERCHANT_CERT: merchant.certificatePem,
      WECHAT_PAY_MERCHANT_KEY: merchant.privateKeyPem,
      WECHAT_PAY_API_V3_KEY: API_V3_KEY,
      ...standIn.env,
      TOP_UP_POLL_INTERVAL_MS: '0',
      RATE_IP_PER_MIN: '100000000',
    },
    bffPort,
  );
  const client = new CoreClient({ url: core.url, ...serviceKey });
  try {
    const cards: string[] = [];
    for (let i = 0; i < cardsCount; i++) {
      const card = await client.openCard({
        personNo: `${channel.personPrefix}${i}${randomBytes(3).toString('hex')}`,
        name: '压测学生',
        type: 'student',
      });
      cards.push(card.cardNo);
    }
    const setupStart = performance.now();
    const orders: { id: string; placed: Placed }[] = [];
    await inParallel(
      Array.from({ length: ordersCount }, (_, i) => i),
      16,
      async (i) => {
        const order = await client.createTopUpOrder({
          openid: `${channel.openidPrefix}${i % cardsCount}`,
          cardNo: cards[i % cardsCount] as string,
          idempotencyKey: `bench-${i}-${randomBytes(4).toString('hex')}`,
          amount: 1_000,
          ...(channel.coreChannel ? { channel: channel.coreChannel } : {}),
          dailyCap: 100_000_000,
          ttlMs: 2 * 3_600_000,
        });
        orders.push({ id: order.id, placed: await standIn.place(order) });
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
        await standIn.pay(order.placed);
      }
      // Waves keep in flight what a busy merchant sees, without piling thousands of sockets at once.
      while (standIn.delivered() < from + slice.length) await sleep(2);
    }
    const elapsedMs = performance.now() - start;
    const deliveries = standIn.deliveries();
    const latencies = deliveries
      .map((d) => d.atMs - (paidAt.get(d.outTradeNo) ?? d.atMs))
      .sort((a, b) => a - b);
    const refused = deliveries.filter((d) => d.refused).length;
    const { items: unsettled } = await client.unsettledTopUpOrders(0, 500);
    let credited = 0;
    for (const card of cards) credited += (await client.getCard(card)).balance.main;
    console.log(
      JSON.stringify({
        notifications: deliveries.length,
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
    await standIn.close();
    await core.stop();
    await database.drop();
  }
}
