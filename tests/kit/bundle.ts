// Services and scripts that tests start as processes of their own (a core to kill -9, the jobs CLI),
// compiled by esbuild into one bundle each, as tests/runner/node-test.mjs compiles the test files:
// loaded through tsx, each such process spent ~3.5 s of CPU resolving and compiling some 600 modules
// before it did anything, a bundle about a third of that. Built once per test process and entry, next to
// the entry's workspace (its packages resolve from there), removed when the process exits.
// TEST_BUNDLE=0 runs them through tsx, as it does the test files.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sourcesAsTheyAre } from '../runner/bundle-plugin.mjs';

const built = new Map<string, Promise<string>>();
const outDirs = new Set<string>();
process.on('exit', () => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Node's arguments that run `entry` (a .ts file): its bundle, or `--import tsx entry` with TEST_BUNDLE=0. */
export async function nodeArgsFor(entry: string): Promise<string[]> {
  if (process.env.TEST_BUNDLE === '0') return ['--import', 'tsx', entry];
  let bundle = built.get(entry);
  if (!bundle) {
    bundle = bundleOf(entry);
    built.set(entry, bundle);
  }
  return [await bundle];
}

async function bundleOf(entry: string): Promise<string> {
  let workspace = dirname(entry);
  while (!existsSync(join(workspace, 'package.json')) && dirname(workspace) !== workspace)
    workspace = dirname(workspace);
  const outDir = join(workspace, '.test-bundles', `spawned-${process.pid}`);
  outDirs.add(outDir);
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(entry).replace(/\.[mc]?tsx?$/, '')}-${built.size}.mjs`);
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [sourcesAsTheyAre()],
  });
  return outfile;
}
