#!/usr/bin/env node
// Runs test files with node:test as `node --import tsx --import tests/exit-guard.ts --test <flags> <files>`
// would, but compiles them first: esbuild bundles the files given (and the exit guard) in one build,
// the project's TypeScript inlined and packages from node_modules left as imports, and Node runs the
// bundles. Through tsx every test process resolved and compiled some 600 TypeScript modules through
// loader hooks (~3.5 s of CPU before its first test, ~250 processes in `npm test`); a bundle loads in
// about a third of that. Plain JavaScript so that this runner itself needs no loader.
//
//   node tests/runner/node-test.mjs [--test-… flags for node --test] <test files…>
//
// Unless a --test-reporter is given, the run reports as node --test would (TAP when the output is not
// a terminal, as in CI; spec on one) and ends with its ten slowest files and their times
// (tests/runner/slowest-files.mjs), so a CI log shows where its minutes go.
//
// TEST_BUNDLE=0 runs the files through tsx as before (to debug with source positions), and with them the
// services tests start as processes of their own (tests/kit/bundle.ts, which bundles them otherwise).
// The esbuild plugin both use is tests/runner/bundle-plugin.mjs.
// Semantics kept from the unbundled run:
// - import.meta.url is each source file's own URL (files read next to their module: migrations, videos);
// - tests/clock.ts is one module per process, shared by the exit guard (which installs it first) and
//   the tests that shift it, as it is through tsx.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sourcesAsTheyAre } from './bundle-plugin.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const exitGuard = resolve(repoRoot, 'tests/exit-guard.ts');
const clockSource = resolve(repoRoot, 'tests/clock.ts');

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
if (!flags.some((f) => f.startsWith('--test-reporter'))) {
  const slowestFiles = pathToFileURL(resolve(repoRoot, 'tests/runner/slowest-files.mjs')).href;
  flags.push(
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${slowestFiles}`,
    '--test-reporter-destination=stdout',
  );
}
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('node-test: no test files given');
  process.exit(2);
}

if (process.env.TEST_BUNDLE === '0') {
  run(['--import', 'tsx', '--import', exitGuard, '--test', ...flags, ...files]);
} else {
  const outDir = resolve(process.cwd(), '.test-bundles', String(process.pid));
  const clockBundle = resolve(outDir, 'clock.mjs');
  mkdirSync(outDir, { recursive: true });
  const { build } = await import('esbuild');
  const started = Date.now();
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // One module per process for the clock; the project's own sources compiled in; packages imported.
    plugins: [sourcesAsTheyAre({ clockSource, clockBundle })],
  };
  await build({ ...common, entryPoints: [clockSource], outfile: clockBundle });
  const entries = [exitGuard, ...files.map((f) => resolve(f))];
  await build({
    ...common,
    entryPoints: entries,
    outbase: repoRoot,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  const bundled = (file) => resolve(outDir, `${file.slice(repoRoot.length).replace(/\.[mc]?tsx?$/, '')}.mjs`);
  console.error(`node-test: ${files.length} test files compiled in ${Date.now() - started} ms`);
  process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
  // For the slowest-files report: each bundle's source, as this run was given it.
  const sourcesFile = resolve(outDir, 'sources.json');
  writeFileSync(sourcesFile, JSON.stringify(Object.fromEntries(files.map((f) => [bundled(resolve(f)), f]))));
  process.env.TEST_SOURCES_FILE = sourcesFile;
  run(['--import', bundled(exitGuard), '--test', ...flags, ...entries.slice(1).map(bundled)]);
}

/** node with these arguments, its output ours, its exit code ours; signals passed on. */
function run(nodeArgs) {
  const child = spawn(process.execPath, nodeArgs, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
