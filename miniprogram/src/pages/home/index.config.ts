import { strings } from '../../strings.ts';

export default definePageConfig({ navigationBarTitleText: strings.card.title, enablePullDownRefresh: true });
