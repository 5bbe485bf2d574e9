import { strings } from '../../strings.ts';

export default definePageConfig({
  navigationBarTitleText: strings.records.title,
  enablePullDownRefresh: true,
});
