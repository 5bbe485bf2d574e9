import type { CoreClient } from '@campus-card/core/client';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// News and courses as content editors publish them: the core keeps and targets them; this service
// names the signed-in admin as the author and audits every write.

type Core = CoreClient;

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

export class ContentAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  news() {
    return this.core.allNews();
  }

  audienceOptions() {
    return this.core.audienceOptions();
  }

  audienceCount(audience: Parameters<Core['audienceCount']>[0]) {
    return this.core.audienceCount(audience);
  }

  async publishNews(
    admin: AdminSession,
    input: Omit<Parameters<Core['publishNews']>[0], 'author' | 'publishAtMs'> & {
      publishAtMs?: number | null | undefined;
    },
  ) {
    const { publishAtMs, ...body } = input;
    const item = await this.core.publishNews({
      ...body,
      ...(publishAtMs ? { publishAtMs } : {}),
      author: admin.displayName,
    });
    await this.audit.record(admin, 'news.publish', 'news', item.id, {
      title: item.title,
      audience: item.audience,
      publishAtMs: item.publishAtMs,
      important: item.important,
    });
    return item;
  }

  async withdrawNews(admin: AdminSession, id: string) {
    await this.core.withdrawNews(id);
    await this.audit.record(admin, 'news.withdraw', 'news', id);
    return { id, status: 'withdrawn' };
  }

  async editNews(admin: AdminSession, id: string, edit: Parameters<Core['editNews']>[1]) {
    const { item, changed } = await this.core.editNews(id, edit);
    if (changed.length > 0)
      await this.audit.record(admin, 'news.edit', 'news', id, editDetail(changed, { ...item }, ['body']));
    return { ...item, changed };
  }

  courses() {
    return this.core.allCourses();
  }

  async createCourse(admin: AdminSession, input: Parameters<Core['createCourse']>[0]) {
    const course = await this.core.createCourse(input);
    await this.audit.record(admin, 'course.create', 'course', course.id, {
      title: course.title,
      teacher: course.teacher,
      audience: course.audience,
    });
    return course;
  }

  async editCourse(admin: AdminSession, id: string, edit: Parameters<Core['editCourse']>[1]) {
    const { item, changed } = await this.core.editCourse(id, edit);
    if (changed.length > 0)
      await this.audit.record(
        admin,
        'course.edit',
        'course',
        id,
        editDetail(changed, { ...item }, ['description']),
      );
    return { ...item, changed };
  }

  async editLesson(admin: AdminSession, id: string, edit: Parameters<Core['editLesson']>[1]) {
    const { item, changed } = await this.core.editLesson(id, edit);
    if (changed.length > 0)
      await this.audit.record(admin, 'course.lesson_edit', 'course', item.courseId, {
        lessonId: id,
        ...editDetail(changed, { ...item, video: item.videoPath ?? item.videoUrl }, []),
      });
    return { ...item, changed };
  }

  async removeLesson(admin: AdminSession, id: string) {
    const lesson = await this.core.removeLesson(id);
    await this.audit.record(admin, 'course.lesson_remove', 'course', lesson.courseId, {
      lessonId: id,
      seq: lesson.seq,
      title: lesson.title,
    });
    return { id, removed: true };
  }

  async addLesson(admin: AdminSession, courseId: string, input: Parameters<Core['addLesson']>[1]) {
    const lesson = await this.core.addLesson(courseId, input);
    await this.audit.record(admin, 'course.lesson_add', 'course', courseId, {
      lessonId: lesson.id,
      seq: lesson.seq,
      title: lesson.title,
    });
    return lesson;
  }
}
