import type { ReportName } from '@campus-card/core/contract';
import { campusId, day, rowId, subsidyBatchStatuses } from '@campus-card/core/contract';
import type { LargerBody } from '@campus-card/core/http';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// The card centre's money work that is not a payment (subsidy batches, term-end clearing), the
// reports finance reads, and starting identity-sync runs. The core keeps the state and enforces
// maker ≠ checker (docs/funds.md); services/subsidy-admin.ts passes the signed-in admin as the actor
// and audits every write and export.

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
  'turnover-campuses': 'turnover/campuses',
  'top-up-channels': 'top-up-channels',
  'peak-hours': 'peak-hours',
  'device-usage': 'device-usage',
  'attendance-sessions': 'attendance/sessions',
  'attendance-courses': 'attendance/courses',
} as const satisfies Record<string, ReportName>;
const reportPath = z.object({ name: z.enum(Object.keys(reports) as [keyof typeof reports]) });
const reportQuery = z.object({
  from: day,
  to: day,
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  /** One campus's merchants (docs/campuses.md); a campus admin's own is put here by campus-scope.ts. */
  campusId: campusId.optional(),
});

export const fundsRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/subsidy-batches',
    right: 'funds.read',
    handle: (ctx, _admin, s) => s.subsidies.batches(parseValue({ ...ctx.query }, batchesQuery)),
  },
  {
    method: 'POST',
    path: '/subsidy-batches/preview',
    right: 'funds.manage',
    handle: (ctx, _admin, s) => s.subsidies.preview(parseBody(ctx, previewBody).source),
  },
  {
    method: 'POST',
    path: '/subsidy-batches',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const batch = await s.subsidies.create(admin, parseBody(ctx, createBody));
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
      return s.subsidies.batch(parseValue(ctx.params, idPath).id, q);
    },
  },
  {
    method: 'POST',
    path: '/subsidy-batches/:id/approve',
    right: 'funds.approve',
    handle: (ctx, admin, s) => s.subsidies.approve(admin, parseValue(ctx.params, idPath).id),
  },
  {
    method: 'POST',
    path: '/subsidy-batches/:id/reject',
    right: 'funds.approve',
    handle: (ctx, admin, s) => {
      const { reason } = parseBody(ctx, reasonBody);
      return s.subsidies.reject(admin, parseValue(ctx.params, idPath).id, reason);
    },
  },
  {
    method: 'POST',
    path: '/subsidy-batches/:id/post',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const batch = await s.subsidies.post(admin, parseValue(ctx.params, idPath).id);
      ctx.status = 202;
      return batch;
    },
  },
  {
    method: 'GET',
    path: '/subsidy-clearings',
    right: 'funds.read',
    handle: (_ctx, _admin, s) => s.subsidies.clearings(),
  },
  {
    method: 'GET',
    path: '/subsidy-clearings/preview',
    right: 'funds.manage',
    handle: (_ctx, _admin, s) => s.subsidies.clearingPreview(),
  },
  {
    method: 'GET',
    path: '/subsidy-clearings/:id',
    right: 'funds.read',
    handle: (ctx, _admin, s) => s.subsidies.clearing(parseValue(ctx.params, idPath).id),
  },
  {
    method: 'POST',
    path: '/subsidy-clearings',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const clearing = await s.subsidies.startClearing(admin, parseBody(ctx, reasonBody).reason);
      ctx.status = 202;
      return clearing;
    },
  },
  {
    method: 'GET',
    path: '/reports/:name',
    right: 'report.read',
    handle: (ctx, admin, s) => {
      const name = reports[parseValue(ctx.params, reportPath).name];
      const { format, ...range } = parseValue({ ...ctx.query }, reportQuery);
      return s.reports.report(admin, name, range, format);
    },
  },
  {
    method: 'GET',
    path: '/sync/runs/:id',
    right: 'sync.read',
    handle: (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, syncRunQuery);
      return s.reports.syncRun(parseValue(ctx.params, idPath).id, q);
    },
  },
  {
    method: 'POST',
    path: '/sync/runs',
    right: 'sync.run',
    handle: async (ctx, admin, s) => {
      const run = await s.reports.startSync(admin, parseBody(ctx, syncBody).kind);
      ctx.status = 202;
      return run;
    },
  },
];
