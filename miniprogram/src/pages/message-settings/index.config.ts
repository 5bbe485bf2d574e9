import { messageStrings } from '../../message-strings.ts';

export default definePageConfig({ navigationBarTitleText: messageStrings.title });
