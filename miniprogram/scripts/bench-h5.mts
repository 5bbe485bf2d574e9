// npm run bench:h5 -w miniprogram (#19): how much JavaScript the H5 card page needs before its QR shows,
// and how long that takes on a slow phone — slow 4G (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up:
// Lighthouse's mobile profile, the one #19 measured 4.7 s on) and the CPU slowed 4× — through Chromium's
// CDP throttling, on a first visit (empty cache, no service worker) against the whole demo system
// served as `npm start` serves it (compressed, cache headers). Also prints the build's chunk sizes, a
// repeat visit's time with the service worker in control, the worker's size, and what the statement
// page (月报) fetches when opened from the card page (its charts load lazily).
// Each first visit also prints the main thread's busy time until the QR (CDP Performance metrics: less
// sensitive to a loaded machine than the wall time) and the first run its request waterfall.
// Clocks (docs/benchmarks.md): the page's, from its navigation's start as Lighthouse's metrics are, to the
// QR entering the document and to the frame that paints it; and the wall clock, from the bench asking
// Chromium to navigate to the page telling the bench (a CDP binding, no polling) that the QR is painted,
// with its two parts outside the page's clock printed apart.
// Uses dist/h5 (npm run build:h5 first); figures go to docs/benchmarks.md.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { startSystem } from '../../mock/demo/system.ts';
import { launchChromium } from '../../tests/browser.ts';
import { bindAs, waitInPage } from '../../tests/miniprogram/support.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const targets = { jsKb: 250, qrMs: 2_000 };
const slow4g = { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const cpuSlowdown = Number(process.env.BENCH_CPU_SLOWDOWN ?? 4);
const dist = join(import.meta.dirname, '../dist/h5');

if (!existsSync(join(dist, 'index.html'))) {
  console.error('build the H5 target first: npm run build:h5 -w miniprogram');
  process.exit(1);
}

/** A first visit's QR on the page's clock (ms from its navigation's start) and on the wall clock. */
interface QrTimes {
  readonly inDomMs: number;
  readonly paintedMs: number;
  readonly timeOriginEpochMs: number;
  readonly heardAtEpochMs: number;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** The build's JavaScript files with their size as sent: raw, gzip and brotli. */
function chunkSizes() {
  const dir = join(dist, 'js');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const body = readFileSync(join(dir, f));
      return {
        file: f,
        raw: statSync(join(dir, f)).size,
        gzip: gzipSync(body, { level: 9 }).length,
        br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).length,
      };
    })
    .sort((a, b) => b.raw - a.raw);
}

const chunks = chunkSizes();
const total = chunks.reduce((s, c) => ({ raw: s.raw + c.raw, br: s.br + c.br }), { raw: 0, br: 0 });
console.log(`H5 build: ${chunks.length} JavaScript files, ${kb(total.raw)} KB raw, ${kb(total.br)} KB brotli`);
console.log('largest files (KB raw / gzip / br):');
for (const c of chunks.slice(0, 8)) console.log(`  ${c.file.padEnd(36)} ${kb(c.raw).padStart(7)} ${kb(c.gzip).padStart(7)} ${kb(c.br).padStart(7)}`);

const dataDir = mkdtempSync(join(tmpdir(), 'bench-h5-'));
const system = await startSystem({
  env: { DATABASE_URL: `sqlite:${join(dataDir, 'core.sqlite')}`, LOG_LEVEL: 'silent' },
  ports: 'free',
  terminals: false,
  print: () => {},
});
const browser = await launchChromium();
try {
  const identity = system.identities[0];
  if (!identity) throw new Error('the demo has no students');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', serviceWorkers: 'block' });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  // Signed in and bound once, unthrottled; each measured run is then a cold start of the card page.
  const setup = await context.newPage();
  await bindAs(setup, system.web.url, identity);
  await setup.close();

  const results: {
    ms: number;
    inDomMs: number;
    paintedMs: number;
    jsBytes: number;
    jsFiles: number;
    taskMs: number;
    scriptMs: number;
  }[] = [];
  for (let run = 0; run < runs; run++) {
    const page = await context.newPage();
    // When the QR enters the document and when the frame that shows it has been drawn, on the page's own
    // clock (from its navigation's start), told to the bench at once through a binding. "Drawn" is a
    // task posted from the requestAnimationFrame callback of the first frame after the QR entered: it
    // runs once that frame's style, layout and paint are done (an upper bound on the paint).
    const shown = new Promise<QrTimes>((resolve) => {
      void page.exposeBinding('benchQrShown', (_source, times: QrTimes) =>
        resolve({ ...times, heardAtEpochMs: Date.now() }),
      );
    });
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('.qr') === null) return;
        observer.disconnect();
        const inDomMs = performance.now();
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () =>
            (window as unknown as { benchQrShown(times: object): void }).benchQrShown({
              inDomMs,
              paintedMs: performance.now(),
              timeOriginEpochMs: performance.timeOrigin,
            });
          channel.port2.postMessage(null);
        });
      }).observe(document, { subtree: true, childList: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Performance.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...slow4g });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    const scripts = new Map<string, number>();
    const kinds = new Map<string, string>();
    // The request waterfall: when each request went out and came back, from the page's own request.
    const requests = new Map<string, { url: string; sentS: number; doneS?: number }>();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (!e.request.url.startsWith('data:')) requests.set(e.requestId, { url: e.request.url, sentS: e.timestamp });
    });
    cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, e.type));
    cdp.on('Network.loadingFinished', (e) => {
      if (kinds.get(e.requestId) === 'Script') scripts.set(e.requestId, e.encodedDataLength);
      const request = requests.get(e.requestId);
      if (request) request.doneS = e.timestamp;
    });
    const startedEpochMs = Date.now();
    await page.goto(`${system.web.url}/`, { waitUntil: 'commit' });
    const times = await Promise.race([
      shown,
      page.waitForTimeout(60_000).then(() => Promise.reject(new Error('no QR within 60 s'))),
    ]);
    const ms = times.heardAtEpochMs - startedEpochMs;
    // Only what was fetched before the QR showed counts.
    const jsBytes = [...scripts.values()].reduce((a, b) => a + b, 0);
    // The main thread's busy time until then (throttled, so 4× a phone's): all tasks, and script alone.
    const metrics = new Map(
      (await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value * 1000] as const),
    );
    const taskMs = metrics.get('TaskDuration') ?? 0;
    const scriptMs = metrics.get('ScriptDuration') ?? 0;
    results.push({ ms, inDomMs: times.inDomMs, paintedMs: times.paintedMs, jsBytes, jsFiles: scripts.size, taskMs, scriptMs });
    // The wall clock's parts outside the page's: from the bench's request to the navigation's start, and
    // from the painted frame to the bench hearing of it.
    const beforeNavMs = times.timeOriginEpochMs - startedEpochMs;
    const toBenchMs = times.heardAtEpochMs - (times.timeOriginEpochMs + times.paintedMs);
    console.log(
      `run ${run + 1}: QR painted ${times.paintedMs.toFixed(0)} ms after navigation start (in the document at ${times.inDomMs.toFixed(0)} ms); wall clock ${ms.toFixed(0)} ms (${beforeNavMs.toFixed(0)} ms before the navigation started, ${toBenchMs.toFixed(0)} ms to tell the bench); ${kb(jsBytes)} KB of JavaScript over the wire in ${scripts.size} files; main thread busy ${taskMs.toFixed(0)} ms, script ${scriptMs.toFixed(0)} ms`,
    );
    if (run === 0) {
      const first = Math.min(...[...requests.values()].map((r) => r.sentS));
      console.log('  requests of run 1 (sent → done, ms from the page request):');
      for (const r of [...requests.values()].sort((a, b) => a.sentS - b.sentS)) {
        const done = r.doneS === undefined ? '     —' : ((r.doneS - first) * 1000).toFixed(0).padStart(6);
        console.log(`    ${((r.sentS - first) * 1000).toFixed(0).padStart(6)} → ${done}  ${r.url.replace(system.web.url, '')}`);
      }
    }
    await page.close();
  }
  const ms = median(results.map((r) => r.ms));
  const jsKb = median(results.map((r) => r.jsBytes)) / 1024;
  console.log(
    `median of ${runs}: QR painted ${median(results.map((r) => r.paintedMs)).toFixed(0)} ms after navigation start (target ≤ ${targets.qrMs}; in the document at ${median(results.map((r) => r.inDomMs)).toFixed(0)} ms), wall clock ${ms.toFixed(0)} ms; ${jsKb.toFixed(1)} KB compressed JavaScript before it (target ≤ ${targets.jsKb}); main thread busy ${median(results.map((r) => r.taskMs)).toFixed(0)} ms, script ${median(results.map((r) => r.scriptMs)).toFixed(0)} ms; slow 4G + ${cpuSlowdown}× CPU`,
  );

  // A repeat visit (#19): the service worker (Workbox, src/sw.js) that the first visit installed serves
  // the page's code from its precache, so only the page itself (fetched by the worker, which CDP does not
  // throttle: one round trip under-counted) and the API go over the network. Same throttling and the
  // same signed-in student (the storage carried over), in a context that allows service workers.
  const warm = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    storageState: await context.storageState(),
  });
  await warm.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  const install = await warm.newPage();
  await install.goto(`${system.web.url}/`);
  await install.locator('.qr').waitFor({ timeout: 60_000 });
  await waitInPage(install, 'navigator.serviceWorker.controller !== null', 60_000);
  await install.close();
  const repeat: number[] = [];
  for (let run = 0; run < runs; run++) {
    const page = await warm.newPage();
    const cdp = await warm.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...slow4g });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    let fromNetwork = 0;
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script' && !response.fromServiceWorker()) fromNetwork += 1;
    });
    const started = performance.now();
    await page.goto(`${system.web.url}/`);
    await page.locator('.qr').waitFor({ timeout: 60_000 });
    const ms = performance.now() - started;
    repeat.push(ms);
    console.log(`repeat visit ${run + 1}: QR after ${ms.toFixed(0)} ms, ${fromNetwork} JavaScript files from the network`);
    await page.close();
  }
  console.log(`median of ${runs} repeat visits with the service worker: QR after ${median(repeat).toFixed(0)} ms; slow 4G + ${cpuSlowdown}× CPU`);
  await warm.close();
  const sw = readFileSync(join(dist, 'sw.js'));
  console.log(
    `service worker sw.js: ${kb(sw.length)} KB raw, ${kb(brotliCompressSync(sw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).length)} KB brotli (fetched after load, not before the QR)`,
  );

  // The statement page (月报) opened from the card page, unthrottled (sizes only: they do not depend
  // on the machine): each JavaScript file it fetches until its charts are drawn. The page's own
  // chunk is what it waits for; the charts' chunk ("chart") is fetched beside the statement.
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.goto(`${system.web.url}/`);
  await page.locator('.qr').waitFor({ timeout: 60_000 });
  const urls = new Map<string, string>();
  const fetched: { file: string; bytes: number }[] = [];
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') urls.set(e.requestId, e.response.url);
  });
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId);
    if (url !== undefined) fetched.push({ file: url.replace(/^.*\/js\//, ''), bytes: e.encodedDataLength });
  });
  await page.evaluate(() => {
    window.location.hash = '#/pages/statement/index';
  });
  await page.locator('#statement-spent').waitFor({ timeout: 60_000 });
  await page.locator('.page-statement canvas.chart').first().waitFor({ timeout: 60_000 });
  const statementBytes = fetched.reduce((a, b) => a + b.bytes, 0);
  console.log(`statement page: ${kb(statementBytes)} KB compressed JavaScript in ${fetched.length} files until its charts are drawn:`);
  for (const f of [...fetched].sort((a, b) => b.bytes - a.bytes)) console.log(`  ${f.file.padEnd(36)} ${kb(f.bytes).padStart(7)}`);
  await page.close();
} finally {
  await browser.close();
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
