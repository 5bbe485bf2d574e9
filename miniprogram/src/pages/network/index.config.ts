import { strings } from '../../strings.ts';

export default definePageConfig({
  navigationBarTitleText: strings.network.title,
});
