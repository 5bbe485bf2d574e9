import Router from 'koa-router';
import { z } from 'zod';
import { cardNo, operationId } from '../../ledger/operations.ts';
import type { StatementService } from '../../statements/statement-service.ts';
import { parseValue } from '../middleware.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM');
const kinds = [
  'payment',
  'top_up',
  'subsidy',
  'refund',
  'hold',
  'post',
  'void',
  'expire',
  'close_out',
  'subsidy_clear',
] as const;
const listQuery = z.object({
  month: month.optional(),
  kinds: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(kinds)).min(1).max(kinds.length))
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeAtMs: z.coerce.number().int().optional(),
  beforeId: operationId.optional(),
});

/** A card's bill (filtered, paged), one transaction, and its monthly statement (Asia/Shanghai months). */
export function statementRoutes(statements: StatementService): Router {
  const router = new Router({ prefix: '/v1/cards/:cardNo' });
  router.get('/transactions', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, z.object({ cardNo }));
    const q = parseValue(ctx.query, listQuery);
    const before =
      q.beforeAtMs !== undefined && q.beforeId ? { atMs: q.beforeAtMs, id: q.beforeId } : undefined;
    const items = await statements.transactions(no, {
      ...(q.month ? { month: q.month } : {}),
      ...(q.kinds ? { kinds: q.kinds } : {}),
      ...(before ? { before } : {}),
      limit: q.limit,
    });
    const last = items.at(-1);
    ctx.body = {
      items,
      next: items.length === q.limit && last ? { beforeAtMs: last.createdAtMs, beforeId: last.id } : null,
    };
  });
  router.get('/meter-sessions', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, z.object({ cardNo }));
    const q = parseValue(
      ctx.query,
      z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        beforeAtMs: z.coerce.number().int().optional(),
        beforeId: z
          .string()
          .regex(/^[A-Za-z0-9:_.-]{1,64}$/)
          .optional(),
      }),
    );
    const before =
      q.beforeAtMs !== undefined && q.beforeId ? { atMs: q.beforeAtMs, id: q.beforeId } : undefined;
    const items = await statements.meterSessions(no, { limit: q.limit, ...(before ? { before } : {}) });
    const last = items.at(-1);
    ctx.body = {
      items,
      next: items.length === q.limit && last ? { beforeAtMs: last.startedAtMs, beforeId: last.id } : null,
    };
  });
  router.get('/transactions/:id', async (ctx) => {
    const p = parseValue(ctx.params, z.object({ cardNo, id: operationId }));
    ctx.body = await statements.transaction(p.cardNo, p.id);
  });
  router.get('/statements/:month', async (ctx) => {
    const p = parseValue(ctx.params, z.object({ cardNo, month }));
    ctx.body = await statements.monthly(p.cardNo, p.month);
  });
  return router;
}
