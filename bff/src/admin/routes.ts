import { randomUUID } from 'node:crypto';
import type { CoreClient } from '@campus-card/core/client';
import {
  adjustmentAmount,
  cardNo,
  requestId,
  rowId,
  topUpAmount,
  totpCode,
} from '@campus-card/core/contract';
import { adminRoleWords } from '@campus-card/core/contract/words';
import type { Context, Middleware, Next } from 'koa';
import Router from 'koa-router';
import { z } from 'zod';
import type { UploadStore } from '../content/upload-store.ts';
import { BffError } from '../errors.ts';
import { Download, sendDownload } from '../http/download.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import { absenceAdminRoutes } from './absences.ts';
import { accountRoutes } from './accounts.ts';
import { activationCodeRoutes } from './activation-codes.ts';
import { adminEventRoutes } from './admin-events.ts';
import type { AdminLogin } from './admin-login.ts';
import type { AdminSession, AdminSessions } from './admin-sessions.ts';
import { attendanceRoutes } from './attendance.ts';
import { bankAdminRoutes } from './bank.ts';
import { busRoutes } from './bus.ts';
import { campusPaymentRoutes } from './campus-payments.ts';
import { withinCampus } from './campus-scope.ts';
import { campusRoutes } from './campuses.ts';
import { cardDeskRoutes } from './card-desk.ts';
import { contentRoutes } from './content.ts';
import { deviceRoutes } from './devices.ts';
import { disputeAdminRoutes } from './disputes.ts';
import { federationRoutes } from './federation.ts';
import { fundsRoutes } from './funds.ts';
import { insightRoutes } from './insight.ts';
import { meetingRoutes } from './meetings.ts';
import { merchantRoutes } from './merchants.ts';
import { messageAdminRoutes } from './messages.ts';
import { offlineExceptionRoutes } from './offline-exceptions.ts';
import { maskOpenids } from './openid-mask.ts';
import { passageRoutes } from './passage.ts';
import { refundRoutes } from './refunds.ts';
import { can, type Right, roleRights } from './rights.ts';
import type { Adjustments } from './services/adjustments.ts';
import type { Approvals } from './services/approvals.ts';
import type { AuditTrail } from './services/audit-trail.ts';
import type { CardAffairs } from './services/card-affairs.ts';
import type { AdminDomainServices } from './services/index.ts';
import type { TopUpRefunds } from './services/top-up-refunds.ts';
import { adminTopUpRoutes } from './top-up-refunds.ts';
import { isChunkUpload, uploadRoutes } from './uploads.ts';
import { visitorRoutes } from './visitors.ts';
import { windowCapacityRoutes } from './window-capacities.ts';

export const adminPrefix = '/api/admin/v1';

const cardPath = z.object({ cardNo });
const idPath = z.object({ id: rowId });
const reason = z.string().trim().min(1).max(200);
const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(128),
});
const totpBody = z.strictObject({ challenge: z.string().min(20).max(64), code: totpCode });
const searchQuery = z.object({ q: z.string().trim().min(1).max(64) });
const pageQuery = z.object({
  beforeAtMs: z.coerce.number().int().optional(),
  beforeId: z.string().max(64).optional(),
});
const actionBody = z.strictObject({
  action: z.enum(['report_loss', 'cancel_loss', 'freeze', 'unfreeze', 'reissue']),
  reason: z.string().trim().max(200).nullable().default(null),
});
const closeOutBody = z.strictObject({ requestId, reason });
const topUpBody = z.strictObject({ requestId, amount: topUpAmount });
const adjustmentBody = z.strictObject({
  requestId,
  cardNo,
  wallet: z.enum(['main', 'subsidy']),
  amount: adjustmentAmount,
  reason,
});
const approvalsQuery = z.object({
  status: z.enum(['pending', 'approving', 'approved', 'rejected', 'failed']).optional(),
});
const auditQuery = z.object({
  who: z.string().max(64).optional(),
  action: z.string().max(48).optional(),
  targetId: z.string().max(64).optional(),
  fromMs: z.coerce.number().int().nonnegative().optional(),
  toMs: z.coerce.number().int().nonnegative().optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
});

export interface AdminServices extends AdminDomainServices {
  core: CoreClient;
  sessions: AdminSessions;
  login: AdminLogin;
  cards: CardAffairs;
  adjustments: Adjustments;
  approvals: Approvals;
  topUpRefunds: TopUpRefunds;
  audit: AuditTrail;
  /** Lesson videos uploaded in chunks. */
  uploads: UploadStore;
}

/** One signed-in admin route: its method, path, the one right it needs, and what it does. */
export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** null: any signed-in admin (their own session). */
  right: Right | null;
  handle(ctx: Context, admin: AdminSession, s: AdminServices): Promise<unknown>;
}

/**
 * Every signed-in admin route and the right it needs: the one table the API enforces and the
 * role × route test walks. Writes are audited by the services they call.
 */
export const adminRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/me',
    right: null,
    handle: async (_ctx, admin, s) => ({
      ...admin,
      roleName: adminRoleWords[admin.role],
      rights: roleRights[admin.role],
      totpEnabled: (await s.core.admin(admin.adminId)).totpEnabled,
    }),
  },
  {
    method: 'DELETE',
    path: '/session',
    right: null,
    handle: async (ctx, admin, s) => {
      await s.login.logout(ctx.state.adminToken as string, admin);
      return { ended: true };
    },
  },
  {
    method: 'GET',
    path: '/people',
    right: 'card.read',
    handle: async (ctx, admin, s) => ({
      items: await s.cards.search(admin, parseValue({ ...ctx.query }, searchQuery).q),
    }),
  },
  {
    method: 'GET',
    path: '/cards/:cardNo',
    right: 'card.read',
    handle: (ctx, admin, s) => s.cards.detail(admin, parseValue(ctx.params, cardPath).cardNo),
  },
  {
    method: 'GET',
    path: '/cards/:cardNo/operations',
    right: 'card.read',
    handle: (ctx, admin, s) => {
      const page = parseValue({ ...ctx.query }, pageQuery);
      return s.cards.operations(admin, parseValue(ctx.params, cardPath).cardNo, {
        ...(page.beforeAtMs !== undefined ? { beforeAtMs: page.beforeAtMs } : {}),
        ...(page.beforeId !== undefined ? { beforeId: page.beforeId } : {}),
      });
    },
  },
  {
    method: 'POST',
    path: '/cards/:cardNo/actions',
    right: 'card.manage',
    handle: (ctx, admin, s) => {
      const body = parseBody(ctx, actionBody);
      return s.cards.change(admin, parseValue(ctx.params, cardPath).cardNo, body.action, body.reason || null);
    },
  },
  {
    method: 'POST',
    path: '/cards/:cardNo/close-out',
    right: 'card.close',
    handle: (ctx, admin, s) => {
      const body = parseBody(ctx, closeOutBody);
      return s.cards.closeOut(admin, parseValue(ctx.params, cardPath).cardNo, body.requestId, body.reason);
    },
  },
  {
    method: 'POST',
    path: '/cards/:cardNo/cash-top-ups',
    right: 'cash.top_up',
    handle: (ctx, admin, s) => {
      const body = parseBody(ctx, topUpBody);
      return s.cards.requestCashTopUp(
        admin,
        parseValue(ctx.params, cardPath).cardNo,
        body.requestId,
        body.amount,
      );
    },
  },
  {
    method: 'POST',
    path: '/adjustments',
    right: 'adjust.request',
    handle: (ctx, admin, s) => s.adjustments.request(admin, parseBody(ctx, adjustmentBody)),
  },
  {
    method: 'GET',
    path: '/approvals',
    right: 'approval.read',
    handle: (ctx, _admin, s) => s.approvals.list(parseValue({ ...ctx.query }, approvalsQuery).status),
  },
  {
    method: 'POST',
    path: '/approvals/:id/approve',
    right: 'adjust.approve',
    handle: (ctx, admin, s) => s.approvals.decide(admin, parseValue(ctx.params, idPath).id, 'approved'),
  },
  {
    method: 'POST',
    path: '/approvals/:id/reject',
    right: 'adjust.approve',
    handle: (ctx, admin, s) => s.approvals.decide(admin, parseValue(ctx.params, idPath).id, 'rejected'),
  },
  {
    method: 'GET',
    path: '/audit',
    right: 'audit.read',
    handle: (ctx, _admin, s) => s.audit.search(parseValue({ ...ctx.query }, auditQuery)),
  },
  {
    method: 'GET',
    path: '/audit/verify',
    right: 'audit.read',
    handle: (_ctx, _admin, s) => s.core.verifyAudit(),
  },
  {
    method: 'GET',
    path: '/sync/runs',
    right: 'sync.read',
    handle: (_ctx, _admin, s) => s.core.syncRuns({ limit: 50 }),
  },
  ...accountRoutes,
  ...adminTopUpRoutes,
  ...fundsRoutes,
  ...deviceRoutes,
  ...contentRoutes,
  ...messageAdminRoutes,
  ...uploadRoutes,
  ...merchantRoutes,
  ...offlineExceptionRoutes,
  ...refundRoutes,
  ...attendanceRoutes,
  ...adminEventRoutes,
  ...activationCodeRoutes,
  ...cardDeskRoutes,
  ...insightRoutes,
  ...visitorRoutes,
  ...meetingRoutes,
  ...passageRoutes,
  ...campusPaymentRoutes,
  ...bankAdminRoutes,
  ...busRoutes,
  ...disputeAdminRoutes,
  ...absenceAdminRoutes,
  ...windowCapacityRoutes,
  ...campusRoutes,
  ...federationRoutes,
];

/**
 * Lets a request through with a live admin session only; sets ctx.state.admin. It runs before the
 * body is read (adminRouter), so a caller without a session cannot make the BFF hold a large body:
 * the refusal goes out at once and the connection is closed instead of waiting for the rest.
 */
function requireAdmin(sessions: AdminSessions) {
  return async (ctx: Context, next: Next) => {
    const refuse = (error: BffError) => {
      if (ctx.get('content-length') || ctx.get('transfer-encoding')) ctx.set('connection', 'close');
      return error;
    };
    const match = /^Bearer ([\w-]{43})$/.exec(ctx.get('authorization'));
    if (!match?.[1]) throw refuse(new BffError('UNAUTHENTICATED', 'sign in to the backoffice first'));
    const session = await sessions.get(match[1]);
    if (!session) throw refuse(new BffError('SESSION_REVOKED', 'this session has ended; sign in again'));
    ctx.state.admin = session;
    ctx.state.adminToken = match[1];
    await next();
  };
}

/** Sets Retry-After on a refusal that says when to come back (sign-in delays). */
async function retryAfter(ctx: Context, next: Next) {
  try {
    await next();
  } catch (error) {
    const details = (error as { details?: { retryAfterMs?: unknown } }).details;
    if (typeof details?.retryAfterMs === 'number')
      ctx.set('retry-after', String(Math.max(1, Math.ceil(details.retryAfterMs / 1000))));
    throw error;
  }
}

/**
 * The admin API under /api/admin/v1: sign-in open, everything else behind a session and a right.
 * readBody reads a request's body (app.ts: with its size limit); it runs only after the session is
 * checked, and never for a video chunk (its route streams it to disk).
 */
export function adminRouter(s: AdminServices, readBody: Middleware): Router {
  const router = new Router({ prefix: adminPrefix });
  router.post('/session', retryAfter, readBody, async (ctx) => {
    const body = parseBody(ctx, loginBody);
    ctx.body = await s.login.password(body.username, body.password, ctx.ip);
  });
  router.post('/session/totp', retryAfter, readBody, async (ctx) => {
    const body = parseBody(ctx, totpBody);
    ctx.body = await s.login.totp(body.challenge, body.code, ctx.ip);
  });
  const signedIn = requireAdmin(s.sessions);
  const bodyAfterSession: Middleware = (ctx, next) => (isChunkUpload(ctx) ? next() : readBody(ctx, next));
  for (const route of adminRoutes) {
    const method = ({ GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'delete' } as const)[
      route.method
    ];
    router[method](route.path, signedIn, bodyAfterSession, async (ctx) => {
      const admin = ctx.state.admin as AdminSession;
      if (route.right !== null && !can(admin.role, route.right))
        throw new BffError('FORBIDDEN', `your role may not do this (${route.right})`);
      // A campus administrator stays within their campus (campus-scope.ts).
      const answer = await withinCampus(route, ctx, admin, s, () => route.handle(ctx, admin, s));
      // An export answers a file (http/download.ts), not JSON.
      if (answer instanceof Download) {
        ctx.body = sendDownload(ctx, answer);
        return;
      }
      // Payer openids are finance's to see; every other role gets them masked (openid-mask.ts).
      ctx.body = can(admin.role, 'topup.refund') ? answer : maskOpenids(answer);
    });
  }
  return router;
}

/** A fresh request id for callers (tests, scripts) that do not keep their own. */
export const newRequestId = () => randomUUID().replaceAll('-', '');
