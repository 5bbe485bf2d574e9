import { myDataStrings } from '../../my-data-strings.ts';

export default definePageConfig({ navigationBarTitleText: myDataStrings.title });
