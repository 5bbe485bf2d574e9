import Router from 'koa-router';
import type { BindingService } from '../../bindings/binding-service.ts';
import type { HolderActions } from '../../bindings/holder-actions.ts';
import {
  bindBody,
  bindingCardPath,
  holderActionBody,
  holderLimitBody,
  holderPinBody,
  issueActivationBody,
  openidPath,
} from '../../contract/bindings.ts';
import { parseBody, parseValue } from '../middleware.ts';

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
    const { cardNo: no } = parseValue(ctx.params, bindingCardPath);
    const { issuedBy } = parseBody(ctx, issueActivationBody);
    ctx.status = 201;
    ctx.body = await bindings.issueActivationCode(no, issuedBy);
  });
  return router;
}
