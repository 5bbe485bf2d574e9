import Router from 'koa-router';
import { z } from 'zod';
import { feeCardPayment, feeImport, feePaymentId, feeRefund, newFeeItem } from '../../contract/fees.ts';
import { cardNo } from '../../contract/fields.ts';
import type { FeeItems } from '../../fees/fee-items.ts';
import type { FeeService } from '../../fees/fee-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const itemPath = z.object({ id: z.string().regex(/^[0-9A-Z]{26}$/) });
const paymentPath = z.object({ id: feePaymentId });

/** Fees (缴费, docs/funds.md): items and their progress, bills, card payments, receipts, refunds, reminders. */
export function feeRoutes(fees: FeeService, items: FeeItems): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/fee-items', async (ctx) => {
    ctx.status = 201;
    ctx.body = await items.createItem(parseBody(ctx, newFeeItem));
  });
  router.post('/fee-items/import', async (ctx) => {
    const body = parseBody(ctx, feeImport);
    ctx.status = 201;
    ctx.body = await items.importCsv(body.csv, body.createdBy);
  });
  router.post('/fee-items/pull', async (ctx) => {
    const body = parseBody(ctx, z.strictObject({ createdBy: z.string().max(64).optional() }));
    ctx.body = await items.pullFinance(body.createdBy);
  });
  router.get('/fee-items', async (ctx) => {
    ctx.body = { items: await items.items() };
  });
  router.get('/fee-items/:id', async (ctx) => {
    ctx.body = await items.progress(parseValue(ctx.params, itemPath).id);
  });
  router.get('/fee-items/:id/bills', async (ctx) => {
    const { id } = parseValue(ctx.params, itemPath);
    const q = parseValue(
      ctx.query,
      z.object({
        status: z.enum(['unpaid', 'paid']).optional(),
        limit: z.coerce.number().int().min(1).max(5000).default(500),
      }),
    );
    ctx.body = { items: await fees.billsOfItem(id, q.status, q.limit) };
  });
  router.get('/fee-items/:id/export', async (ctx) => {
    const { id } = parseValue(ctx.params, itemPath);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = await items.exportCsv(id);
  });
  router.post('/fee-items/:id/reminders', async (ctx) => {
    ctx.body = await items.remind(parseValue(ctx.params, itemPath).id);
  });
  router.get('/cards/:cardNo/fee-bills', async (ctx) => {
    ctx.body = { items: await fees.billsOfCard(parseValue(ctx.params, z.object({ cardNo })).cardNo) };
  });
  router.get('/fee-bills/:id', async (ctx) => {
    ctx.body = await fees.bill(parseValue(ctx.params, itemPath).id);
  });
  router.post('/fee-bills/:id/payments', async (ctx) => {
    const { id } = parseValue(ctx.params, itemPath);
    ctx.body = await fees.payByCard(id, parseBody(ctx, feeCardPayment));
  });
  router.post('/fee-payments/resolve', async (ctx) => {
    ctx.body = { looked: await fees.resolvePending() };
  });
  router.get('/fee-payments/:id/receipt', async (ctx) => {
    ctx.body = await fees.receipt(parseValue(ctx.params, paymentPath).id);
  });
  router.post('/fee-payments/:id/refunds', async (ctx) => {
    const { id } = parseValue(ctx.params, paymentPath);
    ctx.body = await fees.refund(id, parseBody(ctx, feeRefund));
  });
  return router;
}
