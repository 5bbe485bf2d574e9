import { busStrings } from '../../bus-strings.ts';

export default definePageConfig({ navigationBarTitleText: busStrings.title, enablePullDownRefresh: true });
