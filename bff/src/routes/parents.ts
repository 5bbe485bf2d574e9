import { cardNo, guardianPreferences, messageKindNames, rowId } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import { eventsPath } from '../push/events-socket.ts';
import type { PushTickets } from '../push/push-tickets.ts';
import type { Notifications } from '../services/notifications.ts';
import type { Parents } from '../services/parents.ts';
import { listQuery } from './transactions.ts';

const linkIdPath = z.object({ id: rowId });
const cardNoPath = z.object({ cardNo });
const visibilityBody = z
  .strictObject({ showBalance: z.boolean().optional(), showSpending: z.boolean().optional() })
  .refine((v) => v.showBalance !== undefined || v.showSpending !== undefined, 'say what to show');
const redeemBody = z.strictObject({
  invitationCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[0-9A-Z]{8}$/, 'an invitation code is 8 letters or digits'),
});
const alertBody = z.strictObject({ threshold: z.number().int().min(0).max(100_000_000).nullable() });
/** report_loss, or cancel_loss: the parent taking back their own report (Parents.undoLoss). */
const childActionBody = z.strictObject({ action: z.enum(['report_loss', 'cancel_loss']) });
/** The messages about their children a parent accepted in the app's one-time consent dialog. */
const consentBody = z.strictObject({
  kinds: z.array(z.enum(messageKindNames)).min(1).max(messageKindNames.length),
});

const openidOf = (ctx: Router.RouterContext) => (ctx.state.user as UserState).openid;

/** The child's side: invite a parent, see who is linked, choose what each sees, remove one. */
export function parentRoutes(parents: Parents): Router {
  const router = new Router({ prefix: '/parents' });
  router.post('/invitations', async (ctx) => {
    ctx.status = 201;
    ctx.body = await parents.invite(openidOf(ctx));
  });
  router.get('/', async (ctx) => {
    ctx.body = await parents.parentsOf(openidOf(ctx));
  });
  router.put('/:id/visibility', async (ctx) => {
    const { id } = parseValue(ctx.params, linkIdPath);
    const body = parseBody(ctx, visibilityBody);
    ctx.body = await parents.setVisibility(openidOf(ctx), id, {
      ...(body.showBalance === undefined ? {} : { showBalance: body.showBalance }),
      ...(body.showSpending === undefined ? {} : { showSpending: body.showSpending }),
    });
  });
  router.delete('/:id', async (ctx) => {
    ctx.body = await parents.removeParent(openidOf(ctx), parseValue(ctx.params, linkIdPath).id);
  });
  return router;
}

/** The parent's side: redeem a child's invitation, list children, watch, alert, report lost, unlink. */
export function childRoutes(parents: Parents, tickets: PushTickets, notifications: Notifications): Router {
  const router = new Router({ prefix: '/children' });
  // A live view of the children who share both balance and spending (the pushes carry both).
  router.post('/events/ticket', async (ctx) => {
    const openid = openidOf(ctx);
    const { cardNos, alerts } = await parents.watchable(openid);
    const { ticket, expiresInMs } = await tickets.issue({ openid, cardNos, alerts });
    ctx.body = { ticket, expiresInMs, cardNos, alerts, path: `${eventsPath}?ticket=${ticket}` };
  });
  // What the live view would have said while the app was closed, for the same children, and the
  // low-balance alerts that hold now as message lines (the live view's low_balance, kept).
  router.get('/notifications', async (ctx) => {
    const openid = openidOf(ctx);
    const [watched, linked, alerts] = await Promise.all([
      parents.watchable(openid),
      parents.linkedCardNos(openid),
      parents.lowBalanceNotices(openid),
    ]);
    const list = await notifications.forCards(openid, watched.cardNos, linked);
    const items = [...alerts, ...list.items].sort((a, b) => b.atMs - a.atMs);
    ctx.body = { ...list, items, unread: items.filter((n) => n.atMs > list.seenUpToMs).length };
  });
  router.post('/message-consents', async (ctx) => {
    ctx.body = await parents.messageConsent(openidOf(ctx), parseBody(ctx, consentBody).kinds);
  });
  // The parent's own 消息设置: kinds and quiet hours (the per-child alert is PUT /:cardNo/alert).
  router.get('/message-preferences', async (ctx) => {
    ctx.body = await parents.messagePreferences(openidOf(ctx));
  });
  router.put('/message-preferences', async (ctx) => {
    ctx.body = await parents.setMessagePreferences(openidOf(ctx), parseBody(ctx, guardianPreferences));
  });
  router.post('/', async (ctx) => {
    const child = await parents.redeem(openidOf(ctx), parseBody(ctx, redeemBody).invitationCode, ctx.ip);
    ctx.status = child.created ? 201 : 200;
    ctx.body = child;
  });
  router.get('/', async (ctx) => {
    ctx.body = await parents.children(openidOf(ctx));
  });
  router.get('/:cardNo', async (ctx) => {
    ctx.body = await parents.child(openidOf(ctx), parseValue(ctx.params, cardNoPath).cardNo);
  });
  router.get('/:cardNo/transactions', async (ctx) => {
    const { cardNo } = parseValue(ctx.params, cardNoPath);
    ctx.body = await parents.childTransactions(
      openidOf(ctx),
      cardNo,
      parseValue({ ...ctx.query }, listQuery),
    );
  });
  router.put('/:cardNo/alert', async (ctx) => {
    const { cardNo } = parseValue(ctx.params, cardNoPath);
    ctx.body = await parents.setAlert(openidOf(ctx), cardNo, parseBody(ctx, alertBody).threshold);
  });
  router.post('/:cardNo/actions', async (ctx) => {
    const { cardNo } = parseValue(ctx.params, cardNoPath);
    const { action } = parseBody(ctx, childActionBody);
    ctx.body =
      action === 'report_loss'
        ? await parents.reportLoss(openidOf(ctx), cardNo)
        : await parents.undoLoss(openidOf(ctx), cardNo);
  });
  router.delete('/:cardNo', async (ctx) => {
    ctx.body = await parents.unlinkChild(openidOf(ctx), parseValue(ctx.params, cardNoPath).cardNo);
  });
  return router;
}
