import Router from 'koa-router';
import { z } from 'zod';
import { photoByReferenceSchema, photoReferenceRequestSchema } from '../contract/photos.ts';
import { parseBody } from '../http/middleware.ts';
import type { PhotoService } from './photo-service.ts';

/** Person photos for exam readers, called by the gateway (protocol § 7.28). */
export function photoRoutes(photos: PhotoService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/photos/references', async (ctx) => {
    const q = parseBody(ctx, photoReferenceRequestSchema);
    ctx.body = { reference: await photos.reference(q.cardNo, q.deviceId, Date.now()) };
  });
  router.post('/photos/by-reference', async (ctx) => {
    const q = parseBody(ctx, photoByReferenceSchema);
    ctx.body = await photos.byReference(q.reference, q.deviceId, Date.now());
  });
  router.post('/photos/sync-runs', async (ctx) => {
    parseBody(ctx, z.strictObject({}));
    ctx.body = await photos.sync();
  });
  return router;
}
