import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import { InjectManifest } from 'workbox-webpack-plugin';
import { PreloadPagePlugin } from './preload-card-page.ts';

// The credential's phone side is TypeScript source in core/; both bundlers must compile it.
const coreSource = path.resolve(__dirname, '../../core/src');

// H5 is served by the BFF's origin (or a proxy in front of it), so '' means same-origin; mini-programs
// have no origin and need the absolute HTTPS address registered in the WeChat/Alipay console.
const apiBase =
  process.env.TARO_ENV === 'h5' ? '' : (process.env.TARO_APP_API_BASE ?? 'https://card.example.edu.cn');

export default defineConfig<'webpack5'>(() => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'campus-card',
    date: '2026-11-29',
    // NutUI is drawn for a 375-wide design, our pages for 750.
    designWidth(input) {
      const file = (input as { file?: string } | undefined)?.file ?? '';
      return file.replace(/\\+/g, '/').includes('@nutui') ? 375 : 750;
    },
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {
      API_BASE: JSON.stringify(apiBase),
      APP_ID: JSON.stringify(process.env.TARO_APP_APPID ?? 'wx0123456789abcdef'),
    },
    // H5 renders with Preact (react and react-dom aliased to preact/compat by Taro's React plugin): 10 KB
    // of runtime instead of React DOM's 130 KB on the card page's path (#19, docs/benchmarks.md). The
    // mini-programs keep React and Taro's own reconciler.
    framework: process.env.TARO_ENV === 'h5' ? 'preact' : 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    mini: {
      compile: { include: [coreSource] },
      postcss: { pxtransform: { enable: true, config: {} }, cssModules: { enable: false } },
      // Runs the compiled weapp bundle in Node and writes each page's first render into its .wxml:
      // the CI smoke check of the weapp target (PRERENDER=1 only; it needs vm2).
      ...(process.env.PRERENDER === '1' ? { prerender: { match: 'pages/**' } } : {}),
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      // Taro's components as plain HTML elements (@tarojs/components-react, drawn by Preact), not Stencil
      // web components: less code and no custom-element lifecycle before the QR (#19). Those it has no
      // HTML version of (Canvas, Switch, Textarea, Video) stay web components, on the pages that use them.
      useHtmlComponents: true,
      compile: { include: [coreSource] },
      postcss: { autoprefixer: { enable: true }, cssModules: { enable: false } },
      // Every file name carries its content hash, so the web server lets browsers keep it a year (#19).
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: {
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      webpackChain(chain) {
        // Taro splits only the first load ('initial'): each page's chunk then carried its own copy of
        // the code pages share (NutUI, services, components) — 170–200 KB each. Shared code now goes to
        // chunks of its own that every page reuses, and a page's heavy library (the statement's charts)
        // stays with that page (#19, docs/benchmarks.md).
        chain.optimization.splitChunks({
          chunks: 'all',
          hidePathInfo: true,
          minSize: 10_000,
          cacheGroups: {
            default: false,
            defaultVendors: false,
            taro: {
              test: (module: { context?: string }) => /[\\/]@tarojs[\\/]/.test(module.context ?? ''),
              name: false,
              priority: 100,
            },
            vendors: { test: /[\\/]node_modules[\\/]/, name: false, minChunks: 2, priority: 10 },
            common: { name: false, minChunks: 2, priority: 1, reuseExistingChunk: true },
          },
        });
        // The card page's own chunks are preloaded from index.html beside the app's code (#19,
        // config/preload-card-page.ts).
        chain
          .plugin('preload-card-page')
          .use(PreloadPagePlugin, [
            require(
              require.resolve('html-webpack-plugin', { paths: [require.resolve('@tarojs/webpack5-runner')] }),
            ),
            'pages/home/index',
          ]);
        // The service worker (src/sw.js, #19): Workbox compiles it with this webpack and injects the list
        // of files it precaches, each with a revision (none for names with a content hash: webpack marks
        // them immutable), so a new build's worker fetches only what changed. Chunks above 400 KB (the
        // statement's charts) are fetched on first use instead of at install.
        chain.plugin('service-worker').use(InjectManifest, [
          {
            swSrc: path.resolve(__dirname, '../src/sw.js'),
            swDest: 'sw.js',
            include: [/\.(html|js|css|png|svg|woff2)$/],
            maximumFileSizeToCacheInBytes: 400 * 1024,
          },
        ]);
      },
    },
  };
  return config;
});
