import Router from 'koa-router';
import { payCodeCardPath, verifyPayCodeBody } from '../../contract/pay-codes.ts';
import type { PayCodeService } from '../../paycodes/pay-code-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

/**
 * Numeric pay codes: the BFF fetches the card's code id and secret for the phone; the gateway verifies a
 * scanned code. The answer of a verification is 200 with ok or the refusal code.
 */
export function payCodeRoutes(payCodes: PayCodeService): Router {
  const router = new Router();
  router.put('/v1/cards/:cardNo/pay-code', async (ctx) => {
    ctx.body = await payCodes.secretFor(parseValue(ctx.params, payCodeCardPath).cardNo);
  });
  router.post('/v1/pay-codes/verify', async (ctx) => {
    ctx.body = await payCodes.verify(parseBody(ctx, verifyPayCodeBody).code);
  });
  return router;
}
