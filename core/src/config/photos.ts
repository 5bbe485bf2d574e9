import { z } from 'zod';

/** Person photos for the exam readers (core/src/photos): the key that seals them at rest and signs their references. */
export const photoSettings = {
  photoKeyHex: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .describe(
      'PHOTO_KEY: 32-byte hex key that encrypts person photos at rest and signs the short-lived photo references exam readers fetch them by; required in production, and its own',
    ),
};
