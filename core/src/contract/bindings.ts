/**
 * Bindings on the wire (docs/api.md § Bindings): a WeChat, Alipay or campus-SSO account bound to a
 * person who proves who they are, the bound holder's own card actions, PIN and daily limit, and the
 * card centre's one-time activation codes.
 */
import { z } from 'zod';
import { activationCode, cardNo, idTail, personNo, pin } from './fields.ts';

/** An account id: a WeChat openid, `ali-…` for Alipay, `sso-…` for campus single sign-on. */
export const openid = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,64}$/, 'an openid is 6–64 characters of A-Z a-z 0-9 _ -');
export const openidPath = z.object({ openid });
export const bindingCardPath = z.object({ cardNo });

const holderName = z.string().trim().min(1).max(64);
/** Exactly one proof: the activation code the card centre issued, or the ID number's last 6. */
const proofOf = <T extends z.ZodRawShape>(shape: T) =>
  z.union([z.strictObject({ ...shape, secret: idTail }), z.strictObject({ ...shape, activationCode })]);
export type IdentityProof = { secret: string } | { activationCode: string };

/** POST /v1/bindings. */
export const bindBody = z.union([
  proofOf({ openid, personNo, name: holderName }),
  // Proven by campus single sign-on at the BFF (docs/sso.md); the core takes it for `sso-` accounts only.
  z.strictObject({ openid, personNo, provenBy: z.literal('sso') }),
]);
export type BindRequest = z.infer<typeof bindBody>;

const holderProof = {
  pin: pin.optional(),
  identity: proofOf({ name: holderName }).optional(),
};
/** What a holder sends with an action that could reopen or widen a card: the PIN, an identity proof. */
export const holderProofBody = z.strictObject(holderProof);
export type HolderProof = z.infer<typeof holderProofBody>;
export const holderCardActions = ['report_loss', 'cancel_loss', 'freeze', 'unfreeze'] as const;
export type HolderCardAction = (typeof holderCardActions)[number];

/** POST /v1/bindings/:openid/card-actions. */
export const holderActionBody = z.strictObject({ action: z.enum(holderCardActions), ...holderProof });
/** PUT /v1/bindings/:openid/daily-limit: raising it checks the PIN. */
export const holderLimitBody = z.strictObject({ dailyLimit: z.number().int().nonnegative(), ...holderProof });
/** PUT /v1/bindings/:openid/pin: the current PIN to change it, the identity proof for a first or forgotten one. */
export const holderPinBody = z.strictObject({
  pin,
  currentPin: pin.optional(),
  identity: holderProof.identity,
});
/** POST /v1/cards/:cardNo/activation-code. */
export const issueActivationBody = z.strictObject({ issuedBy: z.string().max(64).nullable().default(null) });

/** A WeChat or Alipay account bound to a person and that person's card. */
export const binding = z.object({
  openid: z.string(),
  personId: z.string(),
  personNo: z.string(),
  cardNo: z.string(),
  createdAtMs: z.number().int(),
});
export type Binding = z.infer<typeof binding>;

export const bindResult = binding.extend({
  /** False when this same account was already bound to this same person (a retry). */
  created: z.boolean(),
  cardVersion: z.number().int(),
});
export type BindResult = z.infer<typeof bindResult>;
