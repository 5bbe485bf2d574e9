import { parentSettingsStrings } from './strings.ts';

export default definePageConfig({ navigationBarTitleText: parentSettingsStrings.title });
