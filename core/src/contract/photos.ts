/**
 * Person photos for the exam readers (#15, core/src/photos): a reader that signed a candidate in is given
 * a short-lived reference to the candidate's photo, bound to that reader, and fetches the bytes by it
 * (protocol § 7.28). The references are the gateway's to ask for and to pass on; they name no person.
 */
import { z } from 'zod';
import { cardNo, deviceRef } from './fields.ts';

/** How long a photo reference is good for: long enough to fetch a photo, short enough to be useless later. */
export const photoReferenceTtlMs = 90_000;

/** A reference as the readers carry it: `<photo id>.<expiresAtMs>.<mac>`, id8-safe characters only. */
export const photoReference = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9:_.-]+$/);

/** POST /v1/photos/references: a reference to the card holder's photo for this reader. */
export const photoReferenceRequestSchema = z.strictObject({ cardNo, deviceId: deviceRef });

/** POST /v1/photos/by-reference: the photo a reference names, asked by the reader it was given to. */
export const photoByReferenceSchema = z.strictObject({ reference: photoReference, deviceId: deviceRef });

export interface PhotoReferenceView {
  reference: string;
  expiresAtMs: number;
  mediaType: 'image/jpeg' | 'image/png';
  bytes: number;
}

export interface PhotoView {
  mediaType: 'image/jpeg' | 'image/png';
  /** The photo's bytes, base64. */
  data: string;
}

/** What a photo sync run did (POST /v1/photos/sync-runs, and each scheduled run). */
export interface PhotoSyncCounts {
  stored: number;
  unchanged: number;
  removed: number;
  refused: number;
}
