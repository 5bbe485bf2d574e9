import Router from 'koa-router';
import { z } from 'zod';
import { operationId } from '../../contract/fields.ts';
import {
  kioskCancelLossBody,
  kioskCashTopUpBody,
  kioskCollectionBody,
  kioskIdentifyByIdBody,
} from '../../contract/kiosks.ts';
import type { KioskCashService } from '../../kiosks/kiosk-cash-service.ts';
import type { KioskIdentityService } from '../../kiosks/kiosk-identity-service.ts';
import type { KioskLoss } from '../../kiosks/kiosk-loss.ts';
import { parseBody, parseValue } from '../middleware.ts';

const entryPath = z.object({ id: operationId });
const collectionsQuery = z.object({
  status: z.enum(['balanced', 'discrepancy', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * Kiosks (docs/funds.md): identification by ID number + PIN, 解挂 with the PIN; banknotes: top-ups, cash
 * boxes, collections.
 */
export function kioskRoutes(cash: KioskCashService, identity: KioskIdentityService, loss: KioskLoss): Router {
  const router = new Router({ prefix: '/v1/kiosks' });
  router.post('/identify-by-id', async (ctx) => {
    const body = parseBody(ctx, kioskIdentifyByIdBody);
    ctx.body = await identity.identify(body.idNumber, body.pin);
  });
  router.post('/cancel-loss', async (ctx) => {
    ctx.body = await loss.cancel(parseBody(ctx, kioskCancelLossBody));
  });
  router.post('/cash-top-ups', async (ctx) => {
    ctx.body = await cash.topUp(parseBody(ctx, kioskCashTopUpBody));
  });
  router.get('/cash-top-ups/:id', async (ctx) => {
    ctx.body = await cash.entry(parseValue(ctx.params, entryPath).id);
  });
  router.get('/cash-boxes', async (ctx) => {
    ctx.body = { items: await cash.boxes() };
  });
  router.post('/collections', async (ctx) => {
    ctx.body = await cash.collect(parseBody(ctx, kioskCollectionBody));
  });
  router.get('/collections', async (ctx) => {
    ctx.body = { items: await cash.collections(parseValue(ctx.query, collectionsQuery)) };
  });
  return router;
}
