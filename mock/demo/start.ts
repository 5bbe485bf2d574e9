// npm start — the whole system with demo data on one machine: the core (SQLite under core/data unless
// DATABASE_URL says otherwise), the WeChat login and WeChat Pay stand-ins, the BFF, the device gateway
// with simulated terminals, and the mini-program's H5 build and the backoffice on one web origin.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBff } from '../../bff/src/app.ts';
import { loadConfig as loadBffConfig } from '../../bff/src/config.ts';
import { seedDemo } from '../../core/scripts/demo-data.ts';
import { startCore } from '../../core/src/app.ts';
import { loadConfig } from '../../core/src/config.ts';
import { createLogger } from '../../core/src/log.ts';
import { startDeviceDemo } from '../devices/demo.ts';
import { startLoginStandIn } from '../wechat/login/server.ts';
import { startPayStandIn } from '../wechat/pay/server.ts';
import { makeCertifiedKey } from '../wechat/x509.ts';
import { startWeb } from './web.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const appId = env.WECHAT_APPID ?? 'wx0123456789abcdef';
const appSecret = env.WECHAT_APP_SECRET ?? 'demo-app-secret';
const mchid = env.WECHAT_PAY_MCHID ?? '1900000109';
const apiV3Key = env.WECHAT_PAY_API_V3_KEY ?? 'DEMOAPIV3KEY0123456789ABCDEFGHIJ';
const webPort = port('WEB_PORT', 10086);
const bffPort = port('BFF_PORT', 8080);
const webUrl = `http://127.0.0.1:${webPort}`;

/** Builds a front end once when its output is missing, with the build's own progress on screen. */
function ensureBuilt(workspace: string, script: string, output: string): void {
  if (!existsSync(`${root}${workspace}/package.json`) || existsSync(`${root}${output}`)) return;
  console.log(`building ${workspace} (${script}), once; later starts reuse ${output}…`);
  const result = spawnSync('npm', ['run', script, '-w', workspace], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) console.warn(`${workspace} did not build; its pages will answer "not built yet"`);
}
ensureBuilt('miniprogram', 'build:h5', 'miniprogram/dist/h5/index.html');
ensureBuilt('admin', 'build', 'admin/dist/index.html');

const config = loadConfig();
const log = createLogger('demo', config.logLevel);
const core = await startCore(config, log);
const demo = await seedDemo(core);
const [serviceKeyId, serviceSecret] = [...config.serviceKeys][0] ?? ['', ''];

const login = await startLoginStandIn({
  apps: { [appId]: appSecret },
  port: port('WECHAT_LOGIN_PORT', 7081),
});
const merchant = makeCertifiedKey(mchid, 'Campus Card demo merchant');
const pay = await startPayStandIn({
  port: port('WECHAT_PAY_PORT', 7082),
  merchants: [{ mchid, certificatePem: merchant.certificatePem, apiV3Key }],
  billsSameDay: true,
  h5ReturnOrigins: [webUrl],
});

const bff = await startBff(
  loadBffConfig({
    ...env,
    BFF_PORT: String(bffPort),
    CORE_URL: core.url,
    CORE_KEY_ID: serviceKeyId,
    CORE_KEY_SECRET: serviceSecret,
    JWT_SECRET: env.JWT_SECRET ?? 'demo-jwt-secret-change-me-0123456789abcdef',
    WECHAT_LOGIN_URL: login.baseUrl,
    WECHAT_APPID: appId,
    WECHAT_APP_SECRET: appSecret,
    H5_ORIGIN: webUrl,
    CONTENT_DIR: env.CONTENT_DIR ?? `${root}core/data/content`,
    WECHAT_PAY_URL: pay.baseUrl,
    WECHAT_PAY_MCHID: mchid,
    WECHAT_PAY_MERCHANT_CERT: merchant.certificatePem,
    WECHAT_PAY_MERCHANT_KEY: merchant.privateKeyPem,
    WECHAT_PAY_API_V3_KEY: apiV3Key,
    WECHAT_PAY_NOTIFY_URL: `http://127.0.0.1:${bffPort}/api/v1/pay/notify`,
    WECHAT_PAY_H5_URL: `${pay.baseUrl}/pay/h5`,
    TOP_UP_H5_RETURN_URL: `${webUrl}/#/pages/top-up-result/index?id={id}`,
  }),
  createLogger('bff', config.logLevel),
  // Core and BFF share this process: card activity reaches the live views without Redis.
  {
    activitySource: async (listener) => {
      const off = core.activity.on(listener);
      return async () => {
        off();
      };
    },
  },
);

const web = await startWeb({
  port: webPort,
  sites: { '/admin': `${root}admin/dist`, '/': `${root}miniprogram/dist/h5` },
  proxies: { '/api': bff.url, '/__mock': login.baseUrl },
});

const devices = await startDeviceDemo({
  coreUrl: core.url,
  serviceKey: { keyId: serviceKeyId, secret: serviceSecret },
  students: demo.students,
  onBlacklistVersion: (listener) => core.blacklist.onPublished(listener),
  onDeviceConfig: (listener) => core.deviceConfigs.onChanged(listener),
  env,
});

const someone = demo.identities[0];
console.log(`
校园卡 Campus Card is running (${core.db.dialect}${env.REDIS_URL ? ' + Redis' : ', no Redis'}):
  mini-program (H5)   ${webUrl}/
  backoffice          ${webUrl}/admin/
  BFF API             ${bff.url}/api/v1   (docs/api.md)
  core API            ${core.url}         (signed; keyId "${serviceKeyId}")
  device gateway      127.0.0.1:${devices.port}  (docs/protocol.md; simulated terminals print below)
  WeChat stand-ins    login ${login.baseUrl}, pay ${pay.baseUrl}
Bind in the mini-program as any of ${demo.identities.length} demo students, e.g.
  学号 ${someone?.personNo}  姓名 ${someone?.name}  身份证后六位 ${someone?.secret}
Press Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    devices
      .stop()
      .then(() => web.close())
      .then(() => bff.close())
      .then(() => Promise.all([login.close(), pay.close()]))
      .then(() => core.close())
      .then(() => process.exit(0));
  });
}
