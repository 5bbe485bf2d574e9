import Router from 'koa-router';
import { z } from 'zod';
import type { BindingService } from '../../bindings/binding-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

export const openid = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,64}$/, 'an openid is 6–64 characters of A-Z a-z 0-9 _ -');
const openidPath = z.object({ openid });
const bindBody = z.strictObject({
  openid,
  personNo: z.string().regex(/^[A-Za-z0-9]{4,32}$/),
  name: z.string().trim().min(1).max(64),
  secret: z.string().regex(/^[0-9]{5}[0-9Xx]$/, 'the secret is the last 6 characters of the ID number'),
});

/** WeChat account bindings for the BFF: bind with a person's secret, look up, unbind. */
export function bindingRoutes(bindings: BindingService): Router {
  const router = new Router({ prefix: '/v1/bindings' });
  router.post('/', async (ctx) => {
    const result = await bindings.bind(parseBody(ctx, bindBody));
    ctx.status = result.created ? 201 : 200;
    ctx.body = result;
  });
  router.get('/:openid', async (ctx) => {
    ctx.body = await bindings.get(parseValue(ctx.params, openidPath).openid);
  });
  router.delete('/:openid', async (ctx) => {
    ctx.body = await bindings.unbind(parseValue(ctx.params, openidPath).openid);
  });
  return router;
}
