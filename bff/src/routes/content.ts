import type { CoreClient } from '@campus-card/core/client';
import Router from 'koa-router';
import { z } from 'zod';
import type { UserState } from '../auth/require-user.ts';
import type { VideoLinks } from '../content/video-links.ts';
import { sendVideo } from '../content/video-stream.ts';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { BindingService } from '../services/bindings.ts';
import type { ContentReader } from '../services/content.ts';

const id = z.object({ id: z.string().min(1).max(26) });
const newsQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
const progressBody = z.strictObject({
  positionSeconds: z
    .number()
    .int()
    .nonnegative()
    .max(24 * 3600),
  completed: z.boolean().optional(),
});

/** News (list, detail, read state) and courses (catalogue, lessons, progress) for the signed-in person. */
export function contentRoutes(bindings: BindingService, content: ContentReader): Router {
  const router = new Router();
  const personNo = async (ctx: { state: { user?: unknown } }) =>
    (await bindings.require((ctx.state.user as UserState).openid)).personNo;
  router.get('/news', async (ctx) => {
    ctx.body = await content.news(await personNo(ctx), parseValue(ctx.query, newsQuery));
  });
  router.get('/news/:id', async (ctx) => {
    ctx.body = await content.newsItem(await personNo(ctx), parseValue(ctx.params, id).id);
  });
  router.get('/courses', async (ctx) => {
    ctx.body = await content.courses(await personNo(ctx));
  });
  router.get('/courses/:id', async (ctx) => {
    ctx.body = await content.course(await personNo(ctx), parseValue(ctx.params, id).id);
  });
  router.put('/lessons/:id/progress', async (ctx) => {
    await content.saveProgress(
      await personNo(ctx),
      parseValue(ctx.params, id).id,
      parseBody(ctx, progressBody),
    );
    ctx.status = 204;
  });
  return router;
}

const videoQuery = z.object({ exp: z.string().max(20), sig: z.string().max(64) });

/**
 * Lesson videos by signed link (a player sends no Authorization header): a local file streamed
 * with Range. The link was made for a person allowed to see the lesson.
 */
export function videoRoutes(core: CoreClient, links: VideoLinks, contentDir: string): Router {
  const router = new Router();
  router.get('/videos/:id', async (ctx) => {
    const lessonId = parseValue(ctx.params, id).id;
    const { exp, sig } = parseValue(ctx.query, videoQuery);
    if (!links.valid(lessonId, exp, sig))
      throw new BffError('FORBIDDEN', 'this video link is not valid (any more)');
    const lesson = await core.lesson(lessonId);
    if (!lesson.videoPath) throw new BffError('NOT_FOUND', 'this lesson has no local video');
    await sendVideo(ctx, contentDir, lesson.videoPath);
  });
  return router;
}
