import { rowId } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// News and courses as content editors publish them (docs/api.md, "News, courses and live
// activity"). The core keeps and targets them; these routes check content.manage, name the signed-in
// admin as the author, and audit every write. The core validates the bodies again.

const idPath = z.object({ id: rowId });
const audience = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('students') }),
  z.strictObject({ type: z.literal('staff') }),
  z.strictObject({ type: z.literal('department'), value: z.string().trim().min(1).max(64) }),
  z.strictObject({ type: z.literal('class'), value: z.string().trim().min(1).max(64) }),
]);
const newsBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
  audience,
  /** Scheduled: hidden from readers until then. Omitted or null: now. */
  publishAtMs: z.number().int().nonnegative().nullable().optional(),
});
const courseBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5_000).default(''),
  teacher: z.string().trim().min(1).max(64),
  audience,
});
const lessonBody = z.strictObject({
  seq: z.number().int().min(1).max(10_000),
  title: z.string().trim().min(1).max(200),
  video: z.union([
    z.strictObject({ path: z.string().trim().min(1).max(512) }),
    z.strictObject({ url: z.string().trim().min(1).max(1024) }),
  ]),
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(24 * 3600),
});

/** At least one field: an empty edit is a mistake. */
const someField = (value: Record<string, unknown>) => Object.values(value).some((v) => v !== undefined);
const newsEdit = z
  .strictObject({
    title: newsBody.shape.title.optional(),
    body: newsBody.shape.body.optional(),
    audience: audience.optional(),
    /** Only while the item is still scheduled; the core refuses a move once readers have it. */
    publishAtMs: z.number().int().nonnegative().optional(),
  })
  .refine(someField, 'name at least one field to change');
const courseEdit = z
  .strictObject({
    title: courseBody.shape.title.optional(),
    description: z.string().trim().max(5_000).optional(),
    teacher: courseBody.shape.teacher.optional(),
    audience: audience.optional(),
  })
  .refine(someField, 'name at least one field to change');
const lessonEdit = z
  .strictObject({
    seq: lessonBody.shape.seq.optional(),
    title: lessonBody.shape.title.optional(),
    video: lessonBody.shape.video.optional(),
    durationSeconds: lessonBody.shape.durationSeconds.optional(),
  })
  .refine(someField, 'name at least one field to change');

/**
 * An edit's audit detail: which fields changed and the new value of the short ones. Long text (a
 * news body, a course description) is named as changed, never copied into the chain.
 */
function editDetail(
  changed: readonly string[],
  item: Record<string, unknown>,
  longText: readonly string[],
): Record<string, unknown> {
  const detail: Record<string, unknown> = { changed };
  for (const field of changed) if (!longText.includes(field)) detail[field] = item[field];
  return detail;
}

export const contentRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/news',
    right: 'content.manage',
    handle: (_ctx, _admin, s) => s.core.allNews(),
  },
  {
    method: 'POST',
    path: '/news',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { publishAtMs, ...body } = parseBody(ctx, newsBody);
      const item = await s.core.publishNews({
        ...body,
        ...(publishAtMs ? { publishAtMs } : {}),
        author: admin.displayName,
      });
      await s.audit.record(admin, 'news.publish', 'news', item.id, {
        title: item.title,
        audience: item.audience,
        publishAtMs: item.publishAtMs,
      });
      ctx.status = 201;
      return item;
    },
  },
  {
    method: 'POST',
    path: '/news/:id/withdraw',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      await s.core.withdrawNews(id);
      await s.audit.record(admin, 'news.withdraw', 'news', id);
      return { id, status: 'withdrawn' };
    },
  },
  {
    method: 'PATCH',
    path: '/news/:id',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const { item, changed } = await s.core.editNews(id, parseBody(ctx, newsEdit));
      if (changed.length > 0)
        await s.audit.record(admin, 'news.edit', 'news', id, editDetail(changed, { ...item }, ['body']));
      return { ...item, changed };
    },
  },
  {
    method: 'GET',
    path: '/courses',
    right: 'content.manage',
    handle: (_ctx, _admin, s) => s.core.allCourses(),
  },
  {
    method: 'POST',
    path: '/courses',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const course = await s.core.createCourse(parseBody(ctx, courseBody));
      await s.audit.record(admin, 'course.create', 'course', course.id, {
        title: course.title,
        teacher: course.teacher,
        audience: course.audience,
      });
      ctx.status = 201;
      return course;
    },
  },
  {
    method: 'PATCH',
    path: '/courses/:id',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const { item, changed } = await s.core.editCourse(id, parseBody(ctx, courseEdit));
      if (changed.length > 0)
        await s.audit.record(
          admin,
          'course.edit',
          'course',
          id,
          editDetail(changed, { ...item }, ['description']),
        );
      return { ...item, changed };
    },
  },
  {
    method: 'PATCH',
    path: '/lessons/:id',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const { item, changed } = await s.core.editLesson(id, parseBody(ctx, lessonEdit));
      if (changed.length > 0)
        await s.audit.record(admin, 'course.lesson_edit', 'course', item.courseId, {
          lessonId: id,
          ...editDetail(changed, { ...item, video: item.videoPath ?? item.videoUrl }, []),
        });
      return { ...item, changed };
    },
  },
  {
    method: 'DELETE',
    path: '/lessons/:id',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const lesson = await s.core.removeLesson(id);
      await s.audit.record(admin, 'course.lesson_remove', 'course', lesson.courseId, {
        lessonId: id,
        seq: lesson.seq,
        title: lesson.title,
      });
      return { id, removed: true };
    },
  },
  {
    method: 'POST',
    path: '/courses/:id/lessons',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const lesson = await s.core.addLesson(id, parseBody(ctx, lessonBody));
      await s.audit.record(admin, 'course.lesson_add', 'course', id, {
        lessonId: lesson.id,
        seq: lesson.seq,
        title: lesson.title,
      });
      ctx.status = 201;
      return lesson;
    },
  },
];
