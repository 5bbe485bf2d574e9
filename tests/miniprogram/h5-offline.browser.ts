// The H5 build's service worker (#19, Workbox: miniprogram/src/sw.js) in real Chromium against the whole
// running system: what it keeps (the build's files with their revisions, never an /api answer), that
// money and live data always come from the server (offline they fail instead of coming from a cache),
// and that a new deploy shows at once online, replaces the old precache, and is what a cold start with
// no network then opens, with a QR the POS accepts. The cold start offline itself is also in
// h5.browser.ts's offline test. Serves miniprogram/dist/h5: build it first.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { fromHex } from '../../core/src/credential/index.ts';
import { startWeb, type Web } from '../../mock/demo/web.ts';
import { PosTerminal } from '../../mock/devices/pos.ts';
import { bindAs, type H5World, openPage, readQr, startH5World, waitInPage } from './support.ts';

const h5Root = new URL('../../miniprogram/dist/h5/', import.meta.url).pathname;

/** Run in the page (a string: this file is type-checked without the DOM): every cached URL, by cache. */
const cachedUrls = `(async () => {
  const out = {};
  for (const name of await caches.keys())
    out[name] = (await (await caches.open(name)).keys()).map((request) => request.url);
  return out;
})()`;

const controlled = 'navigator.serviceWorker.controller !== null';

async function cachesOf(page: Page): Promise<Record<string, string[]>> {
  return (await page.evaluate(cachedUrls)) as Record<string, string[]>;
}

/** The precache's URLs as paths (Workbox keys a file that has a revision as path?__WB_REVISION__=…). */
function precached(caches: Record<string, string[]>): string[] {
  const names = Object.keys(caches).filter((name) => name.startsWith('campus-card-precache-'));
  assert.equal(names.length, 1, `one precache: ${Object.keys(caches).join(', ')}`);
  return (caches[names[0] as string] ?? []).map((url) => {
    const { pathname, search } = new URL(url);
    return `${pathname}${search}`;
  });
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('the H5 service worker (Workbox) in Chromium against the whole system', () => {
  let world: H5World;
  let pos: PosTerminal;

  before(async () => {
    world = await startH5World('cc-h5sw');
    const device = await world.core.registerDevice({ id: '7151', kind: 'pos', merchantId: 'CANTEEN-1-W01' });
    const key = fromHex(device.keyHex);
    assert.ok(key);
    pos = await PosTerminal.connect({ port: world.system.gatewayPort, deviceId: 7151, key });
  });

  after(async () => {
    pos?.close();
    await world?.stop();
  });

  test('when the worker controls the page, then it has precached the build and answers no /api request: offline, the card and the top-up limits fail rather than come from a cache', async () => {
    const student = world.system.identities[0];
    assert.ok(student);
    const page = await world.newPage();
    const fromWorker: string[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/') && response.fromServiceWorker())
        fromWorker.push(response.url());
    });
    await bindAs(page, world.system.web.url, student);
    await waitInPage(page, controlled, 30_000);
    for (const route of ['home', 'bills', 'top-up']) await openPage(page, world.system.web.url, route);

    // The precache: the page under its revision and every script and stylesheet of the build up to
    // 400 KB under its content-hashed name, nothing else; no cache holds an /api answer.
    const caches = await cachesOf(page);
    const paths = precached(caches);
    const html = readFileSync(join(h5Root, 'index.html'), 'utf8');
    assert.ok(paths.includes(`/index.html?__WB_REVISION__=${md5(html)}`), paths.join('\n'));
    const files = (dir: string) =>
      readdirSync(join(h5Root, dir))
        .filter((f) => /\.(js|css)$/.test(f) && readFileSync(join(h5Root, dir, f)).length <= 400 * 1024)
        .map((f) => `/${dir}/${f}`);
    assert.deepEqual(
      paths.filter((p) => !p.startsWith('/index.html')).sort(),
      [...files('js'), ...files('css')].sort(),
    );
    const api = Object.values(caches)
      .flat()
      .filter((url) => new URL(url).pathname.startsWith('/api/'));
    assert.deepEqual(api, [], 'no /api answer is cached');
    assert.deepEqual(fromWorker, [], 'no /api answer came through the worker');

    // Offline, a read of money (the top-up limits) and of the card fails: never an old answer.
    await page.context().setOffline(true);
    const offline = (await page.evaluate(`Promise.all(['/api/v1/top-ups/limits', '/api/v1/card'].map((path) =>
      fetch(path).then((response) => 'answered ' + response.status, (error) => error.name)))`)) as string[];
    assert.deepEqual(offline, ['TypeError', 'TypeError']);
    // … and the top-up page, opened from the cache, says the network is gone instead of showing limits.
    await page.reload();
    await page.locator('.page-top-up .state-error', { hasText: '网络不可用' }).waitFor();
    assert.equal(await page.locator('.page-top-up .preset').count(), 0);
    await page.context().close();
  });

  test('when a new build is deployed, then the next visit shows it at once, its worker replaces the old precache, and a cold start offline opens the new build with a QR the POS accepts', async () => {
    // A deployment of its own (a copy of dist/h5 behind its own web front), so the copy can change.
    const site = mkdtempSync(join(tmpdir(), 'h5-deploy-'));
    cpSync(h5Root, site, { recursive: true });
    let web: Web | undefined;
    try {
      web = await startWeb({
        sites: { '/': site },
        proxies: { '/api': world.system.bff.url, '/__mock': world.system.login.baseUrl },
        demo: true,
      });
      const student = world.system.identities[1];
      assert.ok(student);
      const page = await world.newPage();
      await bindAs(page, web.url, student);
      await waitInPage(page, controlled, 30_000);
      const html = readFileSync(join(site, 'index.html'), 'utf8');
      const oldEntry = /js\/app\.[0-9a-f]{8}\.js/.exec(html)?.[0];
      assert.ok(oldEntry, 'index.html loads the app chunk');
      assert.ok(precached(await cachesOf(page)).includes(`/${oldEntry}`));

      // The next build: a changed app chunk (a new content-hashed name) and a page that loads it, with
      // the worker's manifest naming both, as InjectManifest writes it.
      const newEntry = 'js/app.0d0e0f10.js';
      renameSync(join(site, oldEntry), join(site, newEntry));
      const newHtml = html
        .replace(oldEntry, newEntry)
        .replace('</head>', '<meta name="build" content="next"></head>');
      writeFileSync(join(site, 'index.html'), newHtml);
      const sw = readFileSync(join(site, 'sw.js'), 'utf8');
      assert.ok(sw.includes(md5(html)) && sw.includes(`/${oldEntry}`), 'sw.js names the build it precaches');
      writeFileSync(
        join(site, 'sw.js'),
        sw.replace(md5(html), md5(newHtml)).replace(`/${oldEntry}`, `/${newEntry}`),
      );

      // Online, the next visit is the new build at once (the page comes from the network) …
      await page.reload();
      await page.locator('meta[name="build"]').waitFor({ state: 'attached' });
      await page.locator('.qr').waitFor();
      // … and the new worker, found on that visit, takes over with the new files only.
      await waitInPage(
        page,
        `(async () => {
          const names = (await caches.keys()).filter((n) => n.startsWith('campus-card-precache-'));
          if (names.length !== 1) return false;
          const urls = (await (await caches.open(names[0])).keys()).map((r) => r.url);
          return urls.some((u) => u.endsWith('/${newEntry}')) && !urls.some((u) => u.endsWith('/${oldEntry}'))
            && urls.some((u) => u.endsWith('${md5(newHtml)}'));
        })()`,
        60_000,
      );
      const paths = precached(await cachesOf(page));
      assert.ok(!paths.includes(`/index.html?__WB_REVISION__=${md5(html)}`), 'the old page is gone');

      // Cold start with no network: the new build's page and code from the precache, the QR from the
      // kept certificate, and the POS accepts it.
      await page.context().setOffline(true);
      await page.reload();
      await page.locator('meta[name="build"]').waitFor({ state: 'attached' });
      await page.locator('.offline-banner').first().waitFor();
      await page.locator('.qr').waitFor();
      const approved = await pos.pay(await readQr(page), 100);
      assert.equal(approved.kind, 'pay_approved', JSON.stringify(approved));
      await page.context().close();
    } finally {
      await web?.close();
      rmSync(site, { recursive: true, force: true });
    }
  });
});
