import Router from 'koa-router';
import { z } from 'zod';
import { adminRoles, approvalKinds, approvalStatuses } from '../../admin/admin-repository.ts';
import type { AdminService } from '../../admin/admin-service.ts';
import type { AuditLog } from '../../admin/audit-log.ts';
import { adminUsername, cardNo, rowId } from '../../contract/fields.ts';
import { parseBody, parseValue } from '../middleware.ts';

const adminId = rowId;
const idPath = z.object({ id: adminId });
const cardPath = z.object({ cardNo });
const username = adminUsername;
const newAdmin = z.strictObject({
  username,
  displayName: z.string().min(1).max(64),
  role: z.enum(adminRoles),
  department: z.string().min(1).max(64).nullable().default(null),
  password: z.string().min(10).max(128),
  totp: z.boolean().default(false),
  totpSecret: z
    .string()
    .regex(/^[A-Z2-7]{32}$/, '32 base32 characters')
    .optional(),
});
const accountChange = z.union([
  z.strictObject({ status: z.enum(['active', 'disabled']) }),
  z.strictObject({ role: z.enum(adminRoles), department: z.string().min(1).max(64).nullable() }),
  z.strictObject({ password: z.string().min(10).max(128) }),
  z.strictObject({ totpReset: z.literal(true) }),
]);
const login = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const totpBody = z.strictObject({ code: z.string().max(16) });
const auditEntry = z.strictObject({
  actorType: z.enum(['admin', 'system']),
  actorId: z.string().max(64).nullable(),
  action: z.string().regex(/^[a-z_.]{1,48}$/),
  targetType: z.string().max(24).nullable(),
  targetId: z.string().max(64).nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
const auditQuery = z.object({
  actorId: z.string().max(64).optional(),
  action: z.string().max(48).optional(),
  targetType: z.string().max(24).optional(),
  targetId: z.string().max(64).optional(),
  fromMs: z.coerce.number().int().nonnegative().optional(),
  toMs: z.coerce.number().int().nonnegative().optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const proposal = z.strictObject({
  kind: z.enum(approvalKinds),
  payload: z.record(z.string(), z.unknown()),
  amount: z.number().int(),
  reason: z.string().min(1).max(200),
  targetId: z.string().max(64).nullable(),
  makerId: adminId,
  key: z.string().min(1).max(128).optional(),
});
const decision = z.strictObject({ checkerId: adminId, decision: z.enum(['approved', 'rejected']) });
const outcome = z.strictObject({
  checkerId: adminId,
  failure: z
    .string()
    .regex(/^[A-Z_]{1,64}$/, 'a refusal code')
    .nullable(),
});
const approvalsQuery = z.object({
  status: z.enum(approvalStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const peopleQuery = z.object({
  q: z.string().min(1).max(64),
  department: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/**
 * The backoffice's store in the core (the BFF's admin API is its only caller): admin accounts and
 * their login checks, the audit chain, maker–checker approvals and the lookups card affairs need.
 */
export function adminRoutes(admins: AdminService, audit: AuditLog): Router {
  const router = new Router({ prefix: '/v1/admin' });
  router.post('/accounts', async (ctx) => {
    ctx.status = 201;
    ctx.body = await admins.create(parseBody(ctx, newAdmin));
  });
  router.get('/accounts', async (ctx) => {
    ctx.body = { items: await admins.list() };
  });
  router.get('/accounts/:id', async (ctx) => {
    ctx.body = await admins.get(parseValue(ctx.params, idPath).id);
  });
  router.post('/accounts/:id/unlock', async (ctx) => {
    ctx.body = await admins.unlock(parseValue(ctx.params, idPath).id);
  });
  router.post('/accounts/:id/changes', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    ctx.body = await admins.change(id, parseBody(ctx, accountChange));
  });
  router.post('/accounts/:id/totp-enrolment', async (ctx) => {
    ctx.body = await admins.enrolTotp(parseValue(ctx.params, idPath).id);
  });
  router.post('/accounts/:id/totp-confirmation', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    ctx.body = await admins.confirmTotp(id, parseBody(ctx, totpBody).code);
  });
  router.post('/login', async (ctx) => {
    const body = parseBody(ctx, login);
    ctx.body = await admins.checkPassword(body.username, body.password);
  });
  router.post('/accounts/:id/totp-check', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    ctx.body = await admins.checkTotp(id, parseBody(ctx, totpBody).code);
  });
  router.post('/audit', async (ctx) => {
    ctx.status = 201;
    ctx.body = await audit.append(parseBody(ctx, auditEntry));
  });
  router.get('/audit', async (ctx) => {
    const q = parseValue({ ...ctx.query }, auditQuery);
    const items = await audit.search(q);
    const last = items.at(-1);
    ctx.body = { items, next: items.length === q.limit && last ? { beforeSeq: last.seq } : null };
  });
  router.get('/audit/verify', async (ctx) => {
    ctx.body = await audit.verify();
  });
  router.post('/approvals', async (ctx) => {
    ctx.status = 201;
    ctx.body = await admins.propose(parseBody(ctx, proposal));
  });
  router.get('/approvals', async (ctx) => {
    const q = parseValue({ ...ctx.query }, approvalsQuery);
    ctx.body = { items: await admins.approvals(q.status, q.limit) };
  });
  router.get('/approvals/:id', async (ctx) => {
    ctx.body = await admins.approval(parseValue(ctx.params, idPath).id);
  });
  router.post('/approvals/:id/decision', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    const body = parseBody(ctx, decision);
    ctx.body = await admins.decide(id, body.checkerId, body.decision);
  });
  router.post('/approvals/:id/outcome', async (ctx) => {
    const { id } = parseValue(ctx.params, idPath);
    const body = parseBody(ctx, outcome);
    ctx.body = await admins.settle(id, body.checkerId, body.failure);
  });
  router.get('/people', async (ctx) => {
    const q = parseValue({ ...ctx.query }, peopleQuery);
    ctx.body = { items: await admins.searchPeople(q.q, q.department ?? null, q.limit) };
  });
  router.get('/cards/:cardNo/holds', async (ctx) => {
    ctx.body = { items: await admins.pendingHolds(parseValue(ctx.params, cardPath).cardNo) };
  });
  router.get('/cards/:cardNo/accounts', async (ctx) => {
    ctx.body = await admins.walletAccounts(parseValue(ctx.params, cardPath).cardNo);
  });
  return router;
}
