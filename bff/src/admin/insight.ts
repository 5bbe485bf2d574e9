import { z } from 'zod';
import { parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Campus insight in the backoffice (docs/analytics.md). Hidden-need candidates are the student-aid
// office's alone (the right insight.aid, which no role but super holds today), and every view is put
// on the audit trail with the reason the viewer gave before a single name-bearing row leaves the core.

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

export const insightRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/insight/hidden-need',
    right: 'insight.aid',
    handle: (ctx, admin, s) => {
      const { reason, ...request } = parseValue({ ...ctx.query }, hiddenNeedQuery);
      return s.reports.hiddenNeed(admin, reason, request);
    },
  },
];
