import { z } from 'zod';
import { hexKeyList } from './server.ts';

/** Person photos for the exam readers (core/src/photos): the key that seals them at rest and signs their references. */
export const photoSettings = {
  photoKeyHex: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .describe(
      'PHOTO_KEY: 32-byte hex key that encrypts person photos at rest and signs the short-lived photo references exam readers fetch them by; required in production, and its own',
    ),
  photoKeysPreviousHex: hexKeyList.describe(
    'PHOTO_KEYS_PREVIOUS: comma-separated 32-byte hex keys PHOTO_KEY replaced; they still open photos and accept references made under them until `npm run job -- reseal photos` is done',
  ),
};
