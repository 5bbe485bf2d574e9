import { campusId, rowId } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// News and courses as content editors publish them (docs/api.md, "News, courses and live
// activity"). The core keeps and targets them and validates the bodies again; services/content-admin.ts
// names the signed-in admin as the author and audits every write.

const idPath = z.object({ id: rowId });
const audience = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('students') }),
  z.strictObject({ type: z.literal('staff') }),
  z.strictObject({ type: z.literal('department'), value: z.string().trim().min(1).max(64) }),
  z.strictObject({ type: z.literal('class'), value: z.string().trim().min(1).max(64) }),
  z.strictObject({
    type: z.literal('grade'),
    value: z
      .string()
      .trim()
      .regex(/^\d{4}$/),
  }),
  // A campus (校区): a campus admin may name only their own (./campus-scope.ts).
  z.strictObject({ type: z.literal('campus'), value: campusId }),
]);
const newsBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(20_000),
  audience,
  /** Scheduled: hidden from readers until then. Omitted or null: now. */
  publishAtMs: z.number().int().nonnegative().nullable().optional(),
  /** Also sent to its audience as a message outside the app, once its time comes (docs/messages.md). */
  important: z.boolean().optional(),
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
    /** Marking it important sends its audience a message (once per person); the audit names the change. */
    important: z.boolean().optional(),
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

export const contentRoutes: readonly AdminRoute[] = [
  // The targeting picker: the departments, classes, grades and campuses there are, and how many one audience reaches.
  {
    method: 'GET',
    path: '/content/audiences',
    right: 'content.manage',
    handle: (_ctx, _admin, s) => s.content.audienceOptions(),
  },
  {
    method: 'GET',
    path: '/content/audience-count',
    right: 'content.manage',
    handle: (ctx, _admin, s) => s.content.audienceCount(parseValue({ ...ctx.query }, audience)),
  },
  {
    method: 'GET',
    path: '/news',
    right: 'content.manage',
    handle: (_ctx, _admin, s) => s.content.news(),
  },
  {
    method: 'POST',
    path: '/news',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const item = await s.content.publishNews(admin, parseBody(ctx, newsBody));
      ctx.status = 201;
      return item;
    },
  },
  {
    method: 'POST',
    path: '/news/:id/withdraw',
    right: 'content.manage',
    handle: (ctx, admin, s) => s.content.withdrawNews(admin, parseValue(ctx.params, idPath).id),
  },
  {
    method: 'PATCH',
    path: '/news/:id',
    right: 'content.manage',
    handle: (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      return s.content.editNews(admin, id, parseBody(ctx, newsEdit));
    },
  },
  {
    method: 'GET',
    path: '/courses',
    right: 'content.manage',
    handle: (_ctx, _admin, s) => s.content.courses(),
  },
  {
    method: 'POST',
    path: '/courses',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const course = await s.content.createCourse(admin, parseBody(ctx, courseBody));
      ctx.status = 201;
      return course;
    },
  },
  {
    method: 'PATCH',
    path: '/courses/:id',
    right: 'content.manage',
    handle: (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      return s.content.editCourse(admin, id, parseBody(ctx, courseEdit));
    },
  },
  {
    method: 'PATCH',
    path: '/lessons/:id',
    right: 'content.manage',
    handle: (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      return s.content.editLesson(admin, id, parseBody(ctx, lessonEdit));
    },
  },
  {
    method: 'DELETE',
    path: '/lessons/:id',
    right: 'content.manage',
    handle: (ctx, admin, s) => s.content.removeLesson(admin, parseValue(ctx.params, idPath).id),
  },
  {
    method: 'POST',
    path: '/courses/:id/lessons',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const lesson = await s.content.addLesson(admin, id, parseBody(ctx, lessonBody));
      ctx.status = 201;
      return lesson;
    },
  },
];
