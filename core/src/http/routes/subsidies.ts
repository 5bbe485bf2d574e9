import Router from 'koa-router';
import { z } from 'zod';
import { rowId } from '../../contract/fields.ts';
import type { SubsidyService } from '../../subsidies/subsidy-service.ts';
import { xlsxBytesMax } from '../../subsidies/xlsx.ts';
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

/** Who acts: the BFF's admin API passes the signed-in admin's id; the core trusts its callers. */
const actorId = z.string().min(1).max(64);
const batchPath = z.object({ id: rowId });
const yuan = z.string().max(32);
const note = z.string().max(200).optional();
const inputRow = z.strictObject({
  personNo: z.string().max(64),
  /** Yuan with up to two decimals, as text ("12.50"); a number is taken as written. */
  amount: z.union([yuan, z.number().transform((n) => String(n))]),
  note,
});
const source = z.union([
  z.strictObject({ rows: z.array(inputRow).min(1).max(20_000) }),
  z.strictObject({ csv: z.string().min(1).max(5_000_000) }),
  z.strictObject({
    xlsxBase64: z
      .string()
      .min(1)
      .max(Math.ceil(xlsxBytesMax / 3) * 4),
  }),
  z.strictObject({ department: z.string().min(1).max(64), amount: yuan, note }),
  z.strictObject({ classCode: z.string().min(1).max(16), amount: yuan, note }),
]);
const createBatch = z.strictObject({ title: z.string().min(1).max(100), createdBy: actorId, source });
const listQuery = z.object({
  status: z.enum(['draft', 'approved', 'rejected', 'posting', 'posted']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeId: batchPath.shape.id.optional(),
});
const rowsQuery = z.object({
  errorsOnly: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  afterRowNo: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});

export function subsidyRoutes(subsidies: SubsidyService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/subsidy-batches/preview', async (ctx) => {
    ctx.body = await subsidies.preview(parseBody(ctx, z.strictObject({ source })).source);
  });
  router.post('/subsidy-batches', async (ctx) => {
    ctx.status = 201;
    ctx.body = await subsidies.create(parseBody(ctx, createBatch));
  });
  router.get('/subsidy-batches', async (ctx) => {
    const q = parseValue(ctx.query, listQuery);
    const items = await subsidies.list(q);
    ctx.body = { items, next: items.length === q.limit ? { beforeId: items[items.length - 1]?.id } : null };
  });
  router.get('/subsidy-batches/:id', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    const q = parseValue(ctx.query, rowsQuery);
    const batch = await subsidies.get(id);
    const rows = await subsidies.rows(id, q);
    ctx.body = { ...batch, rows, nextRowNo: rows.length === q.limit ? rows[rows.length - 1]?.rowNo : null };
  });
  router.post('/subsidy-batches/:id/approve', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    ctx.body = await subsidies.approve(id, parseBody(ctx, z.strictObject({ actorId })).actorId);
  });
  router.post('/subsidy-batches/:id/reject', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    const body = parseBody(ctx, z.strictObject({ actorId, reason: z.string().min(1).max(200) }));
    ctx.body = await subsidies.reject(id, body.actorId, body.reason);
  });
  router.post('/subsidy-batches/:id/post', async (ctx) => {
    const { id } = parseValue(ctx.params, batchPath);
    ctx.status = 202;
    ctx.body = await subsidies.post(id, parseBody(ctx, z.strictObject({ actorId })).actorId);
  });
  router.post('/subsidy-clearings', async (ctx) => {
    const body = parseBody(ctx, z.strictObject({ actorId, reason: z.string().min(1).max(200) }));
    ctx.status = 202;
    ctx.body = await subsidies.startClearing({ reason: body.reason, createdBy: body.actorId });
  });
  router.get('/subsidy-clearings', async (ctx) => {
    const { limit } = parseValue(
      ctx.query,
      z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    );
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
