import { cardNo, topUpOrderId } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { TopUpService } from '../services/top-ups/top-up-service.ts';

const orderId = topUpOrderId;
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'Idempotency-Key is 8–64 characters of A-Z a-z 0-9 _ -');
const createBody = z.strictObject({
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** WeChat Pay, or Alipay (my.tradePay in the Alipay mini-program, the wap.pay cashier in a browser). */
  channel: z.enum(['wechat', 'alipay']).default('wechat'),
  /** A linked child's card when a parent tops up; the caller's own card when absent. */
  cardNo: cardNo.optional(),
});
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  before: orderId.optional(),
});

/** Unavailable when no merchant is configured, so the mini-program can say so instead of failing later. */
function service(topUps: TopUpService | undefined): TopUpService {
  if (!topUps) throw new BffError('UNAVAILABLE', 'top-ups are not configured on this server');
  return topUps;
}

/** The signed-in student's top-ups: limits, create (with Idempotency-Key), one order, the list. */
export function topUpRoutes(topUps: TopUpService | undefined): Router {
  const router = new Router();
  router.get('/top-ups/limits', (ctx) => {
    ctx.body = service(topUps).limits();
  });
  router.post('/top-ups', async (ctx) => {
    const user = ctx.state.user as UserState;
    const body = parseBody(ctx, createBody);
    const key = ctx.get('idempotency-key');
    const order = await service(topUps).create(user.openid, {
      cardNo: body.cardNo,
      amount: body.amount,
      channel: body.channel,
      idempotencyKey: key === '' ? undefined : parseValue(key, idempotencyKey),
    });
    ctx.status = 201;
    ctx.body = order;
  });
  router.get('/top-ups', async (ctx) => {
    const user = ctx.state.user as UserState;
    const q = parseValue(ctx.query, listQuery);
    ctx.body = await service(topUps).list(user.openid, { limit: q.limit, beforeId: q.before });
  });
  router.get('/top-ups/:id', async (ctx) => {
    const user = ctx.state.user as UserState;
    const { id } = parseValue(ctx.params, z.object({ id: orderId }));
    ctx.body = await service(topUps).get(user.openid, id);
  });
  return router;
}

/**
 * WeChat Pay's notifications (public: WeChat signs them). The answer is WeChat's protocol, not our
 * error shape: 204 when applied or nothing to do, 4xx/5xx {code: FAIL} to be sent again later.
 */
export function payNotifyRoutes(topUps: TopUpService | undefined): Router {
  const router = new Router();
  router.post('/pay/notify', async (ctx) => {
    if (!topUps) {
      ctx.status = 503;
      ctx.body = { code: 'FAIL', message: 'top-ups are not configured' };
      return;
    }
    const answer = await topUps.notify(ctx.req.headers, ctx.state.rawBody as Buffer);
    ctx.status = answer.status;
    if (answer.body) ctx.body = answer.body;
  });
  // Alipay's asynchronous notifications: form-encoded, RSA2-signed by Alipay; the answer is Alipay's
  // protocol, the plain text `success` (stop sending) or anything else (send again).
  router.post('/pay/alipay/notify', async (ctx) => {
    ctx.type = 'text/plain';
    if (!topUps) {
      ctx.status = 503;
      ctx.body = 'fail';
      return;
    }
    const raw = (ctx.state.rawBody as Buffer).toString('utf8');
    const fields = Object.fromEntries(new URLSearchParams(raw));
    const answer = await topUps.notifyAlipay(fields);
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  return router;
}
