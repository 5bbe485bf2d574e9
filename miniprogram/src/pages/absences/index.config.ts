import { absenceStrings } from '../../absence-strings.ts';

export default definePageConfig({
  navigationBarTitleText: absenceStrings.title,
  enablePullDownRefresh: true,
});
