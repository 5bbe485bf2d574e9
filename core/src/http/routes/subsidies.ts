import Router from 'koa-router';
import {
  subsidyBatchPathSchema as batchPath,
  newSubsidyBatchSchema,
  subsidyActorSchema,
  subsidyBatchListQuerySchema,
  subsidyClearingListQuerySchema,
  subsidyPreviewRequestSchema,
  subsidyReasonSchema,
  subsidyRowsQuerySchema,
} from '../../contract/subsidies.ts';
import type { SubsidyService } from '../../subsidies/subsidy-service.ts';
import type { LargerBody } from '../edge.ts';
import { parseBody, parseValue } from '../middleware.ts';

/**
 * A batch's file comes inside the JSON body: 20,000 CSV rows with notes, or an .xlsx as base64, need
 * more than the core's default body limit. Only these two routes get it.
 */
export const subsidyImportBytesMax = 6 * 1024 * 1024;
export const subsidyImportBodies: readonly LargerBody[] = [
  { method: 'POST', path: /^\/v1\/subsidy-batches(\/preview)?$/, bytesMax: subsidyImportBytesMax },
];

export function subsidyRoutes(subsidies: SubsidyService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/subsidy-batches/preview', async (ctx) => {
    ctx.body = await subsidies.preview(parseBody(ctx, subsidyPreviewRequestSchema).source);
  });
  router.post('/subsidy-batches', async (ctx) => {
    ctx.status = 201;
    ctx.body = await subsidies.create(parseBody(ctx, newSubsidyBatchSchema));
  });
  router.get('/subsidy-batches', async (ctx) => {
    const q = parseValue(ctx.query, subsidyBatchListQuerySchema);
    const items = await subsidies.list(q);
    ctx.body = { items, next: items.length === q.limit ? { beforeId: items[items.length - 1]?.id } : null };
  });
  router.get('/subsidy-batches/:id', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    const q = parseValue(ctx.query, subsidyRowsQuerySchema);
    const batch = await subsidies.get(id);
    const rows = await subsidies.rows(id, q);
    ctx.body = { ...batch, rows, nextRowNo: rows.length === q.limit ? rows[rows.length - 1]?.rowNo : null };
  });
  router.post('/subsidy-batches/:id/approve', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    ctx.body = await subsidies.approve(id, parseBody(ctx, subsidyActorSchema).actorId);
  });
  router.post('/subsidy-batches/:id/reject', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    const body = parseBody(ctx, subsidyReasonSchema);
    ctx.body = await subsidies.reject(id, body.actorId, body.reason);
  });
  router.post('/subsidy-batches/:id/post', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    ctx.status = 202;
    ctx.body = await subsidies.post(id, parseBody(ctx, subsidyActorSchema).actorId);
  });
  router.post('/subsidy-clearings', async (ctx) => {
    const body = parseBody(ctx, subsidyReasonSchema);
    ctx.status = 202;
    ctx.body = await subsidies.startClearing({ reason: body.reason, createdBy: body.actorId });
  });
  router.get('/subsidy-clearings', async (ctx) => {
    const { limit } = parseValue(ctx.query, subsidyClearingListQuerySchema);
    ctx.body = { items: await subsidies.clearings(limit) };
  });
  router.get('/subsidy-clearings/preview', async (ctx) => {
    ctx.body = await subsidies.clearingPreview();
  });
  router.get('/subsidy-clearings/:id', async (ctx) => {
    ctx.body = await subsidies.clearing(parseValue(ctx.params, batchPath).id);
  });
  return router;
}
