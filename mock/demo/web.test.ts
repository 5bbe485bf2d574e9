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
});
