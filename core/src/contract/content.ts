/**
 * News, courses and lessons on the wire (docs/content.md): publishing and editing (backoffice), each
 * person's feed and courses (BFF), lesson progress, and the items as the core answers them.
 */
import { z } from 'zod';
import { campusId } from './campuses.ts';

/** Whom a news item or course is for. */
export const audienceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('students') }),
  z.strictObject({ type: z.literal('staff') }),
  z.strictObject({ type: z.literal('department'), value: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('class'), value: z.string().min(1).max(64) }),
  /** A grade (年级): the students who enrolled that year (the identity sync's enrolment year), e.g. 2024 for 2024级. */
  z.strictObject({
    type: z.literal('grade'),
    value: z.string().regex(/^\d{4}$/, 'a four-digit enrolment year'),
  }),
  /** A campus (校区): the active people who live in a dorm building of its place tree (docs/campuses.md). */
  z.strictObject({ type: z.literal('campus'), value: campusId }),
]);
export type Audience = z.infer<typeof audienceSchema>;

/** A news item's, course's or lesson's id. */
export const contentId = z.string().min(1).max(26);
export const contentIdPath = z.object({ id: contentId });
/** The person a feed, course list or lesson is read for. */
export const contentPersonQuery = z.object({ personNo: z.string().min(1).max(32) });
/** GET /v1/news?personNo=: newest first, paged by (beforeAtMs, beforeId). */
export const newsListQuery = contentPersonQuery.extend({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  beforeAtMs: z.coerce.number().int().optional(),
  beforeId: contentId.optional(),
});

export const newNewsSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  audience: audienceSchema,
  /** Scheduled publishing: hidden until then. Omitted: now. */
  publishAtMs: z.number().int().nonnegative().optional(),
  author: z.string().min(1).max(64),
  /** Important: also sent to its audience as a message outside the app (docs/messages.md), and pinned. */
  important: z.boolean().optional(),
});
export type NewNews = z.infer<typeof newNewsSchema>;

export const newCourseSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5_000).default(''),
  teacher: z.string().min(1).max(64),
  audience: audienceSchema,
});
export type NewCourse = z.input<typeof newCourseSchema>;

/** A video file under the content directory: a relative path with no way out of it. */
const videoPath = z
  .string()
  .min(1)
  .max(512)
  .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/, 'a relative path inside the content directory');

/**
 * A video elsewhere: http or https only. The players and the backoffice open it as a link, so
 * javascript:, data: or file: would run script in the page or read the viewer's disk.
 */
const videoUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(1024);

export const newLessonSchema = z.strictObject({
  seq: z.number().int().min(1).max(10_000),
  title: z.string().trim().min(1).max(200),
  video: z.union([z.strictObject({ path: videoPath }), z.strictObject({ url: videoUrl })]),
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(24 * 3600),
});
export type NewLesson = z.infer<typeof newLessonSchema>;

/** At least one field: an empty edit is a mistake, not a no-op to audit. */
const someField = (value: Record<string, unknown>) => Object.values(value).some((v) => v !== undefined);

export const newsEditSchema = z
  .strictObject({
    title: newNewsSchema.shape.title.optional(),
    body: newNewsSchema.shape.body.optional(),
    audience: audienceSchema.optional(),
    /** Only while the item is still scheduled (not yet visible, not yet announced). */
    publishAtMs: z.number().int().nonnegative().optional(),
    /** Marked important: its audience is sent a message once its time has come (once per person). */
    important: z.boolean().optional(),
  })
  .refine(someField, 'name at least one field to change');
export type NewsEdit = z.infer<typeof newsEditSchema>;

export const courseEditSchema = z
  .strictObject({
    title: newCourseSchema.shape.title.optional(),
    description: z.string().max(5_000).optional(),
    teacher: newCourseSchema.shape.teacher.optional(),
    audience: audienceSchema.optional(),
  })
  .refine(someField, 'name at least one field to change');
export type CourseEdit = z.infer<typeof courseEditSchema>;

export const lessonEditSchema = z
  .strictObject({
    seq: newLessonSchema.shape.seq.optional(),
    title: newLessonSchema.shape.title.optional(),
    video: newLessonSchema.shape.video.optional(),
    durationSeconds: newLessonSchema.shape.durationSeconds.optional(),
  })
  .refine(someField, 'name at least one field to change');
export type LessonEdit = z.infer<typeof lessonEditSchema>;

/** What an edit did: the item as it now stands and the names of the fields whose value changed. */
export interface Edited<T> {
  item: T;
  changed: string[];
}

export const progressSchema = z.strictObject({
  personNo: z.string().min(1).max(32),
  positionSeconds: z.number().int().nonnegative(),
  completed: z.boolean().default(false),
});
export type LessonProgressInput = z.input<typeof progressSchema>;

export const newsItem = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  audience: audienceSchema,
  status: z.enum(['published', 'withdrawn']),
  publishAtMs: z.number().int(),
  author: z.string(),
  createdAtMs: z.number().int(),
  /** The last edit; null: never edited. */
  updatedAtMs: z.number().int().nullable(),
  /** Marked important: pinned in the app and sent as a message outside it. */
  important: z.boolean(),
});
export type NewsItem = z.infer<typeof newsItem>;

export const course = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  teacher: z.string(),
  audience: audienceSchema,
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int().nullable(),
});
export type Course = z.infer<typeof course>;

export const lesson = z.object({
  id: z.string(),
  courseId: z.string(),
  seq: z.number().int(),
  title: z.string(),
  videoPath: z.string().nullable(),
  videoUrl: z.string().nullable(),
  durationSeconds: z.number().int(),
});
export type Lesson = z.infer<typeof lesson>;

export const lessonProgress = z.object({
  positionSeconds: z.number().int(),
  completed: z.boolean(),
  updatedAtMs: z.number().int(),
});
export type LessonProgress = z.infer<typeof lessonProgress>;

/** A news item in a person's feed: the body cut to an excerpt, and when the person read it. */
export type NewsSummary = Omit<NewsItem, 'body'> & { excerpt: string; readAtMs: number | null };
/** A course as a person sees it: its lessons with the person's progress. */
export type CourseWithLessons = Course & { lessons: (Lesson & { progress: LessonProgress | null })[] };

/** A department, class, grade or campus news can be sent to, with how many active people it reaches. */
export const audienceOption = z.object({ value: z.string(), people: z.number().int() });
export type AudienceOption = z.infer<typeof audienceOption>;
/**
 * GET /v1/content/audiences: the departments (of every card holder), the classes and grades
 * (enrolment years, newest first) from the identity sync, and every campus (by id, in code order).
 */
export const audienceOptions = z.object({
  departments: z.array(audienceOption),
  classes: z.array(audienceOption),
  grades: z.array(audienceOption),
  campuses: z.array(audienceOption),
});
export type AudienceOptions = z.infer<typeof audienceOptions>;
/** GET /v1/audience-profiles/:personNo: who a person is, as audiences see them (the BFF's live news push). */
export interface AudienceProfile {
  personType: string;
  department: string | null;
  classCode: string | null;
  /** The grade (年级) as an enrolment year. */
  enrolYear: number | null;
  /** The campus whose place tree holds the person's dorm building (docs/campuses.md). */
  campusId: string | null;
}
/** GET /v1/content/audience-count?type=&value=: how many active people an audience reaches now. */
export const audienceCountQuery = audienceSchema;
