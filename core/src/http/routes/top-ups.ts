import Router from 'koa-router';
import { z } from 'zod';
import { topUpOrderId } from '../../contract/fields.ts';
import { cardNo, fen } from '../../ledger/operations.ts';
import type { TopUpService } from '../../topups/top-up-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const orderId = topUpOrderId;
const key = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'an idempotency key is 8–64 characters of A-Z a-z 0-9 _ -');
const openid = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/);
/** WeChat's transaction_id (32) or Alipay's trade_no (up to 60 here, so `ali:<trade_no>` is an operation id). */
const transactionId = z.string().regex(/^[0-9A-Za-z]{1,60}$/);
const channel = z.enum(['wechat', 'alipay']);
const refundId = z.string().regex(/^[0-9A-Za-z_\-|*@]{1,64}$/);
const billDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const mismatchBody = z.strictObject({
  billDate,
  outTradeNo: z.string().regex(/^[\x21-\x7e]{1,32}$/, 'an out_trade_no is 1–32 printable ASCII characters'),
  kind: z.enum(['missing_ours', 'amount_differs', 'state_differs']),
  ours: z.string().max(255).nullable(),
  theirs: z.string().max(255).nullable(),
});
const createBody = z.strictObject({
  openid,
  cardNo,
  idempotencyKey: key,
  amount: fen,
  channel: channel.optional(),
  dailyCap: fen,
  ttlMs: z
    .number()
    .int()
    .min(1_000)
    .max(2 * 3_600_000),
});
const listQuery = z.object({
  cardNo,
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeId: orderId.optional(),
});
const unsettledQuery = z.object({
  afterId: orderId.optional(),
  olderThanMs: z.coerce.number().int().min(0).max(86_400_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const paymentBody = z.strictObject({
  transactionId,
  amount: fen,
  paidAtMs: z.number().int().positive(),
});
const refundBody = z.strictObject({ refundId, amount: fen, reason: z.string().min(1).max(80) });
const settleBody = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  wechatRefundId: z.string().max(64).nullable(),
});
const reconcileBody = z.strictObject({
  /** Whose bill this is; WeChat's when absent. */
  channel: channel.optional(),
  rows: z
    .array(
      z.strictObject({
        outTradeNo: z.string().min(1).max(32),
        transactionId: z.string().max(64),
        state: z.string().max(16),
        amount: z.number().int().nonnegative(),
      }),
    )
    .max(100_000),
});

/** Top-up orders for the BFF (docs/api.md, "Top-up orders"); the BFF speaks WeChat Pay, the core keeps the truth. */
export function topUpRoutes(topUps: TopUpService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/top-up-orders', async (ctx) => {
    const result = await topUps.create(parseBody(ctx, createBody));
    ctx.status = result.created ? 201 : 200;
    ctx.body = result.order;
  });
  router.get('/top-up-orders', async (ctx) => {
    const q = parseValue(ctx.query, listQuery);
    const items = await topUps.list(q.cardNo, q.limit, q.beforeId);
    ctx.body = { items, next: items.length === q.limit ? (items.at(-1)?.id ?? null) : null };
  });
  router.get('/top-up-orders-unsettled', async (ctx) => {
    const q = parseValue(ctx.query, unsettledQuery);
    ctx.body = { items: await topUps.unsettled(q.olderThanMs, q.limit, q.afterId) };
  });
  router.get('/top-up-orders/:id', async (ctx) => {
    ctx.body = await topUps.get(parseValue(ctx.params, z.object({ id: orderId })).id);
  });
  router.put('/top-up-orders/:id/prepay', async (ctx) => {
    const { id } = parseValue(ctx.params, z.object({ id: orderId }));
    const body = parseBody(ctx, z.strictObject({ prepayId: z.string().min(1).max(64) }));
    ctx.body = await topUps.setPrepayId(id, body.prepayId);
  });
  router.post('/top-up-orders/:id/payment', async (ctx) => {
    const { id } = parseValue(ctx.params, z.object({ id: orderId }));
    ctx.body = await topUps.confirmPayment(id, parseBody(ctx, paymentBody));
  });
  router.post('/top-up-orders/:id/close', async (ctx) => {
    ctx.body = await topUps.close(parseValue(ctx.params, z.object({ id: orderId })).id);
  });
  router.post('/top-up-orders/:id/refunds', async (ctx) => {
    const { id } = parseValue(ctx.params, z.object({ id: orderId }));
    ctx.body = await topUps.startRefund(id, parseBody(ctx, refundBody));
  });
  router.get('/top-up-orders/:id/refunds', async (ctx) => {
    ctx.body = { items: await topUps.refunds(parseValue(ctx.params, z.object({ id: orderId })).id) };
  });
  router.get('/top-up-refunds-processing', async (ctx) => {
    const q = parseValue(ctx.query, unsettledQuery);
    ctx.body = { items: await topUps.processingRefunds(q.olderThanMs, q.limit) };
  });
  router.post('/top-up-refunds/:refundId/settle', async (ctx) => {
    const { refundId: id } = parseValue(ctx.params, z.object({ refundId }));
    ctx.body = await topUps.settleRefund(id, parseBody(ctx, settleBody));
  });
  router.post('/top-up-reconciliations/:billDate', async (ctx) => {
    const { billDate: day } = parseValue(ctx.params, z.object({ billDate }));
    const body = parseBody(ctx, reconcileBody);
    ctx.body = { mismatches: await topUps.reconcile(day, body.rows, body.channel) };
  });
  // One finding the BFF met on a notification that can never apply (an unknown order, another
  // merchant's, a different amount): kept in the same list as the reconciliation's, once.
  router.post('/top-up-mismatches', async (ctx) => {
    ctx.body = await topUps.noteMismatch(parseBody(ctx, mismatchBody));
  });
  router.get('/top-up-mismatches', async (ctx) => {
    const q = parseValue(
      ctx.query,
      z.object({
        billDate: billDate.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
    );
    ctx.body = { items: await topUps.mismatches(q.billDate, q.limit) };
  });
  return router;
}
