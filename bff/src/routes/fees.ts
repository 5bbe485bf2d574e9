import { feePaymentId, pin } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { FeesService } from '../services/fees.ts';

const billPath = z.object({ billId: z.string().regex(/^[0-9A-Z]{26}$/) });
const payBody = z.strictObject({
  id: feePaymentId,
  amount: z.number().int().positive().max(100_000_000),
  pin: pin.optional(),
});

const channelBody = z.strictObject({
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  channel: z.enum(['wechat', 'alipay']),
});
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'Idempotency-Key is 8–64 characters of A-Z a-z 0-9 _ -');

/** The caller's fees: bills, paying one from the card or by WeChat Pay / Alipay, receipts. */
export function feeRoutes(bindings: BindingService, fees: FeesService): Router {
  const router = new Router();
  const me = (ctx: { state: Record<string, unknown> }) =>
    bindings.require((ctx.state.user as UserState).openid);
  router.get('/fees', async (ctx) => {
    ctx.body = { items: await fees.bills(await me(ctx)) };
  });
  router.get('/fees/:billId', async (ctx) => {
    ctx.body = await fees.bill(await me(ctx), parseValue(ctx.params, billPath).billId);
  });
  router.post('/fees/:billId/payments', async (ctx) => {
    const { billId } = parseValue(ctx.params, billPath);
    ctx.body = await fees.pay(await me(ctx), billId, parseBody(ctx, payBody));
  });
  router.post('/fees/:billId/channel-payments', async (ctx) => {
    const { billId } = parseValue(ctx.params, billPath);
    const body = parseBody(ctx, channelBody);
    const key = ctx.get('idempotency-key');
    ctx.status = 201;
    ctx.body = await fees.payByChannel(await me(ctx), (ctx.state.user as UserState).openid, billId, {
      ...body,
      idempotencyKey: key === '' ? undefined : parseValue(key, idempotencyKey),
    });
  });
  router.get('/fee-payments/:id/receipt', async (ctx) => {
    ctx.body = await fees.receipt(await me(ctx), parseValue(ctx.params, z.object({ id: feePaymentId })).id);
  });
  return router;
}
