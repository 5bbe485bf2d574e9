import Router from 'koa-router';
import { z } from 'zod';
import type { SyncService } from '../../sync/sync-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const runId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a run id is a 26-character ULID');
const startRun = z.strictObject({
  kind: z.enum(['incremental', 'full']).default('incremental'),
  actor: z
    .strictObject({ type: z.enum(['admin', 'system']), id: z.string().max(64).nullable() })
    .default({ type: 'system', id: null }),
});
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeId: runId.optional(),
});
const runQuery = z.object({
  errorsLimit: z.coerce.number().int().min(1).max(1000).default(100),
  errorsAfter: z.coerce.number().int().nonnegative().default(0),
});
/** Identity sync runs (docs/sync.md), for the backoffice: start one, watch its progress and errors. */
export function syncRoutes(sync: SyncService): Router {
  const router = new Router({ prefix: '/v1/sync' });
  router.post('/runs', async (ctx) => {
    const body = parseBody(ctx, startRun);
    ctx.status = 202;
    ctx.body = await sync.start(body.kind, body.actor.type, body.actor.id);
  });
  router.get('/runs', async (ctx) => {
    const q = parseValue(ctx.query, listQuery);
    const items = await sync.runs(q.limit, q.beforeId);
    const last = items.at(-1);
    ctx.body = { items, next: items.length === q.limit && last ? { beforeId: last.id } : null };
  });
  router.get('/runs/:runId', async (ctx) => {
    const { runId: id } = parseValue(ctx.params, z.object({ runId }));
    const q = parseValue(ctx.query, runQuery);
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
