import Router from 'koa-router';
import { z } from 'zod';
import {
  acceptDisputeSchema,
  disputeId,
  disputeListQuerySchema,
  newDisputeSchema,
  rejectDisputeSchema,
} from '../../contract/disputes.ts';
import type { DisputeService } from '../../disputes/dispute-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const idParam = z.object({ id: disputeId });

/** 消费纠错 (#19): open a dispute, list and read them, accept with a refund or reject with a reason. */
export function disputeRoutes(disputes: DisputeService): Router {
  const router = new Router({ prefix: '/v1/disputes' });
  router.post('/', async (ctx) => {
    ctx.body = await disputes.open(parseBody(ctx, newDisputeSchema));
  });
  router.get('/', async (ctx) => {
    ctx.body = { items: await disputes.list(parseValue({ ...ctx.query }, disputeListQuerySchema)) };
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await disputes.get(parseValue(ctx.params, idParam).id);
  });
  router.post('/:id/accept', async (ctx) => {
    ctx.body = await disputes.accept(parseValue(ctx.params, idParam).id, parseBody(ctx, acceptDisputeSchema));
  });
  router.post('/:id/reject', async (ctx) => {
    ctx.body = await disputes.reject(parseValue(ctx.params, idParam).id, parseBody(ctx, rejectDisputeSchema));
  });
  return router;
}
