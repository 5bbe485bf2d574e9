import type {
  Audience,
  AudienceOptions,
  AudienceProfile,
  Course,
  CourseEdit,
  CourseWithLessons,
  Edited,
  Lesson,
  LessonEdit,
  NewCourse,
  NewLesson,
  NewNews,
  NewsEdit,
  NewsItem,
  NewsSummary,
} from '../contract/content.ts';
import { DomainClient, query } from './transport.ts';

/** News, courses and lessons. */
export class ContentClient extends DomainClient {
  /** The departments, classes and grades news can target, each with its active people. */
  audienceOptions(): Promise<AudienceOptions> {
    return this.transport.call('GET', '/v1/content/audiences');
  }
  /** How many active people an audience reaches now. */
  audienceCount(audience: Audience): Promise<{ people: number }> {
    return this.transport.call('GET', `/v1/content/audience-count${query(audience)}`);
  }
  publishNews(input: NewNews): Promise<NewsItem> {
    return this.transport.call('POST', '/v1/news', input);
  }
  withdrawNews(id: string): Promise<void> {
    return this.transport.call('POST', `/v1/news/${encodeURIComponent(id)}/withdraw`);
  }
  /** Edits a published item (withdrawn: NEWS_WITHDRAWN; a time that has come: NEWS_ALREADY_PUBLISHED). */
  editNews(id: string, edit: NewsEdit): Promise<Edited<NewsItem>> {
    return this.transport.call('PATCH', `/v1/news/${encodeURIComponent(id)}`, edit);
  }
  editCourse(id: string, edit: CourseEdit): Promise<Edited<Course>> {
    return this.transport.call('PATCH', `/v1/courses/${encodeURIComponent(id)}`, edit);
  }
  editLesson(id: string, edit: LessonEdit): Promise<Edited<Lesson>> {
    return this.transport.call('PATCH', `/v1/lessons/${encodeURIComponent(id)}`, edit);
  }
  /** Removes a lesson; answers it as it was. */
  removeLesson(id: string): Promise<Lesson> {
    return this.transport.call('DELETE', `/v1/lessons/${encodeURIComponent(id)}`);
  }
  /** Announces due scheduled news now; answers the ids this call announced. */
  announceDueNews(): Promise<{ announced: string[] }> {
    return this.transport.call('POST', '/v1/news/announcements');
  }
  /** A person's type, department, class and grade (enrolment year), to filter news announcements by audience. */
  audienceProfile(personNo: string): Promise<AudienceProfile> {
    return this.transport.call('GET', `/v1/audience-profiles/${encodeURIComponent(personNo)}`);
  }
  /** The person's news feed, newest first; `next` is the cursor. */
  newsFor(
    personNo: string,
    page: { limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: NewsSummary[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.transport.call('GET', `/v1/news${query({ personNo, ...page })}`);
  }
  /** One news item the person may see; reading it marks it read. */
  readNews(personNo: string, id: string): Promise<NewsItem & { readAtMs: number | null }> {
    return this.transport.call('GET', `/v1/news/${encodeURIComponent(id)}${query({ personNo })}`);
  }
  /** Every news item, scheduled and withdrawn included, newest first (the backoffice). */
  allNews(): Promise<{ items: NewsItem[] }> {
    return this.transport.call('GET', '/v1/news/all');
  }
  /** Every course with its lessons, newest first (the backoffice). */
  allCourses(): Promise<{ items: (Course & { lessons: Lesson[] })[] }> {
    return this.transport.call('GET', '/v1/courses/all');
  }
  createCourse(input: NewCourse): Promise<Course> {
    return this.transport.call('POST', '/v1/courses', input);
  }
  addLesson(courseId: string, input: NewLesson): Promise<Lesson> {
    return this.transport.call('POST', `/v1/courses/${encodeURIComponent(courseId)}/lessons`, input);
  }
  coursesFor(personNo: string): Promise<{ items: Course[] }> {
    return this.transport.call('GET', `/v1/courses${query({ personNo })}`);
  }
  courseFor(personNo: string, courseId: string): Promise<CourseWithLessons> {
    return this.transport.call('GET', `/v1/courses/${encodeURIComponent(courseId)}${query({ personNo })}`);
  }
  lessonFor(personNo: string, lessonId: string): Promise<Lesson> {
    return this.transport.call('GET', `/v1/lessons/${encodeURIComponent(lessonId)}${query({ personNo })}`);
  }
  /** Any lesson, unscoped: for a caller that has checked the person's right itself (a signed link). */
  lesson(lessonId: string): Promise<Lesson> {
    return this.transport.call('GET', `/v1/lessons/${encodeURIComponent(lessonId)}`);
  }
  saveLessonProgress(
    lessonId: string,
    progress: { personNo: string; positionSeconds: number; completed?: boolean },
  ): Promise<void> {
    return this.transport.call('PUT', `/v1/lessons/${encodeURIComponent(lessonId)}/progress`, progress);
  }
}
