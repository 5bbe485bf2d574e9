import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

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
    framework: 'react',
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
      compile: { include: [coreSource] },
      postcss: { autoprefixer: { enable: true }, cssModules: { enable: false } },
    },
  };
  return config;
});
