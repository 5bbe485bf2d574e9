import { type AdminAccount, adminRoles } from '@campus-card/core/client';
import { adminUsername, rowId, totpCode } from '@campus-card/core/contract';
import type { Context } from 'koa';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminSession } from './admin-sessions.ts';
import type { AdminRoute, AdminServices } from './routes.ts';

// Admin accounts: a super admin makes, unlocks, disables, moves and resets them; every admin changes
// their own password and enrols their own second factor under /me. A change that alters what a
// person may do (disabled, role, password, second factor reset) ends that person's sessions on every
// BFF instance, so the next request signs in again under the new terms. Passwords and TOTP secrets
// never reach the audit.

const idPath = z.object({ id: rowId });
const password = z.string().min(10, 'a password is 10 to 128 characters').max(128);
const newAdmin = z.strictObject({
  username: adminUsername,
  displayName: z.string().min(1).max(64),
  role: z.enum(adminRoles),
  department: z.string().min(1).max(64).nullable().default(null),
  password,
  totp: z.boolean().default(false),
});
const change = z.union([
  z.strictObject({ status: z.enum(['active', 'disabled']) }),
  z.strictObject({ role: z.enum(adminRoles), department: z.string().trim().min(1).max(64).nullable() }),
  z.strictObject({ password }),
  z.strictObject({ totpReset: z.literal(true) }),
]);
const ownPassword = z.strictObject({ currentPassword: z.string().min(1).max(128), newPassword: password });
const enrolment = z.strictObject({ start: z.literal(true) });
const confirmation = z.strictObject({ code: totpCode });

/** What the audit says of a change: its kind and new values, never a password. */
function describe(c: z.infer<typeof change>, account: AdminAccount): [string, Record<string, unknown>] {
  if ('status' in c) return [c.status === 'disabled' ? 'admin.disable' : 'admin.enable', {}];
  if ('role' in c) return ['admin.role_change', { role: account.role, department: account.department }];
  if ('password' in c) return ['admin.password_reset', {}];
  return ['admin.totp_reset', {}];
}

async function changeAccount(ctx: Context, admin: AdminSession, s: AdminServices) {
  const { id } = parseValue(ctx.params, idPath);
  const body = parseBody(ctx, change);
  // One's own account changes under /me, with the current password: a super admin cannot lock
  // themselves out or strip their own rights by a slip of the mouse.
  if (id === admin.adminId)
    throw new BffError('FORBIDDEN', 'change your own account under 我的账号, not from the list');
  const account = await s.core.changeAdmin(id, body);
  await s.sessions.endAll(id);
  const [action, detail] = describe(body, account);
  await s.audit.record(admin, action, 'admin', id, { username: account.username, ...detail });
  return account;
}

export const accountRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/accounts',
    right: 'admin.manage',
    handle: (_ctx, _admin, s) => s.core.admins(),
  },
  {
    method: 'POST',
    path: '/accounts',
    right: 'admin.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, newAdmin);
      const created = await s.core.createAdmin(body);
      await s.audit.record(admin, 'admin.create', 'admin', created.id, {
        username: created.username,
        role: created.role,
        totp: created.totpEnabled,
      });
      ctx.status = 201;
      return created;
    },
  },
  {
    method: 'POST',
    path: '/accounts/:id/unlock',
    right: 'admin.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const unlocked = await s.core.unlockAdmin(id);
      await s.audit.record(admin, 'admin.unlock', 'admin', id, { username: unlocked.username });
      return unlocked;
    },
  },
  { method: 'POST', path: '/accounts/:id/changes', right: 'admin.manage', handle: changeAccount },
  {
    method: 'POST',
    path: '/me/password',
    right: null,
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, ownPassword);
      // The current password is checked like a sign-in: wrong guesses count towards the lockout.
      await s.core.checkAdminPassword(admin.username, body.currentPassword);
      await s.core.changeAdmin(admin.adminId, { password: body.newPassword });
      await s.sessions.endAll(admin.adminId);
      await s.audit.record(admin, 'admin.password_change', 'admin', admin.adminId);
      return { changed: true, signedOut: true };
    },
  },
  {
    method: 'POST',
    path: '/me/totp-enrolment',
    right: null,
    handle: async (ctx, admin, s) => {
      parseBody(ctx, enrolment);
      const secret = await s.core.enrolAdminTotp(admin.adminId);
      await s.audit.record(admin, 'admin.totp_enrol', 'admin', admin.adminId);
      return secret;
    },
  },
  {
    method: 'POST',
    path: '/me/totp-confirmation',
    right: null,
    handle: async (ctx, admin, s) => {
      const { code } = parseBody(ctx, confirmation);
      const account = await s.core.confirmAdminTotp(admin.adminId, code);
      await s.audit.record(admin, 'admin.totp_enable', 'admin', admin.adminId);
      return account;
    },
  },
];
