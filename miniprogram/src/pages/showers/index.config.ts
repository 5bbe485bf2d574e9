import { strings } from '../../strings.ts';

export default definePageConfig({
  navigationBarTitleText: strings.showers.title,
  enablePullDownRefresh: true,
});
