import { z } from 'zod';
import { centreId } from '../contract/federation.ts';

/** This card centre among the centres that accept each other's cards (docs/federation.md). */
export const federationSettings = {
  centreId: centreId.describe(
    'CENTRE_ID: this card centre, as the centres it federates with know it (2–16 of A-Z 0-9); required in production',
  ),
  centreName: z.string().min(1).max(64).describe('CENTRE_NAME: the centre as people read it'),
  federationLinkCa: z
    .string()
    .includes('-----BEGIN CERTIFICATE-----')
    .optional()
    .describe(
      "FEDERATION_LINK_CA: PEM (newlines as \\n allowed) of the CA, or the pinned certificate, the other centres' https link servers must present; unset: the system CAs. Production refuses a plain-http link URL",
    ),
  federationLinkTlsRequired: z
    .boolean()
    .describe(
      'NODE_ENV: `production` requires strong secrets, CENTRE_ID, and an https link URL for every trusted centre (the PIN travels on the link)',
    ),
  federationTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(30_000)
    .describe(
      "FEDERATION_TIMEOUT_MS: how long a foreign card's payment waits for its centre's answer before it is refused as unavailable (the device retries the same id)",
    ),
  federationOfflinePaymentMaxFen: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .describe(
      'FEDERATION_OFFLINE_PAYMENT_MAX_FEN: our offline policy for our cards at other centres: the most one payment may be when they cannot ask us (0: never without asking us); they read it over the link',
    ),
  federationOfflineCardCapFen: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .describe(
      'FEDERATION_OFFLINE_CARD_CAP_FEN: our offline policy: the most one of our cards may spend in a Shanghai day at other centres without asking us (0: nothing)',
    ),
  federationForwardIntervalMs: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .describe(
      "FEDERATION_FORWARD_INTERVAL_MS: how often other centres' offline policies are read and the payments taken under them forwarded (each with its own backoff), and foreign payments whose answer was lost asked about again",
    ),
};
