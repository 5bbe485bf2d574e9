import Router from 'koa-router';
import { startSyncRunBody, syncRunPath, syncRunQuery, syncRunsQuery } from '../../contract/sync.ts';
import type { SyncService } from '../../sync/sync-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

/** Identity sync runs (docs/sync.md), for the backoffice: start one, watch its progress and errors. */
export function syncRoutes(sync: SyncService): Router {
  const router = new Router({ prefix: '/v1/sync' });
  router.post('/runs', async (ctx) => {
    const body = parseBody(ctx, startSyncRunBody);
    ctx.status = 202;
    ctx.body = await sync.start(body.kind, body.actor.type, body.actor.id);
  });
  router.get('/runs', async (ctx) => {
    const q = parseValue(ctx.query, syncRunsQuery);
    const items = await sync.runs(q.limit, q.beforeId);
    const last = items.at(-1);
    ctx.body = { items, next: items.length === q.limit && last ? { beforeId: last.id } : null };
  });
  router.get('/runs/:runId', async (ctx) => {
    const { runId: id } = parseValue(ctx.params, syncRunPath);
    const q = parseValue(ctx.query, syncRunQuery);
    const run = await sync.run(id);
    const errors = await sync.errors(id, q.errorsLimit, q.errorsAfter);
    const last = errors.at(-1);
    ctx.body = {
      ...run,
      errors,
      errorsNext: errors.length === q.errorsLimit && last ? { errorsAfter: last.seq } : null,
    };
  });
  return router;
}
