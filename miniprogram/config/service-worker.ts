import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Compiler } from 'webpack';

/** What the service worker keeps for a cold start offline: the page, its code, styles and images. */
const precachedFile = /\.(html|js|css|png|svg|woff2)$/;
/** Chunks above this are fetched on first use instead (the statement's charts), not at install. */
const precacheBytesMax = 400 * 1024;

/**
 * Emits sw.js (the H5 build's service worker, #19) from config/sw.js with the list of files it
 * precaches and a version derived from their contents, so every build that changes a file gets a
 * fresh cache and the worker drops the old one. The worker itself is small and plain (no library):
 * see config/sw.js for what it serves from the cache and what it never touches (/api).
 */
export class ServiceWorkerPlugin {
  constructor(private readonly publicPath: string) {}

  apply(compiler: Compiler): void {
    const { Compilation, sources } = compiler.webpack;
    const template = readFileSync(path.join(__dirname, 'sw.js'), 'utf8');
    compiler.hooks.thisCompilation.tap('ServiceWorkerPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'ServiceWorkerPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_REPORT },
        (assets) => {
          const version = createHash('sha256');
          const urls: string[] = [];
          for (const name of Object.keys(assets).sort()) {
            const asset = assets[name];
            if (!asset || name === 'sw.js' || !precachedFile.test(name) || asset.size() > precacheBytesMax)
              continue;
            version.update(name).update(asset.source());
            urls.push(`${this.publicPath}${name}`);
          }
          const source = template
            .replace("'__PRECACHE__'", JSON.stringify(urls))
            .replace('__VERSION__', version.digest('hex').slice(0, 16));
          compilation.emitAsset('sw.js', new sources.RawSource(source));
        },
      );
    });
  }
}
