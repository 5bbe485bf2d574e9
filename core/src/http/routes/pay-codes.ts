import Router from 'koa-router';
import { z } from 'zod';
import { cardNo } from '../../ledger/operations.ts';
import type { PayCodeService } from '../../paycodes/pay-code-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const cardPath = z.object({ cardNo });
// Any text a device may send (a scanned code is at most 512 bytes, protocol § 2) gets a verdict, MALFORMED
// when it is no campus code; only a body that is not such a text is a bad request.
const verifyBody = z.strictObject({ code: z.string().max(512) });

/**
 * Numeric pay codes: the BFF fetches the card's code id and secret for the phone; the gateway verifies a
 * scanned code. The answer of a verification is 200 with ok or the refusal code.
 */
export function payCodeRoutes(payCodes: PayCodeService): Router {
  const router = new Router();
  router.put('/v1/cards/:cardNo/pay-code', async (ctx) => {
    ctx.body = await payCodes.secretFor(parseValue(ctx.params, cardPath).cardNo);
  });
  router.post('/v1/pay-codes/verify', async (ctx) => {
    ctx.body = await payCodes.verify(parseBody(ctx, verifyBody).code);
  });
  return router;
}
