import { passageStrings } from '../../passage-strings.ts';

export default definePageConfig({
  navigationBarTitleText: passageStrings.title,
  enablePullDownRefresh: true,
});
