import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const guard = fileURLToPath(new URL('../exit-guard.ts', import.meta.url));

/**
 * Runs node's test runner on one file with the guard preloaded, as every workspace's npm test does,
 * with a grace period of `graceMs` after the last test.
 */
function runTests(
  file: string,
  graceMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', guard, '--test', file], {
    // Without NODE_TEST_CONTEXT: set by the runner running this file, it would turn the inner runner into its child.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, TEST_EXIT_GRACE_MS: String(graceMs) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the test exit guard that replaces --test-force-exit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exit-guard-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('when a test file leaves a server listening, then its process ends after the grace period, the file fails and the open handle is named', async () => {
    const file = join(dir, 'leaks.test.mjs');
    await writeFile(
      file,
      "import { test } from 'node:test';\nimport net from 'node:net';\ntest('passes but leaks', () => { net.createServer().listen(0, '127.0.0.1'); });\n",
    );
    const run = await runTests(file, 1_000);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /ok 1 - passes but leaks/);
    assert.match(run.stdout + run.stderr, /still running 1 s after its last test; open: .*TCPServerWrap/);
  });

  test('when a test file cleans up, then it exits by itself, code 0, with all 200 verdicts reported', async () => {
    const file = join(dir, 'clean.test.mjs');
    const names = Array.from({ length: 200 }, (_, i) => `case ${i} ${'x'.repeat(500)}`);
    await writeFile(
      file,
      `import { test } from 'node:test';\nfor (const name of ${JSON.stringify(names)}) test(name, () => {});\n`,
    );
    // A clean file exits at once; the long grace only keeps a loaded machine's slow exit (writing 200
    // verdicts out) from being taken for a leak: at 1 s it was, at load average 20.
    const run = await runTests(file, 20_000);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /# tests 200\n# suites 0\n# pass 200\n/);
    assert.doesNotMatch(run.stdout + run.stderr, /still running/);
  });
});
