import { rowId, visitInvitationSchema } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { Visitors } from '../services/visitors.ts';

const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'not a visitor link') });

/** A host's invitations (signed in). */
export function visitorRoutes(visitors: Visitors): Router {
  const router = new Router();
  router.post('/visits', async (ctx) => {
    // The host's card comes from the binding, never from the body.
    ctx.body = await visitors.invite(
      (ctx.state.user as UserState).openid,
      parseBody(ctx, visitInvitationSchema),
    );
  });
  router.get('/visitor-places', async (ctx) => {
    ctx.body = await visitors.places((ctx.state.user as UserState).openid);
  });
  router.get('/visits', async (ctx) => {
    ctx.body = await visitors.mine((ctx.state.user as UserState).openid);
  });
  router.post('/visits/:id/cancel', async (ctx) => {
    const { id } = parseValue(ctx.params, z.object({ id: rowId }));
    ctx.body = await visitors.cancel((ctx.state.user as UserState).openid, id);
  });
  return router;
}

/** The visitor's link (no account: the token is the right); rate-limited by address with the open routes. */
export function visitorPassRoutes(visitors: Visitors): Router {
  const router = new Router();
  router.get('/visitor-passes/:token', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = await visitors.pass(parseValue(ctx.params, tokenParam).token);
  });
  return router;
}
