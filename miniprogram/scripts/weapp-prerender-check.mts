// Smoke test of the weapp target without WeChat: Taro's prerender runs the compiled weapp bundle in Node
// with a simulated `wx` and writes each page's first render into its .wxml. A bundle that throws on load
// (a Node-only module, a missing global) fails here. Taro does not exit after prerendering (the pages'
// timers keep its sandbox alive), so this waits for every page to report, then stops the build itself.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strings } from '../src/strings.ts';

const root = join(import.meta.dirname, '..');
// The weapp build itself takes 3–4 minutes on a loaded 2-CPU machine; only a hang should fail here.
const timeoutMs = 600_000;

/** Text each page's first render must contain. */
const expected: Record<string, string> = {
  'pages/login/index': strings.login.button,
  'pages/bind/index': strings.bind.personNo,
  'pages/home/index': 'card-name',
  'pages/card-actions/index': strings.common.loading,
  'pages/settings/index': strings.settings.privacy,
};

const child = spawn('npx', ['taro', 'build', '--type', 'weapp'], {
  cwd: root,
  env: { ...process.env, PRERENDER: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});

let output = '';
let pagesTotal: number | undefined;
const done = new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`prerender did not finish in ${timeoutMs} ms`)), timeoutMs);
  // Taro reports on both streams (the prerender lines on stderr). Decode as streams: a Chinese character
  // split between two chunks must not turn into garbage.
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const onOutput = (chunk: string) => {
    output += chunk;
    if (pagesTotal === undefined && output.includes('Compiled successfully')) {
      pagesTotal = (JSON.parse(readFileSync(join(root, 'dist/weapp/app.json'), 'utf8')) as { pages: string[] }).pages
        .length;
    }
    const rendered = output.match(/预渲染成功/g)?.length ?? 0;
    if (pagesTotal !== undefined && rendered >= pagesTotal) {
      clearTimeout(timer);
      resolve();
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  child.on('exit', (code) => {
    clearTimeout(timer);
    if (pagesTotal !== undefined && (output.match(/预渲染成功/g)?.length ?? 0) >= pagesTotal) resolve();
    else reject(new Error(`taro build exited with ${code} before every page prerendered:\n${output.slice(-4000)}`));
  });
});

try {
  await done;
} finally {
  // The build runs in its own process group: stop all of it (npx, taro, its workers).
  if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
}

const failures: string[] = [];
for (const [page, text] of Object.entries(expected)) {
  const wxml = readFileSync(join(root, 'dist/weapp', `${page}.wxml`), 'utf8');
  if (!wxml.includes(text)) failures.push(`${page}.wxml lacks ${JSON.stringify(text)}`);
}
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`weapp prerender: ${pagesTotal} pages rendered in the simulated WeChat runtime`);
