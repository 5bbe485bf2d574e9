/** Numeric pay codes on the wire (docs/credential.md): the phone's secret, and a scanned code's verdict. */
import { z } from 'zod';
import { cardNo } from './fields.ts';

export const payCodeCardPath = z.object({ cardNo });
// Any text a device may send (a scanned code is at most 512 bytes, protocol § 2) gets a verdict, MALFORMED
// when it is no campus code; only a body that is not such a text is a bad request.
/** POST /v1/pay-codes/verify. */
export const verifyPayCodeBody = z.strictObject({ code: z.string().max(512) });

/** What the phone needs to make numeric codes offline (PUT /v1/cards/:cardNo/pay-code). */
export const payCodeSecret = z.object({
  codeId: z.number().int(),
  /** 32 bytes, hex. */
  secretHex: z.string(),
  /** The card version the secret belongs to; any later lifecycle change retires it. */
  cardVersion: z.number().int(),
});
export type PayCodeSecret = z.infer<typeof payCodeSecret>;

export const payCodeRefusals = [
  'MALFORMED',
  'UNKNOWN_CODE_ID',
  'TOO_MANY_ATTEMPTS',
  'CODE_INVALID',
  'CARD_LOST',
  'CARD_FROZEN',
  'CARD_CANCELLED',
  'CREDENTIAL_REVOKED',
  'REPLAYED',
] as const;
export type PayCodeRefusal = (typeof payCodeRefusals)[number];

/** A verification is a value, as a payment's answer is: a refusal is a normal outcome, not an error. */
export const payCodeVerdict = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    cardNo: z.string(),
    cardVersion: z.number().int(),
    personType: z.string(),
    codeId: z.number().int(),
    /** This one code's identity, num:<code id>:<time step>:<seq>: the payment consumes it in the ledger. */
    useId: z.string(),
  }),
  z.object({ ok: z.literal(false), code: z.enum(payCodeRefusals), message: z.string() }),
]);
export type PayCodeVerdict = z.infer<typeof payCodeVerdict>;
