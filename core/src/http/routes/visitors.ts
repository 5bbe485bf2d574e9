import Router from 'koa-router';
import { z } from 'zod';
import { cardNo, rowId } from '../../contract/fields.ts';
import {
  newVisitSchema,
  visitCancelSchema,
  visitDecisionSchema,
  visitorPolicySchema,
  visitPassageSchema,
} from '../../contract/visitors.ts';
import type { VisitorService } from '../../visitors/visitor-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const idParam = z.object({ id: rowId });
const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'not a visitor link') });

/** Visits (docs/visitors-meetings-bus.md): hosts through the BFF, gates through the gateway, the backoffice. */
export function visitorRoutes(visitors: VisitorService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/visits', async (ctx) => {
    ctx.body = await visitors.register(parseBody(ctx, newVisitSchema));
  });
  router.get('/visits', async (ctx) => {
    ctx.body = await visitors.forHost(parseValue(ctx.query, z.object({ hostCardNo: cardNo })).hostCardNo);
  });
  router.get('/visits/pending', async (ctx) => {
    ctx.body = await visitors.pending();
  });
  router.get('/visits/on-campus', async (ctx) => {
    ctx.body = await visitors.onCampus();
  });
  router.get('/visits/:id', async (ctx) => {
    ctx.body = await visitors.get(parseValue(ctx.params, idParam).id);
  });
  router.get('/visits/:id/passages', async (ctx) => {
    ctx.body = { items: await visitors.passages(parseValue(ctx.params, idParam).id) };
  });
  router.post('/visits/:id/decision', async (ctx) => {
    const { decision, decidedBy } = parseBody(ctx, visitDecisionSchema);
    ctx.body = await visitors.decide(parseValue(ctx.params, idParam).id, decision, decidedBy);
  });
  router.post('/visits/:id/cancel', async (ctx) => {
    const { hostCardNo } = parseBody(ctx, visitCancelSchema);
    ctx.body = await visitors.cancel(parseValue(ctx.params, idParam).id, hostCardNo);
  });
  router.get('/visit-links/:token', async (ctx) => {
    ctx.body = { visit: (await visitors.byLink(parseValue(ctx.params, tokenParam).token)).visit };
  });
  router.post('/visit-links/:token/pass-grant', async (ctx) => {
    ctx.body = await visitors.passGrant(parseValue(ctx.params, tokenParam).token);
  });
  router.post('/visit-passages', async (ctx) => {
    ctx.body = await visitors.recordPassage(parseBody(ctx, visitPassageSchema));
  });
  router.get('/visitor-policy', async (ctx) => {
    ctx.body = await visitors.getPolicy();
  });
  router.put('/visitor-policy', async (ctx) => {
    ctx.body = await visitors.setPolicy(parseBody(ctx, visitorPolicySchema));
  });
  return router;
}
