import { z } from 'zod';
import { centreId } from '../contract/federation.ts';

/** This card centre among the centres that accept each other's cards (docs/federation.md). */
export const federationSettings = {
  centreId: centreId.describe(
    'CENTRE_ID: this card centre, as the centres it federates with know it (2–16 of A-Z 0-9); required in production',
  ),
  centreName: z.string().min(1).max(64).describe('CENTRE_NAME: the centre as people read it'),
  federationTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(30_000)
    .describe(
      "FEDERATION_TIMEOUT_MS: how long a foreign card's payment waits for its centre's answer before it is refused as unavailable (the device retries the same id)",
    ),
};
