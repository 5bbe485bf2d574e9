import Router from 'koa-router';
import { z } from 'zod';
import type { AbsenceService } from '../../absences/absence-service.ts';
import {
  absenceId,
  absenceListQuerySchema,
  cancelAbsenceSchema,
  decideAbsenceSchema,
  newAbsenceSchema,
} from '../../contract/absences.ts';
import { parseBody, parseValue } from '../middleware.ts';

const idParam = z.object({ id: absenceId });

/** 请假 (#17): report an absence, list and read them, cancel a pending one, decide one. */
export function absenceRoutes(absences: AbsenceService): Router {
  const router = new Router({ prefix: '/v1/absences' });
  router.post('/', async (ctx) => {
    ctx.body = await absences.report(parseBody(ctx, newAbsenceSchema));
  });
  router.get('/', async (ctx) => {
    ctx.body = { items: await absences.list(parseValue({ ...ctx.query }, absenceListQuerySchema)) };
  });
  router.get('/:id', async (ctx) => {
    ctx.body = await absences.get(parseValue(ctx.params, idParam).id);
  });
  router.post('/:id/cancel', async (ctx) => {
    ctx.body = await absences.cancel(parseValue(ctx.params, idParam).id, parseBody(ctx, cancelAbsenceSchema));
  });
  router.post('/:id/decide', async (ctx) => {
    ctx.body = await absences.decide(parseValue(ctx.params, idParam).id, parseBody(ctx, decideAbsenceSchema));
  });
  return router;
}
