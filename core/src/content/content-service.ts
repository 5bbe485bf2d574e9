import type { z } from 'zod';
import {
  type Audience,
  type AudienceOptions,
  type Course,
  type CourseEdit,
  courseEditSchema,
  type Edited,
  type Lesson,
  type LessonEdit,
  lessonEditSchema,
  type NewCourse,
  type NewLesson,
  type NewNews,
  type NewsEdit,
  type NewsItem,
  newCourseSchema,
  newLessonSchema,
  newNewsSchema,
  newsEditSchema,
  progressSchema,
} from '../contract/content.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import type { NewsAnnouncement } from './announcements.ts';
import type { AudienceRepository } from './audience-repository.ts';
import type { ContentRepository } from './content-repository.ts';

export {
  type CourseEdit,
  courseEditSchema,
  type Edited,
  type LessonEdit,
  lessonEditSchema,
  type NewCourse,
  type NewLesson,
  type NewNews,
  type NewsEdit,
  newCourseSchema,
  newLessonSchema,
  newNewsSchema,
  newsEditSchema,
  progressSchema,
};

/** Fields of `edit` whose value differs from `before` (compared as JSON, so audiences compare by value). */
function changedFields(before: Record<string, unknown>, edit: Record<string, unknown>): string[] {
  return Object.entries(edit)
    .filter(([key, value]) => value !== undefined && JSON.stringify(before[key]) !== JSON.stringify(value))
    .map(([key]) => key);
}

/** Announcements a scheduler run claims at most; the rest wait for the next run. */
const announceBatchMax = 100;
/** A due item older than this is not pushed late (after a long outage or from before announcing). */
export const announceWindowMs = 15 * 60_000;

export type NewsAnnouncementListener = (announcement: NewsAnnouncement) => void;

/** News and courses as the card centre publishes them and each person sees them. */
export class ContentService {
  readonly #listeners = new Set<NewsAnnouncementListener>();
  #job: Job | undefined;
  #important: { queueDue(): Promise<number> } | undefined;

  constructor(
    private readonly repo: ContentRepository,
    private readonly now: () => number = Date.now,
    private readonly audiences: AudienceRepository | null = null,
  ) {}

  /** The departments and classes the backoffice's targeting picker offers, each with its people. */
  audienceOptions(): Promise<AudienceOptions> {
    return this.audienceReader().options();
  }

  /** How many active people an audience reaches now (shown before publishing). */
  async audienceCount(audience: Audience): Promise<{ people: number }> {
    return { people: await this.audienceReader().count(audience) };
  }

  private audienceReader(): AudienceRepository {
    if (!this.audiences) throw new Error('ContentService was built without its AudienceRepository');
    return this.audiences;
  }

  /** Hears each news item once when it becomes visible (the Redis publisher, an in-process BFF). */
  onAnnouncement(listener: NewsAnnouncementListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

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
      updatedAtMs: null,
      important: input.important ?? false,
    };
    await this.repo.insertNews(item);
    if (item.publishAtMs <= nowMs) await this.#announce(item);
    return item;
  }

  /**
   * Edits a published item, before or after its time: title, body, audience, and the publish time
   * while it is still scheduled. A withdrawn item cannot be edited (withdrawing is final).
   */
  async editNews(id: string, edit: NewsEdit): Promise<Edited<NewsItem>> {
    const before = await this.repo.news(id);
    if (!before) throw new CoreError('NEWS_NOT_FOUND', 'no such news');
    if (before.status === 'withdrawn')
      throw new CoreError('NEWS_WITHDRAWN', 'this news was withdrawn and can no longer be edited');
    const nowMs = this.now();
    const moves = edit.publishAtMs !== undefined && edit.publishAtMs !== before.publishAtMs;
    if (moves && (before.publishAtMs <= nowMs || before.announcedAtMs !== null))
      throw new CoreError('NEWS_ALREADY_PUBLISHED', 'readers already have this news; its time cannot move');
    const changed = changedFields(before as unknown as Record<string, unknown>, edit);
    if (!(await this.repo.updateNews(id, edit, nowMs, moves ? nowMs : undefined))) {
      // Withdrawn, or its time came, between the read and the update: say which.
      const now = await this.repo.news(id);
      if (now?.status === 'withdrawn')
        throw new CoreError('NEWS_WITHDRAWN', 'this news was withdrawn and can no longer be edited');
      throw new CoreError('NEWS_ALREADY_PUBLISHED', 'readers already have this news; its time cannot move');
    }
    const item = await this.repo.news(id);
    if (!item) throw new CoreError('NEWS_NOT_FOUND', 'no such news');
    const { announcedAtMs, ...after } = item;
    // Moved to now or earlier: it is visible from this moment, so it is announced now.
    if (moves && after.publishAtMs <= nowMs) await this.#announce(after);
    return { item: after, changed };
  }

  /**
   * Announces every item whose time has come and that nobody announced yet. Each is claimed by one
   * conditional UPDATE, so several core instances (or a publish racing the schedule) tell it once.
   * Answers the items this call announced.
   */
  async announceDue(): Promise<NewsItem[]> {
    const due = await this.repo.dueAnnouncements(this.now(), announceWindowMs, announceBatchMax);
    const told: NewsItem[] = [];
    for (const item of due) if (await this.#announce(item)) told.push(item);
    return told;
  }

  /**
   * Important news reaches its audience as messages too (ImportantNews), checked with the
   * announcements: where messages go out at all (MESSAGES_CHANNELS).
   */
  queueImportantWith(important: { queueDue(): Promise<number> }): void {
    this.#important = important;
  }

  /**
   * Checks for due announcements every interval (scheduled news becoming visible), and for important
   * items whose readers' messages are still to queue; with a lock (several core instances), one
   * instance checks each tick.
   */
  startAnnouncements(intervalMs: number, log: Logger, lock?: JobLock): void {
    this.#job = schedule({
      name: 'news-announcements',
      everyMs: intervalMs,
      log,
      lock,
      run: async () => {
        await this.announceDue();
        await this.#important?.queueDue();
      },
    });
  }

  /** Stops the announcements; answers once a check in flight has finished. */
  async stopAnnouncements(): Promise<void> {
    await this.#job?.stop();
  }

  async #announce(item: NewsItem): Promise<boolean> {
    const atMs = this.now();
    if (!(await this.repo.claimAnnouncement(item.id, atMs))) return false;
    const announcement: NewsAnnouncement = {
      type: 'news',
      id: item.id,
      title: item.title,
      excerpt: item.body.slice(0, 80),
      audience: item.audience,
      publishAtMs: item.publishAtMs,
      atMs,
    };
    for (const listener of this.#listeners) {
      try {
        listener(announcement);
      } catch {
        // A listener's failure is its own; the item is published and the feed has it.
      }
    }
    return true;
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
    const course: Course = { id: newId(), ...parsed, createdAtMs: this.now(), updatedAtMs: null };
    await this.repo.insertCourse(course);
    return course;
  }

  async editCourse(courseId: string, edit: CourseEdit): Promise<Edited<Course>> {
    const before = await this.repo.course(courseId);
    if (!before) throw new CoreError('COURSE_NOT_FOUND', 'no such course');
    const changed = changedFields(before as unknown as Record<string, unknown>, edit);
    if (!(await this.repo.updateCourse(courseId, edit, this.now())))
      throw new CoreError('COURSE_NOT_FOUND', 'no such course');
    const item = await this.repo.course(courseId);
    if (!item) throw new CoreError('COURSE_NOT_FOUND', 'no such course');
    return { item, changed };
  }

  async editLesson(lessonId: string, edit: LessonEdit): Promise<Edited<Lesson>> {
    const before = await this.repo.lesson(lessonId);
    if (!before) throw new CoreError('LESSON_NOT_FOUND', 'no such lesson');
    const video =
      edit.video === undefined
        ? undefined
        : 'path' in edit.video
          ? { path: edit.video.path, url: null }
          : { path: null, url: edit.video.url };
    const { video: _v, ...rest } = edit;
    const changed = changedFields(before as unknown as Record<string, unknown>, rest);
    if (video && (video.path !== before.videoPath || video.url !== before.videoUrl)) changed.push('video');
    try {
      if (!(await this.repo.updateLesson(lessonId, { ...rest, ...(video ? { video } : {}) }, this.now())))
        throw new CoreError('LESSON_NOT_FOUND', 'no such lesson');
    } catch (error) {
      if (isDuplicateKey(error))
        throw new CoreError('ALREADY_EXISTS', `the course already has a lesson ${edit.seq}`);
      throw error;
    }
    const item = await this.repo.lesson(lessonId);
    if (!item) throw new CoreError('LESSON_NOT_FOUND', 'no such lesson');
    return { item, changed };
  }

  /** Removes a lesson (and everyone's place in it); answers the lesson as it was, for the audit. */
  async removeLesson(lessonId: string): Promise<Lesson> {
    const lesson = await this.repo.lesson(lessonId);
    if (!lesson || !(await this.repo.deleteLesson(lessonId)))
      throw new CoreError('LESSON_NOT_FOUND', 'no such lesson');
    return lesson;
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

  /** A person's type, department, class, grade and campus, for a BFF that filters announcements by audience. */
  async audienceProfile(personNo: string) {
    const profile = await this.repo.audienceProfile(personNo);
    if (!profile) throw new CoreError('NOT_FOUND', 'no such person');
    return profile;
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
