import Router from 'koa-router';
import { resealPath, resealStepSchema } from '../contract/keys.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { KeyResealService } from './key-reseal-service.ts';

/** Re-sealing under a new PII_KEY or PHOTO_KEY, step by step (npm run job -- reseal, docs/operations.md). */
export function keyResealRoutes(reseal: KeyResealService): Router {
  const router = new Router({ prefix: '/v1/keys' });
  router.post('/:kind/reseal-steps', async (ctx) => {
    const { kind } = parseValue(ctx.params, resealPath);
    ctx.body = await reseal.step(kind, parseBody(ctx, resealStepSchema));
  });
  router.get('/:kind/reseal', async (ctx) => {
    const { kind } = parseValue(ctx.params, resealPath);
    ctx.body = { run: await reseal.progress(kind) };
  });
  return router;
}
