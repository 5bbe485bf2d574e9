import { strings } from '../../strings.ts';

export default definePageConfig({
  navigationBarTitleText: strings.notifications.title,
  enablePullDownRefresh: true,
});
