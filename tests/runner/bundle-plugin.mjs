// The esbuild plugin that compiles the project's TypeScript into bundles Node runs without a loader:
// the test files (tests/runner/node-test.mjs) and the services and scripts tests start as processes of
// their own (tests/kit/bundle.ts). Plain JavaScript, so that the runner needs no loader either.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Packages (bare imports other than the workspaces' @campus-card/…) stay imports, resolved from where
 * the bundle is written; in the project's sources import.meta.url is replaced by the source file's URL
 * (files read next to their module: migrations, videos). With `clock`, its source (tests/clock.ts)
 * becomes an import of its own bundle, so that it is one module per process.
 *
 * @param {{ clockSource: string, clockBundle: string } | undefined} clock
 */
export function sourcesAsTheyAre(clock) {
  return {
    name: 'sources-as-they-are',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (a) =>
        a.path.startsWith('@campus-card/') ? undefined : { path: a.path, external: true },
      );
      if (clock)
        b.onResolve({ filter: /clock\.ts$/ }, (a) =>
          a.importer !== '' &&
          resolve(dirname(a.importer), a.path) === clock.clockSource &&
          a.importer !== clock.clockSource
            ? { path: pathToFileURL(clock.clockBundle).href, external: true }
            : undefined,
        );
      b.onLoad({ filter: /\.[mc]?tsx?$/ }, (a) => {
        if (a.path.includes('/node_modules/')) return undefined;
        const text = readFileSync(a.path, 'utf8');
        return {
          contents: text.includes('import.meta.url')
            ? text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href))
            : text,
          loader: a.path.endsWith('x') ? 'tsx' : 'ts',
        };
      });
    },
  };
}
