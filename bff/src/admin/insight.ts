import { z } from 'zod';
import { parseValue } from '../http/middleware.ts';
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

const attendanceWarningsQuery = z.object({
  reason: z.string().trim().min(4).max(200),
  streakMin: z.coerce.number().int().min(2).max(50).optional(),
  fallingRatioMax: ratio,
  silentDaysMin: z.coerce.number().int().min(1).max(60).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

export const insightRoutes: AdminRoute[] = [
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
