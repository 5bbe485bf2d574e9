// The whole system in one process: the core with demo data, the WeChat login and Pay stand-ins, the Alipay
// open-platform stand-in (mock/alipay), the BFF,
// the device gateway with simulated terminals, and one web origin for the H5 build and the backoffice.
// `npm start` runs it on the default ports; end-to-end tests run it on free ports against MariaDB and Redis.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DemoAdmin, seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { type RunningBff, startBff } from '../../bff/src/app.ts';
import { loadConfig as loadBffConfig } from '../../bff/src/config.ts';
import { type DemoIdentity, seedDemo } from '../../core/scripts/demo-data.ts';
import { type CoreOptions, type RunningCore, startCore } from '../../core/src/app.ts';
import { loadConfig } from '../../core/src/config.ts';
import { createLogger } from '../../core/src/log.ts';
import { type AlipayStandIn, startAlipayStandIn } from '../alipay/server.ts';
import { makeRsaKeyPair } from '../alipay/signing.ts';
import type { BankStandIn } from '../bank/server.ts';
import { startDeviceDemo } from '../devices/demo.ts';
import type { FinanceStandIn } from '../finance/server.ts';
import type { NetworkStandIn } from '../network/server.ts';
import { type SmsStandIn, startSmsStandIn } from '../sms/server.ts';
import { type OidcStandIn, startOidcStandIn } from '../sso/oidc.ts';
import type { UtilityStandIn } from '../utility/server.ts';
import { type LoginStandIn, startLoginStandIn } from '../wechat/login/server.ts';
import { type MessageStandIn, startMessageStandIn } from '../wechat/messages/server.ts';
import { type PayStandIn, startPayStandIn } from '../wechat/pay/server.ts';
import { makeCertifiedKey } from '../wechat/x509.ts';
import { type DemoBankAccount, demoBankSecret, seedDemoBank, startDemoBank } from './bank-demo.ts';
import { seedCampusPayments, startCampusPaymentStandIns } from './campus-payments.ts';
import { seedCampuses } from './campuses.ts';
import { startWeb, type Web } from './web.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The demo's SMS AccessKey at the SMS stand-in (published here: demo only). */
const demoSmsKeyId = 'LTAIdemo';
const demoSmsSecret = 'demo-sms-access-key-secret';

export interface SystemOptions {
  /** Environment: DATABASE_URL, REDIS_URL, LOG_LEVEL, secrets … (defaults: SQLite, no Redis). */
  env: Readonly<Record<string, string | undefined>>;
  /** Fixed ports (npm start) or free ones (tests). */
  ports: 'default' | 'free';
  /** Simulated terminals serving demo students every few seconds, printing what they do. */
  terminals: boolean;
  print?: (line: string) => void;
  /** Tests only: the core's options, e.g. a database clock that follows tests/clock.ts. */
  core?: CoreOptions;
}

export interface RunningSystem {
  core: RunningCore;
  bff: RunningBff;
  login: LoginStandIn;
  pay: PayStandIn;
  /** The Alipay open-platform stand-in: sign-in, trades, the wap cashier, notifications, the bill. */
  alipay: AlipayStandIn;
  /** The demo's Alipay app id (16 digits), registered with the stand-in. */
  alipayAppId: string;
  /** The dorm meter system and network billing stand-ins (#16), with their fault switches. */
  meter: UtilityStandIn;
  network: NetworkStandIn;
  /** The campus finance system stand-in fee items are pulled from. */
  finance: FinanceStandIn;
  /** The bank front-end stand-in (#16) and the demo students' bank accounts in it. */
  bank: BankStandIn;
  bankAccounts: DemoBankAccount[];
  /** The campus single sign-on stand-in (OIDC) the H5 login page offers. */
  sso: OidcStandIn;
  /** WeChat's subscription-message API and Alibaba Cloud SMS stand-ins the core's delivery loop sends to. */
  messages: MessageStandIn;
  sms: SmsStandIn;
  web: Web;
  gatewayPort: number;
  serviceKey: { keyId: string; secret: string };
  identities: DemoIdentity[];
  /** One backoffice account per role. */
  admins: DemoAdmin[];
  students: string[];
  appId: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * The demo course's lessons name guide/01.webm and guide/02.webm under the content folder: two real
 * 6-second VP8 clips (2 and 10 KB, made once with ffmpeg's smptebars and testsrc sources) shipped in
 * mock/demo/videos, copied in where missing so a fresh clone plays them. A file already there (an
 * upload from the backoffice) is kept.
 */
async function placeDemoVideos(contentDir: string): Promise<void> {
  const shipped = fileURLToPath(new URL('videos/', import.meta.url));
  for (const name of ['guide/01.webm', 'guide/02.webm']) {
    await mkdir(dirname(join(contentDir, name)), { recursive: true });
    await copyFile(join(shipped, name), join(contentDir, name), constants.COPYFILE_EXCL).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      },
    );
  }
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const env = options.env;
  const pick = async (name: string, fallback: number) =>
    options.ports === 'free' ? await freePort() : Number(env[name] ?? fallback);
  const appId = env.WECHAT_APPID ?? 'wx0123456789abcdef';
  const appSecret = env.WECHAT_APP_SECRET ?? 'demo-app-secret';
  const mchid = env.WECHAT_PAY_MCHID ?? '1900000109';
  const apiV3Key = env.WECHAT_PAY_API_V3_KEY ?? 'DEMOAPIV3KEY0123456789ABCDEFGHIJ';
  const corePort = await pick('CORE_PORT', 4100);
  const bffPort = await pick('BFF_PORT', 8080);
  const webPort = await pick('WEB_PORT', 10086);
  const webUrl = `http://127.0.0.1:${webPort}`;
  // Alipay: the app key pair is made at each start, like the WeChat Pay merchant key below; the stand-in
  // knows the public half, the BFF signs with the private half.
  const alipayAppId = env.ALIPAY_APP_ID ?? '2021000100000001';
  const alipaySellerId = env.ALIPAY_SELLER_ID ?? '2088000000000001';
  const alipayAppKeys = makeRsaKeyPair();

  const contentDir = env.CONTENT_DIR ?? `${repoRoot}core/data/content`;
  await placeDemoVideos(contentDir);
  // The dorm meter and network billing stand-ins (#16), before the core that credits through them.
  const campusPayments = await startCampusPaymentStandIns({
    utility: await pick('UTILITY_PORT', 7085),
    network: await pick('NETWORK_PORT', 7086),
    finance: await pick('FINANCE_PORT', 7088),
  });
  // The bank front end for 圈存 (#16), before the core that calls it; its accounts once the students exist.
  const bank = await startDemoBank(await pick('BANK_PORT', 7087));
  const alipay = await startAlipayStandIn({
    port: await pick('ALIPAY_PORT', 7083),
    apps: [
      {
        appId: alipayAppId,
        appPublicKey: alipayAppKeys.publicKeyPem,
        idMode: 'open_id',
        sellerId: alipaySellerId,
      },
    ],
    billsSameDay: true,
    h5ReturnOrigins: [webUrl],
  });
  // Messages outside the app (docs/messages.md): WeChat's subscription-message API and Alibaba Cloud
  // SMS stand-ins; Alipay template messages go to the Alipay stand-in above.
  const messages = await startMessageStandIn({
    apps: { [appId]: appSecret },
    port: await pick('WECHAT_MESSAGES_PORT', 7089),
  });
  const sms = await startSmsStandIn({
    keys: { [demoSmsKeyId]: demoSmsSecret },
    signNames: ['校园卡'],
    port: await pick('SMS_PORT', 7090),
  });
  const config = loadConfig({
    BANK_URL: bank.url,
    BANK_SECRET: demoBankSecret,
    UTILITY_URL: campusPayments.meter.url,
    NETWORK_URL: campusPayments.network.url,
    FINANCE_URL: campusPayments.finance.url,
    MESSAGES_CHANNELS: 'wechat,alipay,sms',
    WECHAT_API_URL: messages.baseUrl,
    WECHAT_APPID: appId,
    WECHAT_APP_SECRET: appSecret,
    ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
    ALIPAY_APP_ID: alipayAppId,
    ALIPAY_PRIVATE_KEY: alipayAppKeys.privateKeyPem,
    ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
    SMS_URL: sms.baseUrl,
    SMS_ACCESS_KEY_ID: demoSmsKeyId,
    SMS_ACCESS_KEY_SECRET: demoSmsSecret,
    SMS_SIGN_NAME: '校园卡',
    ...env,
    CORE_PORT: String(corePort),
  } as NodeJS.ProcessEnv);
  const log = createLogger('core', config.logLevel);
  const core = await startCore(config, log, options.core);
  const demo = await seedDemo(core);
  await seedCampusPayments(
    core,
    demo.identities,
    campusPayments.meter,
    campusPayments.network,
    campusPayments.finance,
  );
  const bankAccounts = seedDemoBank(bank, demo.identities);
  const [keyId, secret] = [...config.serviceKeys][0] ?? ['', ''];

  const login = await startLoginStandIn({
    apps: { [appId]: appSecret },
    port: await pick('WECHAT_LOGIN_PORT', 7081),
  });
  const merchant = makeCertifiedKey(mchid, 'Campus Card demo merchant');
  const pay = await startPayStandIn({
    port: await pick('WECHAT_PAY_PORT', 7082),
    merchants: [{ mchid, certificatePem: merchant.certificatePem, apiV3Key }],
    billsSameDay: true,
    h5ReturnOrigins: [webUrl],
  });
  // Campus single sign-on against the OIDC stand-in (docs/sso.md): every demo student signs in with
  // their 学号 as user name and password. The browser reaches the BFF through the web origin.
  const ssoSecret = randomBytes(24).toString('base64url');
  const ssoUsers = demo.identities.map((i) => ({
    sub: i.personNo,
    claims: { student_id: i.personNo, name: i.name },
  }));
  const sso = await startOidcStandIn({
    port: await pick('SSO_OIDC_PORT', 7084),
    clientId: 'campus-card-h5',
    clientSecret: ssoSecret,
    redirectUris: [`${webUrl}/api/v1/sso/campus/callback`, `${webUrl}/api/admin/v1/sso/campus/callback`],
    users: ssoUsers,
  });
  const bff = await startBff(
    loadBffConfig({
      ...env,
      BFF_PORT: String(bffPort),
      CORE_URL: core.url,
      CORE_KEY_ID: keyId,
      CORE_KEY_SECRET: secret,
      JWT_SECRET: env.JWT_SECRET ?? 'demo-jwt-secret-change-me-0123456789abcdef',
      WECHAT_LOGIN_URL: login.baseUrl,
      WECHAT_APPID: appId,
      WECHAT_APP_SECRET: appSecret,
      H5_ORIGIN: webUrl,
      // The web origin (mock/demo/web.ts) is the one proxy in front of it, reaching it from this host:
      // X-Forwarded-For is believed only from there (any other peer is counted by its own address).
      TRUSTED_PROXY_HOPS: env.TRUSTED_PROXY_HOPS ?? '1',
      TRUSTED_PROXIES: env.TRUSTED_PROXIES ?? '127.0.0.1,::1',
      // The demo binds with the ID tail it prints; a campus may switch it off for activation codes only.
      BIND_ID_TAIL_ENABLED: env.BIND_ID_TAIL_ENABLED ?? 'true',
      CONTENT_DIR: contentDir,
      UPLOAD_DIR: env.UPLOAD_DIR ?? `${repoRoot}core/data/uploads`,
      WECHAT_PAY_URL: pay.baseUrl,
      WECHAT_PAY_MCHID: mchid,
      WECHAT_PAY_MERCHANT_CERT: merchant.certificatePem,
      WECHAT_PAY_MERCHANT_KEY: merchant.privateKeyPem,
      WECHAT_PAY_API_V3_KEY: apiV3Key,
      WECHAT_PAY_NOTIFY_URL: `http://127.0.0.1:${bffPort}/api/v1/pay/notify`,
      WECHAT_PAY_H5_URL: `${pay.baseUrl}/pay/h5`,
      TOP_UP_H5_RETURN_URL: `${webUrl}/#/pages/top-up-result/index?id={id}`,
      // Alipay against its stand-in: sign-in for the Alipay build, top-ups (the H5 page offers 支付宝).
      ALIPAY_APP_ID: alipayAppId,
      ALIPAY_PRIVATE_KEY: alipayAppKeys.privateKeyPem,
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_SELLER_ID: alipaySellerId,
      ALIPAY_NOTIFY_URL: `http://127.0.0.1:${bffPort}/api/v1/pay/alipay/notify`,
      SSO_PROVIDERS: JSON.stringify([
        {
          id: 'campus',
          kind: 'oidc',
          url: sso.issuer,
          clientId: 'campus-card-h5',
          personClaim: 'student_id',
          scope: 'openid profile campus',
        },
      ]),
      SSO_CAMPUS_CLIENT_SECRET: ssoSecret,
      SSO_PUBLIC_URL: webUrl,
      SSO_APP_URL: `${webUrl}/#/pages/login/index`,
      SSO_ALLOW_HTTP: 'true',
    }),
    createLogger('bff', config.logLevel),
    // Core and BFF share this process: without Redis, card activity reaches the live views in process.
    env.REDIS_URL
      ? {}
      : {
          activitySource: async (listener) => {
            const off = core.activity.on(listener);
            return async () => {
              off();
            };
          },
          newsSource: async (listener) => {
            const off = core.content.onAnnouncement(listener);
            return async () => {
              off();
            };
          },
        },
  );
  const admins = await seedAdminDemo(bff.bff.core);
  // The backoffice's 统一身份认证登录: each demo admin's username is its staff number at the stand-in.
  for (const a of admins)
    ssoUsers.push({ sub: a.username, claims: { student_id: a.username, name: a.roleName } });
  const web = await startWeb({
    port: webPort,
    sites: { '/admin': `${repoRoot}admin/dist`, '/': `${repoRoot}miniprogram/dist/h5` },
    proxies: { '/api': bff.url, '/__mock': login.baseUrl },
    // The login stand-in's code minting, for the H5 build's demo sign-in: the demo's alone.
    demo: true,
  });
  const devices = await startDeviceDemo({
    coreUrl: core.url,
    serviceKey: { keyId, secret },
    students: demo.students,
    onBlacklistVersion: (listener) => core.blacklist.onPublished(listener),
    onDeviceConfig: (listener) => {
      core.deviceConfigs.onChanged(listener);
      // A disable or re-key ends the device's session as on Redis (protocol § 10.1).
      core.devices.onChanged(listener);
    },
    onPassageVersion: (listener) => core.passage.onChanged(listener),
    onMeetingReaders: (listener) => core.meetings.onReadersChanged(listener),
    onDoorCommand: (listener) => core.passage.onCommand(listener),
    env: { ...env, GATEWAY_PORT: String(await pick('GATEWAY_PORT', 4200)) },
    ...(options.terminals ? {} : { intervalMs: 2_147_483_647 }),
    ...(options.print ? { print: options.print } : {}),
  });
  // Campuses (docs/campuses.md): 主校区 linked to the place tree the device demo made, and 东校区.
  await seedCampuses(bff.bff.core);
  // Visitors (docs/visitors-meetings-bus.md): hosts may offer the demo gate (device 1002) to visitors.
  const visitorPolicy = await bff.bff.core.visitorPolicy();
  if (visitorPolicy.offeredPlaces.length === 0)
    await bff.bff.core.setVisitorPolicy({
      ...visitorPolicy,
      offeredPlaces: [{ id: 'device:1002', name: '东门' }],
    });
  return {
    core,
    bff,
    login,
    pay,
    alipay,
    alipayAppId,
    meter: campusPayments.meter,
    network: campusPayments.network,
    finance: campusPayments.finance,
    bank,
    bankAccounts,
    sso,
    messages,
    sms,
    web,
    gatewayPort: devices.port,
    serviceKey: { keyId, secret },
    identities: demo.identities,
    admins,
    students: demo.students,
    appId,
    async stop() {
      await devices.stop();
      await web.close();
      await bff.close();
      await Promise.all([login.close(), pay.close(), sso.close()]);
      await core.close();
      await Promise.all([alipay.close(), messages.close(), sms.close()]);
      await Promise.all([
        campusPayments.meter.close(),
        campusPayments.network.close(),
        campusPayments.finance.close(),
        bank.close(),
      ]);
    },
  };
}
