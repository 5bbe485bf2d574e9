import { adminRoles } from '@campus-card/core/client';
import { adminUsername, campusId, rowId, totpCode } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Admin accounts: a super admin makes, unlocks, disables, moves and resets them; every admin changes
// their own password and enrols their own second factor under /me. The rules (sessions ended on a
// change, the audit without passwords or secrets) are in services/account-admin.ts.

const idPath = z.object({ id: rowId });
const password = z.string().min(10, 'a password is 10 to 128 characters').max(128);
const newAdmin = z.strictObject({
  username: adminUsername,
  displayName: z.string().min(1).max(64),
  role: z.enum(adminRoles),
  department: z.string().min(1).max(64).nullable().default(null),
  /** One campus the account sees alone (docs/campuses.md); null: the whole centre. */
  campusId: campusId.nullable().default(null),
  password,
  totp: z.boolean().default(false),
});
const change = z.union([
  z.strictObject({ status: z.enum(['active', 'disabled']) }),
  z.strictObject({ role: z.enum(adminRoles), department: z.string().trim().min(1).max(64).nullable() }),
  z.strictObject({ password }),
  z.strictObject({ totpReset: z.literal(true) }),
  z.strictObject({ campusId: campusId.nullable() }),
]);
const ownPassword = z.strictObject({ currentPassword: z.string().min(1).max(128), newPassword: password });
const enrolment = z.strictObject({ start: z.literal(true) });
const confirmation = z.strictObject({ code: totpCode });

export const accountRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/accounts',
    right: 'admin.manage',
    handle: (_ctx, _admin, s) => s.accounts.list(),
  },
  {
    method: 'POST',
    path: '/accounts',
    right: 'admin.manage',
    handle: async (ctx, admin, s) => {
      const created = await s.accounts.create(admin, parseBody(ctx, newAdmin));
      ctx.status = 201;
      return created;
    },
  },
  {
    method: 'POST',
    path: '/accounts/:id/unlock',
    right: 'admin.manage',
    handle: (ctx, admin, s) => s.accounts.unlock(admin, parseValue(ctx.params, idPath).id),
  },
  {
    method: 'POST',
    path: '/accounts/:id/changes',
    right: 'admin.manage',
    handle: (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      return s.accounts.change(admin, id, parseBody(ctx, change));
    },
  },
  {
    method: 'POST',
    path: '/me/password',
    right: null,
    handle: (ctx, admin, s) => {
      const body = parseBody(ctx, ownPassword);
      return s.accounts.changeOwnPassword(admin, body.currentPassword, body.newPassword);
    },
  },
  {
    method: 'POST',
    path: '/me/totp-enrolment',
    right: null,
    handle: (ctx, admin, s) => {
      parseBody(ctx, enrolment);
      return s.accounts.enrolTotp(admin);
    },
  },
  {
    method: 'POST',
    path: '/me/totp-confirmation',
    right: null,
    handle: (ctx, admin, s) => s.accounts.confirmTotp(admin, parseBody(ctx, confirmation).code),
  },
];
