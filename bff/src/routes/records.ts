import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseValue } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { RecordKind, Records } from '../services/records.ts';

const kind = z.enum(['access', 'attendance']);
const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  /** The `next` of the page before: the time of its last record. */
  cursor: z
    .string()
    .regex(/^\d{1,16}$/, 'cursor: not a cursor this API gave out')
    .transform(Number)
    .optional(),
});

/** The caller's access checks and attendance sign-ins: /records?kind=… and /records/<kind>. */
export function recordRoutes(bindings: BindingService, records: Records): Router {
  const router = new Router({ prefix: '/records' });
  const list = async (
    ctx: Router.RouterContext,
    recordKind: RecordKind,
    query: z.infer<typeof pageQuery>,
  ) => {
    const binding = await bindings.require((ctx.state.user as UserState).openid);
    ctx.body = await records.list(binding, recordKind, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { beforeAtMs: query.cursor }),
    });
  };
  router.get('/', async (ctx) => {
    const { kind: recordKind, ...query } = parseValue({ ...ctx.query }, pageQuery.extend({ kind }));
    await list(ctx, recordKind, query);
  });
  router.get('/:kind', async (ctx) => {
    const recordKind = parseValue(ctx.params, z.object({ kind })).kind;
    await list(ctx, recordKind, parseValue({ ...ctx.query }, pageQuery));
  });
  return router;
}
