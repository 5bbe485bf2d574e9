import { strings } from '../../strings.ts';

export default definePageConfig({
  navigationBarTitleText: strings.statement.title,
  enablePullDownRefresh: true,
});
