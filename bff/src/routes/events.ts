import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody } from '../http/middleware.ts';
import { eventsPath } from '../push/events-socket.ts';
import type { AudienceProfiles } from '../push/news-push.ts';
import type { PushTickets } from '../push/push-tickets.ts';
import type { BindingService } from '../services/bindings.ts';
import type { Notifications } from '../services/notifications.ts';

const seenBody = z.strictObject({ upToMs: z.number().int().nonnegative() });

/** Live activity (a ticket for the WebSocket) and the list of what was missed. */
export function eventRoutes(
  bindings: BindingService,
  tickets: PushTickets,
  notifications: Notifications,
  profiles?: AudienceProfiles,
): Router {
  const router = new Router();
  router.post('/events/ticket', async (ctx) => {
    const user = ctx.state.user as UserState;
    const binding = await bindings.require(user.openid);
    // Who the person is rides with the ticket, so the socket hears the news meant for them. Without it
    // (the core away for a moment) the view still opens, and the news list has the items anyway.
    const audience = await profiles?.of(binding.personNo).catch(() => undefined);
    const { ticket, expiresInMs } = await tickets.issue({
      openid: user.openid,
      cardNos: [binding.cardNo],
      ...(audience ? { audience } : {}),
    });
    ctx.body = { ticket, expiresInMs, path: `${eventsPath}?ticket=${ticket}` };
  });
  router.get('/notifications', async (ctx) => {
    const user = ctx.state.user as UserState;
    const binding = await bindings.require(user.openid);
    ctx.body = await notifications.list(user.openid, binding);
  });
  router.post('/notifications/seen', async (ctx) => {
    const user = ctx.state.user as UserState;
    await notifications.markSeen(user.openid, parseBody(ctx, seenBody).upToMs);
    ctx.status = 204;
  });
  return router;
}
