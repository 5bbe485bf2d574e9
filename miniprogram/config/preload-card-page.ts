import type { Compilation, Compiler } from 'webpack';

// Taro's H5 router fetches a page's code with import() once the app's own code has run, so the card
// page's chunks (its QR, the credential's signing) only started downloading after app.js had arrived
// and executed: a second round of requests on the QR's path, about 0.6 s on slow 4G (#19,
// docs/benchmarks.md). This plugin names those chunks in index.html as <link rel="preload">, so the
// browser fetches them beside app.js; when the router's import() asks for them they are already there.

/** The html-webpack-plugin Taro builds with (its hooks are per module instance, so Taro's own copy). */
interface HtmlPlugin {
  getHooks(compilation: Compilation): {
    alterAssetTagGroups: {
      tap(
        name: string,
        fn: (data: { headTags: HtmlTag[]; publicPath: string }) => {
          headTags: HtmlTag[];
          publicPath: string;
        },
      ): void;
    };
  };
}

interface HtmlTag {
  tagName: string;
  voidTag: boolean;
  attributes: Record<string, string | boolean>;
  meta: Record<string, unknown>;
}

/** The JavaScript and CSS files of the import() whose request names `page` (e.g. `pages/home/index`). */
export function filesOfPage(compilation: Compilation, page: string): string[] {
  const request = new RegExp(`[\\\\/]${page.replace(/\//g, '[\\\\/]')}$`);
  const files = new Set<string>();
  for (const group of compilation.chunkGroups) {
    if (!group.origins.some((origin) => origin.request !== undefined && request.test(origin.request)))
      continue;
    for (const chunk of group.chunks) for (const file of chunk.files) files.add(file);
  }
  return [...files].filter((file) => /\.(js|css)$/.test(file)).sort();
}

export class PreloadPagePlugin {
  constructor(
    private readonly html: HtmlPlugin,
    private readonly page: string,
  ) {}

  apply(compiler: Compiler): void {
    compiler.hooks.compilation.tap('PreloadPagePlugin', (compilation) => {
      this.html.getHooks(compilation).alterAssetTagGroups.tap('PreloadPagePlugin', (data) => {
        const files = filesOfPage(compilation, this.page);
        if (files.length === 0) throw new Error(`PreloadPagePlugin: no chunk was found for ${this.page}`);
        const links: HtmlTag[] = files.map((file) => ({
          tagName: 'link',
          voidTag: true,
          attributes: {
            rel: 'preload',
            as: file.endsWith('.css') ? 'style' : 'script',
            href: `${data.publicPath}${file}`,
          },
          meta: { plugin: 'PreloadPagePlugin' },
        }));
        return { ...data, headTags: [...links, ...data.headTags] };
      });
    });
  }
}
