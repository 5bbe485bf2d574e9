import { absenceId, absenceReasonCharsMax, absenceStatuses } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// 请假 (#17): a counsellor's own department's absences, approved or rejected with a reason
// (services/absence-admin.ts scopes and audits). The right is the counsellor's insight.warnings.

const idPath = z.object({ id: absenceId });
const listQuery = z.object({ status: z.enum(absenceStatuses).optional() });
const decideBody = z
  .strictObject({
    decision: z.enum(['approved', 'rejected']),
    note: z.string().trim().min(1).max(absenceReasonCharsMax).optional(),
  })
  .refine((b) => b.decision === 'approved' || b.note !== undefined, {
    message: 'a rejection gives its reason',
    path: ['note'],
  });

export const absenceAdminRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/absences',
    right: 'insight.warnings',
    handle: (ctx, admin, s) => s.absences.list(admin, parseValue({ ...ctx.query }, listQuery).status),
  },
  {
    method: 'POST',
    path: '/absences/:id/decide',
    right: 'insight.warnings',
    handle: (ctx, admin, s) =>
      s.absences.decide(admin, parseValue(ctx.params, idPath).id, parseBody(ctx, decideBody)),
  },
];
