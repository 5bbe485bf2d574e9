import { month } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseValue } from '../http/middleware.ts';
import type { Bills } from '../services/bills.ts';
import type { BindingService } from '../services/bindings.ts';

/** The caller's monthly statement (Asia/Shanghai month) beside the month before. */
export function statementRoutes(bindings: BindingService, bills: Bills): Router {
  const router = new Router({ prefix: '/statements' });
  router.get('/:month', async (ctx) => {
    const params = parseValue(ctx.params, z.object({ month }));
    ctx.body = await bills.statement(
      await bindings.require((ctx.state.user as UserState).openid),
      params.month,
    );
  });
  return router;
}
