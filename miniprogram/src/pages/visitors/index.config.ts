import { visitorStrings } from '../../visitor-strings.ts';

export default definePageConfig({
  navigationBarTitleText: visitorStrings.title,
  enablePullDownRefresh: true,
});
