import Router from 'koa-router';
import type { AdminService } from '../../admin/admin-service.ts';
import type { AuditLog } from '../../admin/audit-log.ts';
import {
  adminCardPath,
  adminChangeBody,
  adminIdPath,
  adminLoginBody,
  approvalOutcomeBody,
  approvalsQuery,
  decisionBody,
  newAdminBody,
  peopleQuery,
  proposalBody,
  totpCodeBody,
} from '../../contract/admin.ts';
import { auditEntryBody, auditQuery } from '../../contract/audit.ts';
import { parseBody, parseValue } from '../middleware.ts';

/**
 * The backoffice's store in the core (the BFF's admin API is its only caller): admin accounts and
 * their login checks, the audit chain, maker–checker approvals and the lookups card affairs need.
 */
export function adminRoutes(admins: AdminService, audit: AuditLog): Router {
  const router = new Router({ prefix: '/v1/admin' });
  router.post('/accounts', async (ctx) => {
    ctx.status = 201;
    ctx.body = await admins.create(parseBody(ctx, newAdminBody));
  });
  router.get('/accounts', async (ctx) => {
    ctx.body = { items: await admins.list() };
  });
  router.get('/accounts/:id', async (ctx) => {
    ctx.body = await admins.get(parseValue(ctx.params, adminIdPath).id);
  });
  router.post('/accounts/:id/unlock', async (ctx) => {
    ctx.body = await admins.unlock(parseValue(ctx.params, adminIdPath).id);
  });
  router.post('/accounts/:id/changes', async (ctx) => {
    const { id } = parseValue(ctx.params, adminIdPath);
    ctx.body = await admins.change(id, parseBody(ctx, adminChangeBody));
  });
  router.post('/accounts/:id/totp-enrolment', async (ctx) => {
    ctx.body = await admins.enrolTotp(parseValue(ctx.params, adminIdPath).id);
  });
  router.post('/accounts/:id/totp-confirmation', async (ctx) => {
    const { id } = parseValue(ctx.params, adminIdPath);
    ctx.body = await admins.confirmTotp(id, parseBody(ctx, totpCodeBody).code);
  });
  router.post('/login', async (ctx) => {
    const body = parseBody(ctx, adminLoginBody);
    ctx.body = await admins.checkPassword(body.username, body.password);
  });
  router.post('/accounts/:id/totp-check', async (ctx) => {
    const { id } = parseValue(ctx.params, adminIdPath);
    ctx.body = await admins.checkTotp(id, parseBody(ctx, totpCodeBody).code);
  });
  router.post('/audit', async (ctx) => {
    ctx.status = 201;
    ctx.body = await audit.append(parseBody(ctx, auditEntryBody));
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
    ctx.body = await admins.propose(parseBody(ctx, proposalBody));
  });
  router.get('/approvals', async (ctx) => {
    const q = parseValue({ ...ctx.query }, approvalsQuery);
    ctx.body = { items: await admins.approvals(q.status, q.limit) };
  });
  router.get('/approvals/:id', async (ctx) => {
    ctx.body = await admins.approval(parseValue(ctx.params, adminIdPath).id);
  });
  router.post('/approvals/:id/decision', async (ctx) => {
    const { id } = parseValue(ctx.params, adminIdPath);
    const body = parseBody(ctx, decisionBody);
    ctx.body = await admins.decide(id, body.checkerId, body.decision);
  });
  router.post('/approvals/:id/outcome', async (ctx) => {
    const { id } = parseValue(ctx.params, adminIdPath);
    const body = parseBody(ctx, approvalOutcomeBody);
    ctx.body = await admins.settle(id, body.checkerId, body.failure);
  });
  router.get('/people', async (ctx) => {
    const q = parseValue({ ...ctx.query }, peopleQuery);
    ctx.body = { items: await admins.searchPeople(q.q, q.department ?? null, q.limit) };
  });
  router.get('/cards/:cardNo/holds', async (ctx) => {
    ctx.body = { items: await admins.pendingHolds(parseValue(ctx.params, adminCardPath).cardNo) };
  });
  router.get('/cards/:cardNo/accounts', async (ctx) => {
    ctx.body = await admins.walletAccounts(parseValue(ctx.params, adminCardPath).cardNo);
  });
  return router;
}
