import { strings } from './strings.ts';

export default defineAppConfig({
  pages: [
    'pages/home/index',
    'pages/login/index',
    'pages/bind/index',
    'pages/top-up/index',
    'pages/top-up-result/index',
    'pages/bills/index',
    'pages/bill-detail/index',
    'pages/statement/index',
    'pages/card-actions/index',
    'pages/showers/index',
    'pages/parents/index',
    'pages/parents-mine/index',
    'pages/notifications/index',
    'pages/news/index',
    'pages/courses/index',
    'pages/records/index',
    'pages/settings/index',
    'pages/fees/index',
    'pages/electricity/index',
    'pages/network/index',
    'pages/bank/index',
  ],
  window: {
    backgroundTextStyle: 'dark',
    navigationBarBackgroundColor: '#0b6e4f',
    navigationBarTitleText: strings.appName,
    navigationBarTextStyle: 'white',
    backgroundColor: '#f4f6f5',
  },
});
