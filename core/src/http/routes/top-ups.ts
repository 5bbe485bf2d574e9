import Router from 'koa-router';
import {
  billDatePath,
  mismatchBody,
  mismatchesQuery,
  newTopUpOrderBody,
  paymentConfirmationBody,
  prepayBody,
  reconcileBody,
  settleRefundBody,
  topUpOrderPath,
  topUpOrdersQuery,
  topUpRefundBody,
  topUpRefundPath,
  unsettledQuery,
} from '../../contract/top-ups.ts';
import type { TopUpService } from '../../topups/top-up-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

/** Top-up orders for the BFF (docs/api.md, "Top-up orders"); the BFF speaks WeChat Pay, the core keeps the truth. */
export function topUpRoutes(topUps: TopUpService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/top-up-orders', async (ctx) => {
    const result = await topUps.create(parseBody(ctx, newTopUpOrderBody));
    ctx.status = result.created ? 201 : 200;
    ctx.body = result.order;
  });
  router.get('/top-up-orders', async (ctx) => {
    const q = parseValue(ctx.query, topUpOrdersQuery);
    const items = await topUps.list(q.cardNo, q.limit, q.beforeId);
    ctx.body = { items, next: items.length === q.limit ? (items.at(-1)?.id ?? null) : null };
  });
  router.get('/top-up-orders-unsettled', async (ctx) => {
    const q = parseValue(ctx.query, unsettledQuery);
    ctx.body = { items: await topUps.unsettled(q.olderThanMs, q.limit, q.afterId) };
  });
  router.get('/top-up-orders/:id', async (ctx) => {
    ctx.body = await topUps.get(parseValue(ctx.params, topUpOrderPath).id);
  });
  router.put('/top-up-orders/:id/prepay', async (ctx) => {
    const { id } = parseValue(ctx.params, topUpOrderPath);
    const body = parseBody(ctx, prepayBody);
    ctx.body = await topUps.setPrepayId(id, body.prepayId);
  });
  router.post('/top-up-orders/:id/payment', async (ctx) => {
    const { id } = parseValue(ctx.params, topUpOrderPath);
    ctx.body = await topUps.confirmPayment(id, parseBody(ctx, paymentConfirmationBody));
  });
  router.post('/top-up-orders/:id/close', async (ctx) => {
    ctx.body = await topUps.close(parseValue(ctx.params, topUpOrderPath).id);
  });
  router.post('/top-up-orders/:id/refunds', async (ctx) => {
    const { id } = parseValue(ctx.params, topUpOrderPath);
    ctx.body = await topUps.startRefund(id, parseBody(ctx, topUpRefundBody));
  });
  router.get('/top-up-orders/:id/refunds', async (ctx) => {
    ctx.body = { items: await topUps.refunds(parseValue(ctx.params, topUpOrderPath).id) };
  });
  router.get('/top-up-refunds-processing', async (ctx) => {
    const q = parseValue(ctx.query, unsettledQuery);
    ctx.body = { items: await topUps.processingRefunds(q.olderThanMs, q.limit) };
  });
  router.post('/top-up-refunds/:refundId/settle', async (ctx) => {
    const { refundId: id } = parseValue(ctx.params, topUpRefundPath);
    ctx.body = await topUps.settleRefund(id, parseBody(ctx, settleRefundBody));
  });
  router.post('/top-up-reconciliations/:billDate', async (ctx) => {
    const { billDate: day } = parseValue(ctx.params, billDatePath);
    const body = parseBody(ctx, reconcileBody);
    ctx.body = { mismatches: await topUps.reconcile(day, body.rows, body.channel, body.refunds) };
  });
  // One finding the BFF met on a notification that can never apply (an unknown order, another
  // merchant's, a different amount): kept in the same list as the reconciliation's, once.
  router.post('/top-up-mismatches', async (ctx) => {
    ctx.body = await topUps.noteMismatch(parseBody(ctx, mismatchBody));
  });
  router.get('/top-up-mismatches', async (ctx) => {
    const q = parseValue(ctx.query, mismatchesQuery);
    ctx.body = { items: await topUps.mismatches(q.billDate, q.limit) };
  });
  return router;
}
