import { bankStrings } from '../../bank-strings.ts';

export default definePageConfig({
  navigationBarTitleText: bankStrings.title,
});
