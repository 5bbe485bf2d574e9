// npm start — the whole system with demo data on one machine (mock/demo/system.ts): SQLite under
// core/data and in-process stand-ins unless DATABASE_URL and REDIS_URL say otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoRoot, startSystem } from './system.ts';

/** Builds a front end once when its output is missing, with the build's own progress on screen. */
function ensureBuilt(workspace: string, script: string, output: string): void {
  if (!existsSync(`${repoRoot}${workspace}/package.json`) || existsSync(`${repoRoot}${output}`)) return;
  console.log(`building ${workspace} (${script}) once; later starts reuse ${output} …`);
  const result = spawnSync('npm', ['run', script, '-w', workspace], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) console.warn(`${workspace} did not build; its pages will answer "not built yet"`);
}
ensureBuilt('miniprogram', 'build:h5', 'miniprogram/dist/h5/index.html');
ensureBuilt('admin', 'build', 'admin/dist/index.html');

const system = await startSystem({ env: process.env, ports: 'default', terminals: true });
const someone = system.identities[0];
console.log(`
校园卡 Campus Card is running (${system.core.db.dialect}${process.env.REDIS_URL ? ' + Redis' : ', no Redis'}):
  mini-program (H5)   ${system.web.url}/
  backoffice          ${system.web.url}/admin/
  BFF API             ${system.bff.url}/api/v1   (docs/api.md)
  core API            ${system.core.url}   (signed; keyId "${system.serviceKey.keyId}")
  device gateway      127.0.0.1:${system.gatewayPort}   (docs/protocol.md; simulated terminals print below)
  WeChat stand-ins    login ${system.login.baseUrl}, pay ${system.pay.baseUrl}
  messages stand-ins  WeChat subscription messages ${system.messages.baseUrl}, SMS ${system.sms.baseUrl}
                      (the core's delivery loop sends card activity there; Alipay ones to the Alipay stand-in)
  Alipay stand-in     ${system.alipay.gatewayUrl}   (a local stand-in, not Alipay: no real money moves;
                      the H5 top-up page offers 微信支付 and 支付宝, both paid on stand-in pages)
  统一身份认证 stand-in ${system.sso.issuer}   (OIDC; the H5 login page's 统一身份认证登录: sign in with a
                      demo 学号 as user name and password, and land bound to that card; 微信一键登录 is demo-only)
Bind in the mini-program as any of ${system.identities.length} demo students, e.g.
  学号 ${someone?.personNo}  姓名 ${someone?.name}  身份证后六位 ${someone?.secret}
圈存 (bank stand-in ${system.bank.url}): 绑定银行卡 as 学号 ${system.bankAccounts[0]?.personNo} with card ${system.bankAccounts[0]?.cardNumber},
  ID ${system.bankAccounts[0]?.idNumber}, phone ${system.bankAccounts[0]?.phone}; the SMS code: GET ${system.bank.url}/_sms/${system.bankAccounts[0]?.phone}
缴费 / 电费 / 网费: the meter stand-in ${system.meter.url}, network billing ${system.network.url}, finance
  ${system.finance.url}; ${someone?.name} lives in 七号楼 301 (B07-301, low on electricity) and owes three fee items
Backoffice demo accounts (password ${system.admins[0]?.password}):
${system.admins.map((a) => `  ${a.username.padEnd(8)} ${a.roleName}${a.department ? `（${a.department}）` : ''}${a.totpSecret ? '  (second factor required)' : ''}`).join('\n')}
Demo second-factor secret for super, finance and counter (add it to an authenticator app; demo only):
  ${system.admins.find((a) => a.totpSecret)?.totpSecret}
DEVELOPMENT KEYS: the campus signing key (kid 1), the core service key, JWT, PII and APIv3 keys of this
demo are published in this repository. Never use them for real cards; with NODE_ENV=production every
service refuses to start on them (docs/security.md).
Press Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    system.stop().then(() => process.exit(0));
  });
}
