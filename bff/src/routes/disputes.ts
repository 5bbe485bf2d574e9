import { disputeNoteCharsMax, disputeReasons, operationId, requestId } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { Disputes } from '../services/disputes.ts';

const openBody = z.strictObject({
  requestId,
  paymentId: operationId,
  reason: z.enum(disputeReasons),
  note: z.string().trim().min(1).max(disputeNoteCharsMax).optional(),
});
const listQuery = z.object({ paymentId: operationId.optional() });

/** 消费纠错 (#19): the card is the caller's bound card, never the body's. */
export function disputeRoutes(disputes: Disputes): Router {
  const router = new Router();
  const openid = (state: unknown) => (state as { user: UserState }).user.openid;
  router.post('/disputes', async (ctx) => {
    ctx.body = await disputes.open(openid(ctx.state), parseBody(ctx, openBody));
  });
  router.get('/disputes', async (ctx) => {
    ctx.body = await disputes.mine(openid(ctx.state), parseValue({ ...ctx.query }, listQuery).paymentId);
  });
  return router;
}
