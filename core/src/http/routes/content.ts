import Router from 'koa-router';
import type { ContentService } from '../../content/content-service.ts';
import {
  audienceCountQuery,
  contentIdPath,
  contentPersonQuery,
  courseEditSchema,
  lessonEditSchema,
  newCourseSchema,
  newLessonSchema,
  newNewsSchema,
  newsEditSchema,
  newsListQuery,
  progressSchema,
} from '../../contract/content.ts';
import { parseBody, parseValue } from '../middleware.ts';

/** News and courses: publishing (backoffice) and each person's view (BFF). */
export function contentRoutes(content: ContentService): Router {
  const router = new Router({ prefix: '/v1' });
  // The backoffice's targeting picker: what can be targeted, and how many one audience reaches.
  router.get('/content/audiences', async (ctx) => {
    ctx.body = await content.audienceOptions();
  });
  router.get('/content/audience-count', async (ctx) => {
    ctx.body = await content.audienceCount(parseValue({ ...ctx.query }, audienceCountQuery));
  });
  router.post('/news', async (ctx) => {
    ctx.status = 201;
    ctx.body = await content.publishNews(parseBody(ctx, newNewsSchema));
  });
  router.post('/news/:id/withdraw', async (ctx) => {
    await content.withdrawNews(parseValue(ctx.params, contentIdPath).id);
    ctx.status = 204;
  });
  // Edits after publishing (the backoffice): each answers { item, changed } for the audit.
  router.patch('/news/:id', async (ctx) => {
    ctx.body = await content.editNews(
      parseValue(ctx.params, contentIdPath).id,
      parseBody(ctx, newsEditSchema),
    );
  });
  router.patch('/courses/:id', async (ctx) => {
    ctx.body = await content.editCourse(
      parseValue(ctx.params, contentIdPath).id,
      parseBody(ctx, courseEditSchema),
    );
  });
  router.patch('/lessons/:id', async (ctx) => {
    ctx.body = await content.editLesson(
      parseValue(ctx.params, contentIdPath).id,
      parseBody(ctx, lessonEditSchema),
    );
  });
  router.delete('/lessons/:id', async (ctx) => {
    ctx.body = await content.removeLesson(parseValue(ctx.params, contentIdPath).id);
  });
  // Announces due scheduled news now (the schedule also does, every few seconds).
  router.post('/news/announcements', async (ctx) => {
    ctx.body = { announced: (await content.announceDue()).map((n) => n.id) };
  });
  router.get('/audience-profiles/:personNo', async (ctx) => {
    ctx.body = await content.audienceProfile(parseValue(ctx.params, contentPersonQuery).personNo);
  });
  // The backoffice's lists: every item (scheduled and withdrawn too) and every course with its lessons.
  router.get('/news/all', async (ctx) => {
    ctx.body = { items: await content.allNews() };
  });
  router.get('/courses/all', async (ctx) => {
    ctx.body = { items: await content.allCourses() };
  });
  router.get('/news', async (ctx) => {
    const q = parseValue(ctx.query, newsListQuery);
    const before =
      q.beforeAtMs !== undefined && q.beforeId ? { atMs: q.beforeAtMs, id: q.beforeId } : undefined;
    ctx.body = await content.newsFor(q.personNo, { limit: q.limit, ...(before ? { before } : {}) });
  });
  router.get('/news/:id', async (ctx) => {
    const { personNo } = parseValue(ctx.query, contentPersonQuery);
    ctx.body = await content.readNews(personNo, parseValue(ctx.params, contentIdPath).id);
  });
  router.post('/courses', async (ctx) => {
    ctx.status = 201;
    ctx.body = await content.createCourse(parseBody(ctx, newCourseSchema));
  });
  router.post('/courses/:id/lessons', async (ctx) => {
    ctx.status = 201;
    ctx.body = await content.addLesson(
      parseValue(ctx.params, contentIdPath).id,
      parseBody(ctx, newLessonSchema),
    );
  });
  router.get('/courses', async (ctx) => {
    ctx.body = { items: await content.coursesFor(parseValue(ctx.query, contentPersonQuery).personNo) };
  });
  router.get('/courses/:id', async (ctx) => {
    const { personNo } = parseValue(ctx.query, contentPersonQuery);
    ctx.body = await content.courseFor(personNo, parseValue(ctx.params, contentIdPath).id);
  });
  router.get('/lessons/:id', async (ctx) => {
    // With personNo: only if that person may see it; without: any lesson (a signed video link was checked).
    const { personNo } = parseValue(ctx.query, contentPersonQuery.partial());
    const lessonId = parseValue(ctx.params, contentIdPath).id;
    ctx.body = personNo ? await content.lessonFor(personNo, lessonId) : await content.lesson(lessonId);
  });
  router.put('/lessons/:id/progress', async (ctx) => {
    await content.saveProgress(parseValue(ctx.params, contentIdPath).id, parseBody(ctx, progressSchema));
    ctx.status = 204;
  });
  return router;
}
