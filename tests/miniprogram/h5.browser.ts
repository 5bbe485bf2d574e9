// The H5 build in real Chromium against the real core: a new user logs in, binds, and sees the virtual
// card; the QR code is read off a screenshot and checked by the core's credential verifier. This proves
// the phone side of the credential runs in the mini-program's runtime (issue 3's "done when").
// Run by `npm test -w miniprogram` after the builds (it reads miniprogram/dist/h5).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import jsQR from 'jsqr';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import {
  type CampusSigningKey,
  createCampusKeyring,
  createCampusSigningKey,
  createMemoryReplayGuard,
  createVerifier,
  webCryptoRandom,
} from '../../core/src/credential/index.ts';
import { startTestCore, type TestCore } from '../../core/test/support.ts';
import { type LoginStandIn, startLoginStandIn } from '../../mock/wechat/login/server.ts';
import { createBffStandIn, type StandInPerson } from './bff-standin.ts';
import { proxyTo, serveH5 } from './h5-server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const h5Root = resolve(here, '../../miniprogram/dist/h5');
const screenshots = resolve(here, '../../docs/screenshots');
const appid = 'wx0123456789abcdef';
const appSecret = 'h5-browser-test-secret';

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Reads the QR code off the page: a screenshot of the code's element, decoded with jsQR. */
async function readQr(page: Page): Promise<string> {
  const png = PNG.sync.read(await page.locator('.qr').screenshot());
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(decoded, 'the QR code on screen must decode');
  return decoded.data;
}

async function shoot(page: Page, name: string): Promise<void> {
  // Taro's page slide-in takes 300 ms.
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

describe('mini-program H5 in Chromium', () => {
  let core: TestCore;
  let login: LoginStandIn;
  let campusKey: CampusSigningKey;
  let site: Awaited<ReturnType<typeof serveH5>>;
  let browser: Browser;
  let student: StandInPerson;

  before(async () => {
    assert.ok(
      existsSync(join(h5Root, 'index.html')),
      'build the H5 target first: npm run build:h5 -w miniprogram',
    );
    mkdirSync(screenshots, { recursive: true });
    core = await startTestCore('mysql');
    const card = await core.client.openCard({
      personNo: `S${randomBytes(4).toString('hex')}`,
      name: '林晓雨',
      type: 'student',
      department: '计算机学院',
    });
    await core.client.topUp({
      id: `h5-${randomBytes(6).toString('hex')}`,
      cardNo: card.cardNo,
      amount: 12_850,
      channel: 'cash',
    });
    student = { personNo: card.personNo, name: card.name, secret: '203516', cardNo: card.cardNo };
    login = await startLoginStandIn({ apps: { [appid]: appSecret } });
    campusKey = await createCampusSigningKey(1, webCryptoRandom);
    const bff = createBffStandIn({
      core: core.client,
      campusKey,
      loginBaseUrl: login.baseUrl,
      appid,
      appSecret,
      people: [student],
    });
    site = await serveH5(h5Root, { api: bff, mock: proxyTo(login.baseUrl) });
    // launch() gives Chromium a fresh, empty --user-data-dir of its own and deletes it on close.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await login?.close();
    await core?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    // Nothing leaves the machine: the page may only talk to our server.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    // The page's own errors explain a timeout better than the timeout does.
    page.on('pageerror', (error) => console.error(`[h5 page error] ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`[h5 console] ${message.text()}`);
    });
    return page;
  }

  test('when a new user logs in and binds, then the card page shows their card and a QR code the verifier accepts', async () => {
    // Goal: the whole first-use path in the real runtime, ending in a code a gateway would accept.
    const page = await newPage();
    await page.goto(site.url);
    await page.locator('#login').waitFor({ timeout: 8000 });
    await shoot(page, 'login');
    await page.locator('#login').click();

    await page.locator('#personNo').waitFor();
    await page.locator('#personNo input').fill(student.personNo);
    await page.locator('#name input').fill(student.name);
    await page.locator('#secret input').fill('999999');
    await page.locator('#bind').click();
    await page.getByText('学工号、姓名或验证信息不正确').waitFor();
    await shoot(page, 'bind-error');

    await page.locator('#secret input').fill(student.secret);
    await page.locator('#bind').click();
    await page.locator('.qr').waitFor();
    await page.getByText(student.cardNo, { exact: false }).first().waitFor();
    assert.equal(await page.locator('#card-name').textContent(), '林晓雨');
    assert.equal(await page.locator('#card-status').textContent(), '正常');
    assert.equal(await page.locator('#balance-main').textContent(), '¥128.50');
    await shoot(page, 'card');

    const text = await readQr(page);
    const verifier = createVerifier({
      keyring: createCampusKeyring([{ kid: campusKey.kid, publicKey: campusKey.publicKey }]),
      replayGuard: createMemoryReplayGuard(),
    });
    const result = await verifier.verify(text);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.ok && result.card.cardNo, student.cardNo);

    // Tap: a new code (new counter), also accepted; the first one is now a replay.
    await page.locator('.qr').click();
    await page.waitForTimeout(300);
    const next = await readQr(page);
    assert.notEqual(next, text);
    assert.equal((await verifier.verify(next)).ok, true);
    const replayed = await verifier.verify(text);
    assert.equal(replayed.ok, false);
    assert.equal(!replayed.ok && replayed.code, 'REPLAYED');
    await page.context().close();
  });

  test('when the network is gone, then the card page says offline and still shows a code that verifies', async () => {
    // Goal: the code works with no network at all, from the certificate cached at the last sync.
    const page = await newPage();
    await page.goto(site.url);
    await page.locator('#login').click();
    await page.locator('#personNo input').fill(student.personNo);
    await page.locator('#name input').fill(student.name);
    await page.locator('#secret input').fill(student.secret);
    await page.locator('#bind').click();
    await page.locator('.qr').waitFor();

    await page.context().route('**/api/**', (route) => route.abort('internetdisconnected'));
    await page.reload();
    await page.locator('.offline-banner').waitFor();
    await page.locator('.qr').waitFor();
    assert.equal(await page.locator('#card-name').textContent(), '林晓雨', 'the cached card is shown');
    await shoot(page, 'card-offline');
    const verifier = createVerifier({
      keyring: createCampusKeyring([{ kid: campusKey.kid, publicKey: campusKey.publicKey }]),
      replayGuard: createMemoryReplayGuard(),
    });
    assert.equal((await verifier.verify(await readQr(page))).ok, true);
    await page.context().close();
  });
});
