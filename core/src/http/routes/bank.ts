import Router from 'koa-router';
import { z } from 'zod';
import type { BankService } from '../../bank/bank-service.ts';
import {
  autoTopUpBody,
  bankTransferId,
  bankTransferStatuses,
  bindConfirmBody,
  bindStartBody,
  loadBody,
} from '../../contract/bank.ts';
import { cardNo } from '../../contract/fields.ts';
import { parseBody, parseValue } from '../middleware.ts';

const cardPath = z.object({ cardNo });
const transferPath = z.object({ id: bankTransferId });
const listQuery = z.object({
  cardNo: cardNo.optional(),
  status: z.enum(bankTransferStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  beforeId: bankTransferId.optional(),
});
const reconcileBody = z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
const mismatchQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** Bank 圈存 (docs/funds.md § Bank): bindings, loads, auto top-up, transfers and their reconciliation. */
export function bankRoutes(bank: BankService): Router {
  const router = new Router({ prefix: '/v1/bank' });
  router.post('/bindings', async (ctx) => {
    ctx.body = await bank.startBinding(parseBody(ctx, bindStartBody));
  });
  router.post('/bindings/confirm', async (ctx) => {
    ctx.body = await bank.confirmBinding(parseBody(ctx, bindConfirmBody));
  });
  router.get('/bindings/:cardNo', async (ctx) => {
    ctx.body = { binding: await bank.binding(parseValue(ctx.params, cardPath).cardNo) };
  });
  router.delete('/bindings/:cardNo', async (ctx) => {
    ctx.body = await bank.unbind(parseValue(ctx.params, cardPath).cardNo);
  });
  router.post('/loads', async (ctx) => {
    const body = parseBody(ctx, loadBody);
    ctx.body = await bank.load(body, body.origin ?? 'app');
  });
  router.get('/transfers', async (ctx) => {
    ctx.body = { items: await bank.transfers(parseValue(ctx.query, listQuery)) };
  });
  router.get('/transfers/:id', async (ctx) => {
    ctx.body = await bank.transfer(parseValue(ctx.params, transferPath).id);
  });
  router.get('/auto-top-ups/:cardNo', async (ctx) => {
    ctx.body = { settings: await bank.autoTopUp(parseValue(ctx.params, cardPath).cardNo) };
  });
  router.put('/auto-top-ups', async (ctx) => {
    ctx.body = await bank.setAutoTopUp(parseBody(ctx, autoTopUpBody));
  });
  router.post('/auto-top-ups/:cardNo/trigger', async (ctx) => {
    ctx.body = await bank.triggerAutoTopUp(parseValue(ctx.params, cardPath).cardNo);
  });
  router.post('/resolve', async (ctx) => {
    ctx.body = await bank.resolve();
  });
  router.post('/refund-payouts', async (ctx) => {
    ctx.body = { paid: await bank.payRefundsToBank() };
  });
  router.post('/reconciliation', async (ctx) => {
    ctx.body = await bank.reconcile(parseBody(ctx, reconcileBody).date);
  });
  router.get('/mismatches', async (ctx) => {
    ctx.body = { items: await bank.mismatches(parseValue(ctx.query, mismatchQuery).limit) };
  });
  return router;
}
