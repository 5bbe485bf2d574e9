import Router from 'koa-router';
import {
  meterSessionsQuery,
  monthlyStatementPath,
  statementCardPath,
  transactionPath,
  transactionsQuery,
} from '../../contract/statements.ts';
import type { StatementService } from '../../statements/statement-service.ts';
import { parseValue } from '../middleware.ts';

/** A card's bill (filtered, paged), one transaction, and its monthly statement (Asia/Shanghai months). */
export function statementRoutes(statements: StatementService): Router {
  const router = new Router({ prefix: '/v1/cards/:cardNo' });
  router.get('/transactions', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, statementCardPath);
    const q = parseValue(ctx.query, transactionsQuery);
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
    const { cardNo: no } = parseValue(ctx.params, statementCardPath);
    const q = parseValue(ctx.query, meterSessionsQuery);
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
    const p = parseValue(ctx.params, transactionPath);
    ctx.body = await statements.transaction(p.cardNo, p.id);
  });
  router.get('/statements/:month', async (ctx) => {
    const p = parseValue(ctx.params, monthlyStatementPath);
    ctx.body = await statements.monthly(p.cardNo, p.month);
  });
  return router;
}
