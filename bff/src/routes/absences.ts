import { absenceId, absenceKinds, absenceReasonCharsMax, requestId } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { Absences } from '../services/absences.ts';

/** Shanghai wall-clock 'YYYY-MM-DD HH:mm'; the core checks the order, the length and the range. */
const time = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'a time is YYYY-MM-DD HH:mm');
const reportBody = z.strictObject({
  requestId,
  kind: z.enum(absenceKinds),
  from: time,
  to: time,
  reason: z.string().trim().min(1).max(absenceReasonCharsMax),
  offCampus: z.boolean().default(false),
});
const idPath = z.object({ id: absenceId });

/** 请假 (#17): the student is the caller's bound card's holder, never the body's. */
export function absenceRoutes(absences: Absences): Router {
  const router = new Router();
  const openid = (state: unknown) => (state as { user: UserState }).user.openid;
  router.post('/absences', async (ctx) => {
    ctx.body = await absences.report(openid(ctx.state), parseBody(ctx, reportBody));
  });
  router.get('/absences', async (ctx) => {
    ctx.body = await absences.mine(openid(ctx.state));
  });
  router.post('/absences/:id/cancel', async (ctx) => {
    ctx.body = await absences.cancel(openid(ctx.state), parseValue(ctx.params, idPath).id);
  });
  return router;
}
