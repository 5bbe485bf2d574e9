import { strings } from '../../strings.ts';

export default definePageConfig({ navigationBarTitleText: strings.news.title, enablePullDownRefresh: true });
