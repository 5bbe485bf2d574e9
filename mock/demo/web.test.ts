// Goal: the demo's web origin serves the two apps with security headers (a CSP that lets only their
// own scripts run, no framing, no sniffing, no referrer), and mounts the stand-ins' /__mock back doors
// only when the demo launcher asks, never under NODE_ENV=production.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWeb, type Web } from './web.ts';

const inline = 'document.documentElement.style.fontSize = "20px";';
/** A hashed chunk as the H5 build names them, big enough to be worth compressing. */
const hash8 = 'a1b2c3d4';
const bigScript = `/* chunk */ ${'console.log("校园卡");'.repeat(400)}`;

describe('the demo web origin', () => {
  let dir: string;
  let web: Web;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-'));
    writeFileSync(
      join(dir, 'index.html'),
      `<!doctype html><html><head><script>${inline}</script><script src="/app.js"></script></head><body></body></html>`,
    );
    writeFileSync(join(dir, 'app.js'), 'console.log(1);');
    writeFileSync(join(dir, `app.${hash8}.js`), bigScript);
    web = await startWeb({ port: 0, sites: { '/': dir }, proxies: {} });
  });
  after(async () => {
    await web.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('#12.14 when a static page, script or unknown path is fetched, then it carries a CSP allowing only its own and its hashed inline scripts, no framing, nosniff and no referrer', async () => {
    for (const path of ['/', '/app.js', '/no/such/route', '/../etc/passwd']) {
      const response = await fetch(`${web.url}${path}`);
      await response.arrayBuffer();
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.doesNotMatch(csp, /script-src[^;]*'unsafe-(inline|eval)'/, path);
    }
    const page = await fetch(`${web.url}/`);
    await page.text();
    const hash = createHash('sha256').update(inline).digest('base64');
    assert.match(
      page.headers.get('content-security-policy') ?? '',
      new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/]/g, (c) => `\\${c}`)}'`),
    );
  });

  test('#12.14 when a proxy to /__mock is asked for without the demo switch, or under NODE_ENV=production, then the web origin refuses to start', async () => {
    const login = 'http://127.0.0.1:9';
    await assert.rejects(startWeb({ port: 0, sites: {}, proxies: { '/__mock': login } }), /demo launcher/);
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await assert.rejects(
        startWeb({ port: 0, sites: {}, proxies: { '/__mock': login }, demo: true }),
        /NODE_ENV=production/,
      );
    } finally {
      if (before === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = before;
    }
    const demo = await startWeb({ port: 0, sites: {}, proxies: { '/__mock': login }, demo: true });
    await demo.close();
  });
  test('#19 when a hashed chunk is fetched, then it is compressed as the browser accepts (br, else gzip) and cached for a year; the page is asked again each time', async () => {
    for (const [accept, expected] of [
      ['gzip, deflate, br', 'br'],
      ['gzip, deflate', 'gzip'],
    ] as const) {
      const response = await fetch(`${web.url}/app.${hash8}.js`, { headers: { 'accept-encoding': accept } });
      assert.equal(await response.text(), bigScript, accept);
      assert.equal(response.headers.get('content-encoding'), expected, accept);
      assert.ok(Number(response.headers.get('content-length')) < Buffer.byteLength(bigScript) / 10, accept);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(response.headers.get('vary'), 'accept-encoding');
    }
    const page = await fetch(`${web.url}/`);
    await page.text();
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    // A file without a content hash in its name (app.js, sw.js) may change under the same name.
    const plain = await fetch(`${web.url}/app.js`);
    assert.equal(await plain.text(), 'console.log(1);');
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    assert.equal(plain.headers.get('content-encoding'), null, 'too small to be worth compressing');
  });
});
