// A node:test reporter that prints nothing until the run ends, then the run's slowest test files with
// their wall time (process start to exit, hooks and module loading included), so a CI log says where
// its minutes went. tests/runner/node-test.mjs adds it beside the usual reporter (TAP in CI, spec on a
// terminal). Lines start with '#', which TAP reads as comments.
//
// Node reports each file's own run as a test:complete event named after the file (nesting 0); with
// bundles that name is the bundle's path, and TEST_SOURCES_FILE (written by the runner) maps it back.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const shownMax = 10;

export default async function* slowestFiles(source) {
  const startedMs = Date.now();
  /** file → { ms, passed } */
  const files = new Map();
  for await (const event of source) {
    if (event.type !== 'test:complete') continue;
    const { name, file, nesting, details } = event.data;
    if (nesting !== 0 || file === undefined || name !== file) continue;
    files.set(file, { ms: details.duration_ms, passed: details.passed });
  }
  if (files.size === 0) return;
  const sources = sourceNames();
  const slowest = [...files].sort((a, b) => b[1].ms - a[1].ms).slice(0, shownMax);
  const wallS = (Date.now() - startedMs) / 1000;
  const summedS = [...files.values()].reduce((sum, f) => sum + f.ms, 0) / 1000;
  const lines = [
    `# slowest ${slowest.length} of ${files.size} test files (this run: ${wallS.toFixed(1)} s wall, the files' times summed ${summedS.toFixed(1)} s):`,
    ...slowest.map(
      ([file, { ms, passed }]) =>
        `#   ${(ms / 1000).toFixed(1).padStart(6)} s  ${sources[file] ?? relative(process.cwd(), file)}${passed ? '' : '  (failed)'}`,
    ),
  ];
  yield `${lines.join('\n')}\n`;
}

/** Bundle path → the source file's path as the run was given it; empty without bundles. */
function sourceNames() {
  const path = process.env.TEST_SOURCES_FILE;
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}
