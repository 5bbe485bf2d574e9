import Router from 'koa-router';
import { z } from 'zod';
import { campusId } from '../../contract/campuses.ts';
import { merchantStatusChangeSchema, newMerchantSchema } from '../../contract/merchants.ts';
import { CoreError } from '../../errors.ts';
import { entityId } from '../../ledger/operations.ts';
import type { MerchantService } from '../../merchants/merchant-service.ts';
import type { SettlementService } from '../../settlement/settlement-service.ts';
import { parseDay } from '../../time.ts';
import { parseBody, parseValue } from '../middleware.ts';

const merchantPath = z.object({ merchantId: entityId });
const campusQuery = z.object({ campusId: campusId.optional() });

function day(text: string): number {
  const parsed = parseDay(text);
  if (parsed === undefined) throw new CoreError('VALIDATION_FAILED', 'day: expected YYYY-MM-DD');
  return parsed;
}

export function merchantRoutes(merchants: MerchantService, settlement: SettlementService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/merchants', async (ctx) => {
    ctx.status = 201;
    ctx.body = await merchants.create(parseBody(ctx, newMerchantSchema));
  });
  router.get('/merchants', async (ctx) => {
    ctx.body = await merchants.list();
  });
  router.get('/merchants/:merchantId', async (ctx) => {
    ctx.body = await merchants.get(parseValue(ctx.params, merchantPath).merchantId);
  });
  router.put('/merchants/:merchantId/status', async (ctx) => {
    const { merchantId } = parseValue(ctx.params, merchantPath);
    await merchants.setStatus(merchantId, parseBody(ctx, merchantStatusChangeSchema).status);
    ctx.status = 204;
  });
  router.get('/merchants/:merchantId/statements/:day', async (ctx) => {
    const { merchantId } = parseValue(ctx.params, merchantPath);
    ctx.body = await settlement.statement(merchantId, day(String(ctx.params.day)));
  });
  // Of one campus's merchants with ?campusId= (docs/campuses.md), else of every merchant.
  router.get('/settlements/:day', async (ctx) => {
    const { campusId } = parseValue(ctx.query, campusQuery);
    ctx.body = await settlement.dayStatements(day(String(ctx.params.day)), campusId);
  });
  router.post('/settlements/:day', async (ctx) => {
    const { campusId } = parseValue(ctx.query, campusQuery);
    ctx.body = await settlement.settleDay(day(String(ctx.params.day)), campusId);
  });
  return router;
}
