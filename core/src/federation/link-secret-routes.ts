import Router from 'koa-router';
import { centrePath, retireLinkSecret, rotateLinkSecret } from '../contract/federation.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { TrustList } from './trust-list.ts';

/** Link secret rotation for the backoffice (federation.manage, through the BFF): docs/federation.md. */
export function linkSecretRoutes(trust: TrustList): Router {
  const router = new Router({ prefix: '/v1/federation' });
  router.post('/centres/:id/link-secret', async (ctx) => {
    const { id } = parseValue(ctx.params, centrePath);
    ctx.body = await trust.rotateLinkSecret(id, parseBody(ctx, rotateLinkSecret));
  });
  router.post('/centres/:id/link-secret/retire', async (ctx) => {
    const { id } = parseValue(ctx.params, centrePath);
    ctx.body = await trust.retireOldLinkSecret(id, parseBody(ctx, retireLinkSecret).adminId);
  });
  return router;
}
