import Router from 'koa-router';
import { monthlyStatementsBody, personNoticesPath, personNoticesQuery } from '../../contract/notices.ts';
import type { MonthlyStatementNotices } from '../../notices/monthly-statements.ts';
import type { NoticeRepository } from '../../notices/notice-repository.ts';
import { parseBody, parseValue } from '../middleware.ts';

/** A person's kept notices, and sending a month's statement notices by hand (they also go out by schedule). */
export function noticeRoutes(notices: NoticeRepository, statements: MonthlyStatementNotices): Router {
  const router = new Router({ prefix: '/v1' });
  router.get('/persons/:personId/notices', async (ctx) => {
    const { personId } = parseValue(ctx.params, personNoticesPath);
    const { limit } = parseValue(ctx.query, personNoticesQuery);
    ctx.body = { items: await notices.forPerson(personId, limit) };
  });
  router.post('/notices/monthly-statements', async (ctx) => {
    ctx.body = { sent: await statements.run(parseBody(ctx, monthlyStatementsBody).month) };
  });
  return router;
}
