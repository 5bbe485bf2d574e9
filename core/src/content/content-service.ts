import { z } from 'zod';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { audienceSchema } from './audience.ts';
import type { ContentRepository, Course, Lesson, NewsItem } from './content-repository.ts';

export const newNewsSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  audience: audienceSchema,
  /** Scheduled publishing: hidden until then. Omitted: now. */
  publishAtMs: z.number().int().nonnegative().optional(),
  author: z.string().min(1).max(64),
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

export const newLessonSchema = z.strictObject({
  seq: z.number().int().min(1).max(10_000),
  title: z.string().trim().min(1).max(200),
  video: z.union([z.strictObject({ path: videoPath }), z.strictObject({ url: z.url().max(1024) })]),
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(24 * 3600),
});
export type NewLesson = z.infer<typeof newLessonSchema>;

export const progressSchema = z.strictObject({
  personNo: z.string().min(1).max(32),
  positionSeconds: z.number().int().nonnegative(),
  completed: z.boolean().default(false),
});

/** News and courses as the card centre publishes them and each person sees them. */
export class ContentService {
  constructor(
    private readonly repo: ContentRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async publishNews(input: NewNews): Promise<NewsItem> {
    const nowMs = this.now();
    const item: NewsItem = {
      id: newId(nowMs),
      title: input.title,
      body: input.body,
      audience: input.audience,
      status: 'published',
      publishAtMs: input.publishAtMs ?? nowMs,
      author: input.author,
      createdAtMs: nowMs,
    };
    await this.repo.insertNews(item);
    return item;
  }

  async withdrawNews(id: string): Promise<void> {
    if (!(await this.repo.setNewsStatus(id, 'withdrawn')))
      throw new CoreError('NEWS_NOT_FOUND', 'no such news');
  }

  /** Every item for the backoffice, newest first, scheduled ones included, with the body. */
  async allNews(): Promise<NewsItem[]> {
    return this.repo.allNews(200);
  }

  /** Every course for the backoffice, newest first, with its lessons. */
  async allCourses(): Promise<(Course & { lessons: Lesson[] })[]> {
    const courses = await this.repo.allCourses(200);
    return Promise.all(
      courses.map(async (c) => ({
        ...c,
        lessons: (await this.repo.lessons(c.id, '')).map(({ progress: _p, ...l }) => l),
      })),
    );
  }

  /** The person's news feed; the body is left out of the list (the detail has it). */
  async newsFor(personNo: string, page: { limit: number; before?: { atMs: number; id: string } }) {
    const items = await this.repo.newsFor(personNo, this.now(), page);
    const last = items.at(-1);
    return {
      items: items.map(({ body, ...rest }) => ({ ...rest, excerpt: body.slice(0, 80) })),
      next: items.length === page.limit && last ? { beforeAtMs: last.publishAtMs, beforeId: last.id } : null,
    };
  }

  /** One item, if the person may see it now; reading it marks it read. */
  async readNews(personNo: string, id: string) {
    const [item] = await this.repo.newsFor(personNo, this.now(), { limit: 1, id });
    if (!item) throw new CoreError('NEWS_NOT_FOUND', 'no such news');
    if (item.readAtMs === null) {
      const atMs = this.now();
      await this.repo.markRead(id, personNo, atMs);
      return { ...item, readAtMs: atMs };
    }
    return item;
  }

  async createCourse(input: NewCourse): Promise<Course> {
    const parsed = newCourseSchema.parse(input);
    const course: Course = { id: newId(), ...parsed, createdAtMs: this.now() };
    await this.repo.insertCourse(course);
    return course;
  }

  async addLesson(courseId: string, input: NewLesson): Promise<Lesson> {
    if (!(await this.repo.courseExists(courseId))) throw new CoreError('COURSE_NOT_FOUND', 'no such course');
    const lesson: Lesson = {
      id: newId(),
      courseId,
      seq: input.seq,
      title: input.title,
      videoPath: 'path' in input.video ? input.video.path : null,
      videoUrl: 'url' in input.video ? input.video.url : null,
      durationSeconds: input.durationSeconds,
    };
    try {
      await this.repo.insertLesson(lesson, this.now());
    } catch (error) {
      if ((await this.repo.lessons(courseId, '')).some((l) => l.seq === input.seq))
        throw new CoreError('ALREADY_EXISTS', `the course already has a lesson ${input.seq}`);
      throw error;
    }
    return lesson;
  }

  coursesFor(personNo: string): Promise<Course[]> {
    return this.repo.coursesFor(personNo);
  }

  /** A course the person may see, with its lessons and where the person stopped in each. */
  async courseFor(personNo: string, courseId: string) {
    const [course] = await this.repo.coursesFor(personNo, courseId);
    if (!course) throw new CoreError('COURSE_NOT_FOUND', 'no such course');
    return { ...course, lessons: await this.repo.lessons(courseId, personNo) };
  }

  async lesson(lessonId: string): Promise<Lesson> {
    const lesson = await this.repo.lesson(lessonId);
    if (!lesson) throw new CoreError('LESSON_NOT_FOUND', 'no such lesson');
    return lesson;
  }

  /** A lesson of a course the person may see (the BFF streams its video). */
  async lessonFor(personNo: string, lessonId: string): Promise<Lesson> {
    const lesson = await this.repo.lesson(lessonId);
    if (!lesson || (await this.repo.coursesFor(personNo, lesson.courseId)).length === 0)
      throw new CoreError('LESSON_NOT_FOUND', 'no such lesson');
    return lesson;
  }

  async saveProgress(lessonId: string, input: z.infer<typeof progressSchema>): Promise<void> {
    const lesson = await this.lessonFor(input.personNo, lessonId);
    await this.repo.saveProgress(lessonId, input.personNo, {
      positionSeconds: Math.min(input.positionSeconds, lesson.durationSeconds),
      completed: input.completed,
      updatedAtMs: this.now(),
    });
  }
}
