import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Campus insight in the backoffice (docs/analytics.md). Hidden-need candidates are the student-aid
// office's alone (insight.aid), attendance warnings a counsellor's for their department
// (insight.warnings), and every view is put on the audit trail with the reason the viewer gave before
// a single row about a person leaves the core.

const ratio = z.coerce.number().gt(0).max(1).optional();
const hiddenNeedQuery = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM'),
  // Why this person looks: required, and kept with the view on the audit trail.
  reason: z.string().trim().min(4).max(200),
  campusDaysMin: z.coerce.number().int().min(1).max(31).optional(),
  mealsRatioMax: ratio,
  spendRatioMax: ratio,
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

const hiddenNeedBatchBody = z.strictObject({
  month: hiddenNeedQuery.shape.month,
  reason: hiddenNeedQuery.shape.reason,
  cardNos: z.array(z.string().min(1).max(20)).min(1).max(1_000),
  /** Each student's amount, fen: at most ¥1,000 a month. Refused, never corrected, when out of range. */
  amountFen: z.number().int().positive().max(100_000),
  thresholds: z
    .strictObject({
      campusDaysMin: z.number().int().min(1).max(31).optional(),
      mealsRatioMax: z.number().gt(0).max(1).optional(),
      spendRatioMax: z.number().gt(0).max(1).optional(),
    })
    .default({}),
});

const attendanceWarningsQuery = z.object({
  reason: z.string().trim().min(4).max(200),
  streakMin: z.coerce.number().int().min(2).max(50).optional(),
  fallingRatioMax: ratio,
  silentDaysMin: z.coerce.number().int().min(1).max(60).optional(),
  lateReturnsMin: z.coerce.number().int().min(1).max(31).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

const month = z.object({ month: hiddenNeedQuery.shape.month });
const spendingQuery = month.extend({ by: z.enum(['department', 'grade']).default('department') });

export const insightRoutes: AdminRoute[] = [
  // The card centre's reports (aggregates only, groups under 10 suppressed in the core): report.read.
  {
    method: 'GET',
    path: '/insight/reports/spending-structure',
    right: 'report.read',
    handle: (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, spendingQuery);
      return s.insight.spendingStructure(q.month, q.by);
    },
  },
  {
    method: 'GET',
    path: '/insight/reports/subsidy-effect',
    right: 'report.read',
    handle: (ctx, _admin, s) => s.insight.subsidyEffect(parseValue({ ...ctx.query }, month).month),
  },
  {
    method: 'GET',
    path: '/insight/reports/merchant-ranking',
    right: 'report.read',
    handle: (ctx, _admin, s) => s.insight.merchantRanking(parseValue({ ...ctx.query }, month).month),
  },
  {
    method: 'GET',
    path: '/insight/reports/device-failures',
    right: 'report.read',
    handle: (ctx, _admin, s) => s.insight.deviceFailures(parseValue({ ...ctx.query }, month).month),
  },
  {
    method: 'GET',
    path: '/insight/reports/canteen-day',
    right: 'report.read',
    handle: (ctx, _admin, s) =>
      s.insight.canteenDay(
        parseValue(
          { ...ctx.query },
          z.object({
            day: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .optional(),
          }),
        ).day,
      ),
  },
  {
    // The insight extract's progress per source (the job behind every insight page).
    method: 'GET',
    path: '/insight/sources',
    right: 'report.read',
    handle: (_ctx, _admin, s) => s.insight.sources(),
  },
  {
    method: 'GET',
    path: '/insight/hidden-need',
    right: 'insight.aid',
    handle: (ctx, admin, s) => {
      const { reason, ...request } = parseValue({ ...ctx.query }, hiddenNeedQuery);
      return s.insight.hiddenNeed(admin, reason, request);
    },
  },
  {
    // The approved list becomes a subsidy draft for finance to approve and post (maker–checker).
    method: 'POST',
    path: '/insight/hidden-need/batch',
    right: 'insight.aid',
    handle: async (ctx, admin, s) => {
      const batch = await s.insight.hiddenNeedBatch(admin, parseBody(ctx, hiddenNeedBatchBody));
      ctx.status = 201;
      return batch;
    },
  },
  {
    // A counsellor's warning list: their own department only (insight-admin.ts), the view audited.
    method: 'GET',
    path: '/insight/attendance-warnings',
    right: 'insight.warnings',
    handle: (ctx, admin, s) => {
      const { reason, ...request } = parseValue({ ...ctx.query }, attendanceWarningsQuery);
      return s.insight.attendanceWarnings(admin, reason, request);
    },
  },
];
