import { visitorStrings } from '../../visitor-strings.ts';

export default definePageConfig({ navigationBarTitleText: visitorStrings.passTitle });
