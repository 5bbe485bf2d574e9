import { rowId, visitorPolicySchema } from '@campus-card/core/contract';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminSession } from './admin-sessions.ts';
import type { AdminRoute } from './routes.ts';

// Visitors in the backoffice (docs/visitors-meetings-bus.md): who is on campus now and the approval queue
// (a department admin sees and decides only their own department's hosts' visitors), and the campus policy.

const decisionBody = z.strictObject({ decision: z.enum(['approve', 'refuse']) });

function inScope(admin: AdminSession, hostDepartment: string | null): boolean {
  return admin.department === null || admin.department === hostDepartment;
}

export const visitorRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/visitors/on-campus',
    right: 'visitor.read',
    handle: async (_ctx, admin, s) => {
      const { items } = await s.core.visitorsOnCampus();
      return { items: items.filter((v) => inScope(admin, v.hostDepartment)) };
    },
  },
  {
    method: 'GET',
    path: '/visitors/pending',
    right: 'visitor.approve',
    handle: async (_ctx, admin, s) => {
      const { items } = await s.core.pendingVisits();
      return { items: items.filter((v) => inScope(admin, v.hostDepartment)) };
    },
  },
  {
    method: 'POST',
    path: '/visitors/:id/decision',
    right: 'visitor.approve',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, z.object({ id: rowId }));
      const { decision } = parseBody(ctx, decisionBody);
      const visit = await s.core.visit(id);
      if (!inScope(admin, visit.hostDepartment))
        throw new BffError('FORBIDDEN', 'this visit belongs to another department');
      const decided = await s.core.decideVisit(id, decision, admin.username);
      await s.audit.record(admin, `visitor.${decision}`, 'visit', id, { host: visit.hostName });
      return decided;
    },
  },
  {
    method: 'GET',
    path: '/visitor-policy',
    right: 'visitor.read',
    handle: (_ctx, _admin, s) => s.core.visitorPolicy(),
  },
  {
    method: 'PUT',
    path: '/visitor-policy',
    right: 'visitor.policy',
    handle: async (ctx, admin, s) => {
      const policy = await s.core.setVisitorPolicy(parseBody(ctx, visitorPolicySchema));
      await s.audit.record(admin, 'visitor.policy', 'visitor_policy', '1', { ...policy });
      return policy;
    },
  },
];
