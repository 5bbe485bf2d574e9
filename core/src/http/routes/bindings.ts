import Router from 'koa-router';
import { z } from 'zod';
import type { BindingService } from '../../bindings/binding-service.ts';
import type { HolderActions } from '../../bindings/holder-actions.ts';
import { activationCode, idTail, personNo } from '../../contract/fields.ts';
import { cardNo } from '../../ledger/operations.ts';
import { parseBody, parseValue } from '../middleware.ts';

export const openid = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,64}$/, 'an openid is 6–64 characters of A-Z a-z 0-9 _ -');
const openidPath = z.object({ openid });
const cardPath = z.object({ cardNo });
const secret = idTail;
const name = z.string().trim().min(1).max(64);
/** Exactly one proof: the activation code the card centre issued, or the ID number's last 6. */
const proofOf = <T extends z.ZodRawShape>(shape: T) =>
  z.union([z.strictObject({ ...shape, secret }), z.strictObject({ ...shape, activationCode })]);
const bindBody = z.union([
  proofOf({ openid, personNo, name }),
  // Proven by campus single sign-on at the BFF (docs/sso.md); the core takes it for `sso-` accounts only.
  z.strictObject({ openid, personNo, provenBy: z.literal('sso') }),
]);
const pin = z.string().regex(/^\d{6}$/);
const holderProof = {
  pin: pin.optional(),
  identity: proofOf({ name }).optional(),
};
const holderActionBody = z.strictObject({
  action: z.enum(['report_loss', 'cancel_loss', 'freeze', 'unfreeze']),
  ...holderProof,
});
const holderLimitBody = z.strictObject({ dailyLimit: z.number().int().nonnegative(), ...holderProof });
const holderPinBody = z.strictObject({ pin, currentPin: pin.optional(), identity: holderProof.identity });
const issueBody = z.strictObject({ issuedBy: z.string().max(64).nullable().default(null) });

/**
 * WeChat and Alipay account bindings for the BFF: bind with an identity proof, look up, unbind; the
 * holder's own card actions and PIN through the binding (PIN and identity checked here); activation codes for the
 * card centre.
 */
export function bindingRoutes(bindings: BindingService, holder: HolderActions): Router {
  const router = new Router();
  router.post('/v1/bindings', async (ctx) => {
    const result = await bindings.bind(parseBody(ctx, bindBody));
    ctx.status = result.created ? 201 : 200;
    ctx.body = result;
  });
  router.get('/v1/bindings/:openid', async (ctx) => {
    ctx.body = await bindings.get(parseValue(ctx.params, openidPath).openid);
  });
  router.delete('/v1/bindings/:openid', async (ctx) => {
    ctx.body = await bindings.unbind(parseValue(ctx.params, openidPath).openid);
  });
  router.post('/v1/bindings/:openid/card-actions', async (ctx) => {
    const id = parseValue(ctx.params, openidPath).openid;
    const { action, ...proof } = parseBody(ctx, holderActionBody);
    ctx.body = await holder.change(id, action, proof);
  });
  router.put('/v1/bindings/:openid/daily-limit', async (ctx) => {
    const id = parseValue(ctx.params, openidPath).openid;
    const { dailyLimit, ...proof } = parseBody(ctx, holderLimitBody);
    await holder.setDailyLimit(id, dailyLimit, proof);
    ctx.status = 204;
  });
  // Changing the PIN takes the current one; the first PIN and a forgotten one's reset the identity proof.
  router.put('/v1/bindings/:openid/pin', async (ctx) => {
    const id = parseValue(ctx.params, openidPath).openid;
    const { pin: next, ...proof } = parseBody(ctx, holderPinBody);
    ctx.body = await holder.setPin(id, next, proof);
  });
  // A new one-time activation code for the card, shown in this answer only.
  router.post('/v1/cards/:cardNo/activation-code', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const { issuedBy } = parseBody(ctx, issueBody);
    ctx.status = 201;
    ctx.body = await bindings.issueActivationCode(no, issuedBy);
  });
  return router;
}
