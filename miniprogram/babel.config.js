// babel-preset-taro: JSX, TypeScript and the target-specific transforms for every Taro build.
// Without targets the preset compiles for iOS 9 / Android 5: ES5, every async function through
// regenerator and every class through helpers. H5 runs in today's phone browsers and WeChat's
// Chromium-based web view, so its build targets browsers with native classes, async/await and
// object spread (#19: less code to fetch and parse before the card page's QR). The mini-programs keep
// the preset's own targets. H5 renders with Preact (config/index.ts), the mini-programs with React.
const h5Targets = { chrome: '80', safari: '13', ios: '13', firefox: '78' };

module.exports = {
  presets: [
    [
      'taro',
      {
        framework: process.env.TARO_ENV === 'h5' ? 'preact' : 'react',
        ts: true,
        compiler: 'webpack5',
        ...(process.env.TARO_ENV === 'h5' ? { targets: h5Targets } : {}),
      },
    ],
  ],
};
