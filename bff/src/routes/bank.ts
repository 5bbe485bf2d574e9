import {
  bankBindingId,
  bankCardNumber,
  bankIdempotencyKey,
  bankTransferId,
  idNumber,
  mobilePhone,
  smsCode,
} from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { BankService } from '../services/bank.ts';
import type { BindingService } from '../services/bindings.ts';

const bindBody = z.strictObject({ bankCardNumber, idNumber, phone: mobilePhone });
const confirmBody = z.strictObject({ bindingId: bankBindingId, smsCode });
/** One 圈存: 1 to 5,000 yuan. */
const loadBody = z.strictObject({
  amount: z.number().int().min(100).max(500_000),
  idempotencyKey: bankIdempotencyKey,
});
const autoBody = z
  .strictObject({
    enabled: z.boolean(),
    threshold: z.number().int().min(0).max(100_000),
    amount: z.number().int().min(100).max(100_000),
    monthlyCap: z.number().int().min(100).max(500_000),
  })
  .refine((b) => b.monthlyCap >= b.amount, {
    message: 'the monthly cap is at least one load',
    path: ['monthlyCap'],
  });

/** Bank 圈存 for the signed-in student (docs/funds.md § Bank). */
export function bankRoutes(bindings: BindingService, bank: BankService): Router {
  const router = new Router({ prefix: '/bank' });
  const me = (ctx: { state: Record<string, unknown> }) =>
    bindings.require((ctx.state.user as UserState).openid);
  router.get('/', async (ctx) => {
    ctx.body = await bank.overview(await me(ctx));
  });
  router.post('/bindings', async (ctx) => {
    ctx.body = await bank.startBinding(await me(ctx), parseBody(ctx, bindBody));
  });
  router.post('/bindings/confirm', async (ctx) => {
    ctx.body = await bank.confirmBinding(await me(ctx), parseBody(ctx, confirmBody));
  });
  router.delete('/bindings', async (ctx) => {
    ctx.body = await bank.unbind(await me(ctx));
  });
  router.post('/loads', async (ctx) => {
    ctx.body = await bank.load(await me(ctx), parseBody(ctx, loadBody));
  });
  router.put('/auto-top-up', async (ctx) => {
    ctx.body = await bank.setAutoTopUp(await me(ctx), parseBody(ctx, autoBody));
  });
  router.get('/transfers/:id', async (ctx) => {
    ctx.body = await bank.transfer(
      await me(ctx),
      parseValue(ctx.params, z.object({ id: bankTransferId })).id,
    );
  });
  return router;
}
