// babel-preset-taro: JSX, TypeScript and the target-specific transforms for every Taro build.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
