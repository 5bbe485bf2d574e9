import { strings } from '../../strings.ts';

export default definePageConfig({
  navigationBarTitleText: strings.parents.mine,
  enablePullDownRefresh: true,
});
