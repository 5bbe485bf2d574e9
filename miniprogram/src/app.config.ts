import { strings } from './strings.ts';

export default defineAppConfig({
  pages: ['pages/home/index', 'pages/login/index', 'pages/bind/index'],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#0b6e4f',
    navigationBarTitleText: strings.appName,
    navigationBarTextStyle: 'white',
    backgroundColor: '#f4f6f5',
  },
});
