import type { ReportName } from '@campus-card/core/client';
import { day, rowId, subsidyBatchStatuses } from '@campus-card/core/contract';
import type { LargerBody } from '@campus-card/core/http';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// The card centre's money work that is not a payment (subsidy batches, term-end clearing), the
// reports finance reads, and starting identity-sync runs. The core keeps the state and enforces
// maker ≠ checker (docs/funds.md); these routes check the role, pass the signed-in admin as the
// actor, and audit every write.

/**
 * A batch's file comes inside the JSON body (20,000 rows of CSV with notes, or an .xlsx as base64):
 * these two routes alone take more than the BFF's default body limit, the same as the core allows.
 */
export const subsidyImportBodies: readonly LargerBody[] = [
  { method: 'POST', path: /^\/api\/admin\/v1\/subsidy-batches(\/preview)?$/, bytesMax: 6 * 1024 * 1024 },
];

const idPath = z.object({ id: rowId });
const amountYuan = z.string().regex(/^\d{1,6}(\.\d{1,2})?$/, 'yuan with at most two decimals');
const note = z.string().trim().max(200).optional();
/** Where a batch's rows come from: a file as read by the browser, or a whole department or class. */
const source = z.union([
  z.strictObject({ csv: z.string().min(1) }),
  z.strictObject({
    xlsxBase64: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9+/=]+$/, 'base64'),
  }),
  z.strictObject({ department: z.string().trim().min(1).max(64), amount: amountYuan, note }),
  z.strictObject({ classCode: z.string().trim().min(1).max(64), amount: amountYuan, note }),
]);
const previewBody = z.strictObject({ source });
const createBody = z.strictObject({ title: z.string().trim().min(1).max(100), source });
const reasonBody = z.strictObject({ reason: z.string().trim().min(1).max(200) });
const batchesQuery = z.object({
  status: z.enum(subsidyBatchStatuses).optional(),
  beforeId: z.string().max(40).optional(),
});
const batchQuery = z.object({
  errorsOnly: z.enum(['true', 'false']).optional(),
  afterRowNo: z.coerce.number().int().nonnegative().optional(),
});
const syncBody = z.strictObject({ kind: z.enum(['incremental', 'full']) });
const syncRunQuery = z.object({ errorsAfter: z.coerce.number().int().nonnegative().optional() });

/** The reports by the names the backoffice uses in its URLs (one path segment each). */
const reports = {
  'turnover-daily': 'turnover/daily',
  'turnover-merchants': 'turnover/merchants',
  'turnover-categories': 'turnover/categories',
  'top-up-channels': 'top-up-channels',
  'peak-hours': 'peak-hours',
  'device-usage': 'device-usage',
  'attendance-sessions': 'attendance/sessions',
  'attendance-courses': 'attendance/courses',
} as const satisfies Record<string, ReportName>;
const reportPath = z.object({ name: z.enum(Object.keys(reports) as [keyof typeof reports]) });
const reportQuery = z.object({ from: day, to: day, format: z.enum(['json', 'csv', 'xlsx']).default('json') });

export const fundsRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/subsidy-batches',
    right: 'funds.read',
    handle: (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, batchesQuery);
      return s.core.subsidyBatches({ ...q, limit: 50 });
    },
  },
  {
    method: 'POST',
    path: '/subsidy-batches/preview',
    right: 'funds.manage',
    handle: (ctx, _admin, s) => s.core.previewSubsidyBatch(parseBody(ctx, previewBody).source),
  },
  {
    method: 'POST',
    path: '/subsidy-batches',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, createBody);
      const batch = await s.core.createSubsidyBatch({ ...body, createdBy: admin.adminId });
      await s.audit.record(admin, 'subsidy.create', 'subsidy_batch', batch.id, {
        title: batch.title,
        validCount: batch.validCount,
        errorCount: batch.errorCount,
        totalAmount: batch.totalAmount,
      });
      ctx.status = 201;
      return batch;
    },
  },
  {
    method: 'GET',
    path: '/subsidy-batches/:id',
    right: 'funds.read',
    handle: (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, batchQuery);
      return s.core.subsidyBatch(parseValue(ctx.params, idPath).id, {
        ...(q.errorsOnly ? { errorsOnly: q.errorsOnly === 'true' } : {}),
        ...(q.afterRowNo !== undefined ? { afterRowNo: q.afterRowNo } : {}),
        limit: 200,
      });
    },
  },
  {
    method: 'POST',
    path: '/subsidy-batches/:id/approve',
    right: 'funds.approve',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const batch = await s.core.approveSubsidyBatch(id, admin.adminId);
      await s.audit.record(admin, 'subsidy.approve', 'subsidy_batch', id, { totalAmount: batch.totalAmount });
      return batch;
    },
  },
  {
    method: 'POST',
    path: '/subsidy-batches/:id/reject',
    right: 'funds.approve',
    handle: async (ctx, admin, s) => {
      const { reason } = parseBody(ctx, reasonBody);
      const { id } = parseValue(ctx.params, idPath);
      const batch = await s.core.rejectSubsidyBatch(id, admin.adminId, reason);
      await s.audit.record(admin, 'subsidy.reject', 'subsidy_batch', id, { reason });
      return batch;
    },
  },
  {
    method: 'POST',
    path: '/subsidy-batches/:id/post',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const batch = await s.core.postSubsidyBatch(id, admin.adminId);
      await s.audit.record(admin, 'subsidy.post', 'subsidy_batch', id, {
        validCount: batch.validCount,
        totalAmount: batch.totalAmount,
      });
      ctx.status = 202;
      return batch;
    },
  },
  {
    method: 'GET',
    path: '/subsidy-clearings',
    right: 'funds.read',
    handle: (_ctx, _admin, s) => s.core.subsidyClearings(20),
  },
  {
    method: 'GET',
    path: '/subsidy-clearings/preview',
    right: 'funds.manage',
    handle: (_ctx, _admin, s) => s.core.subsidyClearingPreview(),
  },
  {
    method: 'GET',
    path: '/subsidy-clearings/:id',
    right: 'funds.read',
    handle: (ctx, _admin, s) => s.core.subsidyClearing(parseValue(ctx.params, idPath).id),
  },
  {
    method: 'POST',
    path: '/subsidy-clearings',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { reason } = parseBody(ctx, reasonBody);
      const clearing = await s.core.startSubsidyClearing(admin.adminId, reason);
      await s.audit.record(admin, 'subsidy.clear', 'subsidy_clearing', clearing.id, {
        reason,
        cardCount: clearing.cardCount,
      });
      ctx.status = 202;
      return clearing;
    },
  },
  {
    method: 'GET',
    path: '/reports/:name',
    right: 'report.read',
    handle: async (ctx, admin, s) => {
      const name = reports[parseValue(ctx.params, reportPath).name];
      const { format, ...range } = parseValue({ ...ctx.query }, reportQuery);
      if (format === 'json') return s.core.report(name, range);
      // An export is data leaving the system: who took which figures is on the record.
      const file = `${name.replace('/', '-')}-${range.from}-${range.to}.${format}`;
      const bytes =
        format === 'csv'
          ? Buffer.from(await s.core.reportCsv(name, range))
          : await s.core.reportXlsx(name, range);
      await s.audit.record(admin, 'report.export', 'report', name, { ...range, format });
      ctx.type =
        format === 'csv'
          ? 'text/csv; charset=utf-8'
          : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      ctx.set('content-disposition', `attachment; filename="${file}"`);
      return bytes;
    },
  },
  {
    method: 'GET',
    path: '/sync/runs/:id',
    right: 'sync.read',
    handle: (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, syncRunQuery);
      return s.core.syncRun(parseValue(ctx.params, idPath).id, { errorsLimit: 200, ...q });
    },
  },
  {
    method: 'POST',
    path: '/sync/runs',
    right: 'sync.run',
    handle: async (ctx, admin, s) => {
      const { kind } = parseBody(ctx, syncBody);
      const run = await s.core.startSyncRun(kind, { type: 'admin', id: admin.adminId });
      await s.audit.record(admin, 'sync.start', 'sync_run', run.id, { kind });
      ctx.status = 202;
      return run;
    },
  },
];
