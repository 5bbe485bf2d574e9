import Router from 'koa-router';
import { z } from 'zod';
import type { MonthlyStatementNotices } from '../../notices/monthly-statements.ts';
import type { NoticeRepository } from '../../notices/notice-repository.ts';
import { parseBody, parseValue } from '../middleware.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM');

/** A person's kept notices, and sending a month's statement notices by hand (they also go out by schedule). */
export function noticeRoutes(notices: NoticeRepository, statements: MonthlyStatementNotices): Router {
  const router = new Router({ prefix: '/v1' });
  router.get('/persons/:personId/notices', async (ctx) => {
    const { personId } = parseValue(ctx.params, z.object({ personId: z.string().min(1).max(26) }));
    const { limit } = parseValue(
      ctx.query,
      z.object({ limit: z.coerce.number().int().min(1).max(100).default(30) }),
    );
    ctx.body = { items: await notices.forPerson(personId, limit) };
  });
  router.post('/notices/monthly-statements', async (ctx) => {
    ctx.body = { sent: await statements.run(parseBody(ctx, z.strictObject({ month })).month) };
  });
  return router;
}
