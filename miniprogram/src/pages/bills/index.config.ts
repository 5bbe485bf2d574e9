import { strings } from '../../strings.ts';

export default definePageConfig({ navigationBarTitleText: strings.bills.title, enablePullDownRefresh: true });
