import { col, Op, Transaction, type WhereOptions } from 'sequelize';
import type { AudienceProfile, Course, Lesson, LessonProgress, NewsItem } from '../contract/content.ts';
import { type Database, isDuplicateKey, type Param } from '../db/database.ts';
import { type Models, updateMatched } from '../db/models.ts';
import {
  type Audience,
  audienceColumns,
  audienceIncludes,
  audienceOf,
  audienceWith,
  personCampus,
  personJoin,
} from './audience.ts';

export type { Course, Lesson, LessonProgress, NewsItem };

type Row = Record<string, unknown>;
const n = (v: unknown) => Number(v);
const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
const nOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const toNews = (r: Row): NewsItem => ({
  id: String(r.id),
  title: String(r.title),
  body: String(r.body),
  audience: audienceOf(String(r.audienceType), s(r.audienceValue)),
  status: String(r.status) as NewsItem['status'],
  publishAtMs: n(r.publishAtMs),
  author: String(r.author),
  createdAtMs: n(r.createdAtMs),
  updatedAtMs: nOrNull(r.updatedAtMs),
  important: n(r.important) === 1,
});

const toCourse = (r: Row): Course => ({
  id: String(r.id),
  title: String(r.title),
  description: String(r.description),
  teacher: String(r.teacher),
  audience: audienceOf(String(r.audienceType), s(r.audienceValue)),
  createdAtMs: n(r.createdAtMs),
  updatedAtMs: nOrNull(r.updatedAtMs),
});

const toLesson = (r: Row): Lesson => ({
  id: String(r.id),
  courseId: String(r.courseId),
  seq: n(r.seq),
  title: String(r.title),
  videoPath: s(r.videoPath),
  videoUrl: s(r.videoUrl),
  durationSeconds: n(r.durationSeconds),
});

/** The joins' column lists, named as the models name them, so one mapper reads both. */
const newsColumns = `t.id, t.title, t.body, t.audience_type AS audienceType, t.audience_value AS audienceValue,
  t.status, t.publish_at_ms AS publishAtMs, t.author, t.created_at_ms AS createdAtMs, t.updated_at_ms AS updatedAtMs, t.important`;
const courseColumns = `t.id, t.title, t.description, t.teacher, t.audience_type AS audienceType,
  t.audience_value AS audienceValue, t.created_at_ms AS createdAtMs, t.updated_at_ms AS updatedAtMs`;
const lessonColumns = `l.id, l.course_id AS courseId, l.seq, l.title, l.video_path AS videoPath,
  l.video_url AS videoUrl, l.duration_s AS durationSeconds`;

/** The attributes an edit names (undefined: left as it is; null is a value), with the edit's time. */
function changes(values: Record<string, Param | undefined>, updatedAtMs: number): Record<string, Param> {
  const present = Object.entries(values).filter((e): e is [string, Param] => e[1] !== undefined);
  return { updatedAtMs, ...Object.fromEntries(present) };
}

/**
 * News, courses and lessons, and per-person read and playback state: rows through the Sequelize models
 * (a plain CRUD domain, docs/architecture.md); the audience-filtered lists are SQL joins against the
 * person's type, department and class.
 */
export class ContentRepository {
  constructor(
    private readonly db: Database,
    private readonly models: Models,
  ) {}

  async insertNews(item: NewsItem): Promise<void> {
    const [audienceType, audienceValue] = audienceColumns(item.audience);
    await this.models.News.create({
      id: item.id,
      title: item.title,
      body: item.body,
      audienceType,
      audienceValue,
      status: item.status,
      publishAtMs: item.publishAtMs,
      author: item.author,
      createdAtMs: item.createdAtMs,
      important: item.important ? 1 : 0,
    });
  }

  /** One item, whatever its state (the backoffice's edits start here). */
  async news(id: string): Promise<(NewsItem & { announcedAtMs: number | null }) | undefined> {
    const r = (await this.models.News.findByPk(id, { raw: true })) as Row | null;
    return r ? { ...toNews(r), announcedAtMs: nOrNull(r.announcedAtMs) } : undefined;
  }

  /**
   * Applies an edit to a published (not withdrawn) item in one conditional UPDATE. With
   * `stillScheduledAtMs` the item must also still be waiting for its time and unannounced, so a
   * publish time cannot move once readers have it. Answers whether the row changed.
   */
  async updateNews(
    id: string,
    edit: { title?: string; body?: string; audience?: Audience; publishAtMs?: number; important?: boolean },
    updatedAtMs: number,
    stillScheduledAtMs?: number,
  ): Promise<boolean> {
    const audience = edit.audience && audienceColumns(edit.audience);
    const values = changes(
      {
        title: edit.title,
        body: edit.body,
        audienceType: audience?.[0],
        audienceValue: audience ? audience[1] : undefined,
        publishAtMs: edit.publishAtMs,
        important: edit.important === undefined ? undefined : edit.important ? 1 : 0,
      },
      updatedAtMs,
    );
    const where: WhereOptions = { id, status: 'published' };
    if (stillScheduledAtMs !== undefined)
      Object.assign(where, { publishAtMs: { [Op.gt]: stillScheduledAtMs }, announcedAtMs: null });
    return updateMatched(this.models.News, values, where);
  }

  /**
   * Published, unannounced items whose time has come within the last `windowMs` (older ones, from
   * before announcing existed or a long outage, are not pushed late), oldest first.
   */
  dueAnnouncements(nowMs: number, windowMs: number, limit: number): Promise<NewsItem[]> {
    return this.publishedByTime(
      { announcedAtMs: null, publishAtMs: { [Op.lte]: nowMs, [Op.gt]: nowMs - windowMs } },
      limit,
    );
  }

  /** Claims one item's announcement: true for exactly one caller, however many race. */
  async claimAnnouncement(id: string, nowMs: number): Promise<boolean> {
    // The condition changes announced_at_ms, so a matched row is always a changed one.
    const [changed] = await this.models.News.update(
      { announcedAtMs: nowMs },
      { where: { id, announcedAtMs: null, status: 'published', publishAtMs: { [Op.lte]: nowMs } } },
    );
    return changed > 0;
  }

  /**
   * Important items whose time has come and whose readers' messages are not all queued yet (sql/083),
   * oldest first.
   */
  importantDue(nowMs: number, limit: number): Promise<NewsItem[]> {
    return this.publishedByTime(
      { important: 1, messagesQueuedAtMs: null, publishAtMs: { [Op.lte]: nowMs } },
      limit,
    );
  }

  /** Published items that match `where`, oldest publish time first (the announcing and messaging runs). */
  private async publishedByTime(where: WhereOptions, limit: number): Promise<NewsItem[]> {
    const rows = (await this.models.News.findAll({
      where: { ...where, status: 'published' },
      order: [
        ['publishAtMs', 'ASC'],
        ['id', 'ASC'],
      ],
      limit,
      raw: true,
    })) as unknown as Row[];
    return rows.map(toNews);
  }

  /** Records that every reader's message of an important item is queued. */
  async markMessagesQueued(id: string, nowMs: number): Promise<void> {
    await this.models.News.update({ messagesQueuedAtMs: nowMs }, { where: { id, messagesQueuedAtMs: null } });
  }

  async setNewsStatus(id: string, status: NewsItem['status']): Promise<boolean> {
    return updateMatched(this.models.News, { status }, { id });
  }

  /** Published news the person may see, published by nowMs, newest first, with the person's read mark. */
  async newsFor(
    personNo: string,
    nowMs: number,
    page: { limit: number; before?: { atMs: number; id: string }; id?: string },
  ): Promise<(NewsItem & { readAtMs: number | null })[]> {
    const params: Param[] = [personNo, personNo, nowMs];
    let where = `t.status = 'published' AND t.publish_at_ms <= ? AND ${audienceIncludes}`;
    if (page.id !== undefined) {
      where += ' AND t.id = ?';
      params.push(page.id);
    }
    if (page.before) {
      where += ' AND (t.publish_at_ms < ? OR (t.publish_at_ms = ? AND t.id < ?))';
      params.push(page.before.atMs, page.before.atMs, page.before.id);
    }
    params.push(page.limit);
    const rows = await this.db.select<Row>(
      `${audienceWith} SELECT ${newsColumns}, r.read_at_ms FROM news t ${personJoin}
         LEFT JOIN news_reads r ON r.news_id = t.id AND r.person_no = ?
        WHERE ${where} ORDER BY t.publish_at_ms DESC, t.id DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => ({ ...toNews(r), readAtMs: r.read_at_ms === null ? null : n(r.read_at_ms) }));
  }

  /** Every item, scheduled, published or withdrawn, newest publish time first (the backoffice's list). */
  async allNews(limit: number): Promise<NewsItem[]> {
    const rows = (await this.models.News.findAll({
      order: [
        ['publishAtMs', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
      raw: true,
    })) as unknown as Row[];
    return rows.map(toNews);
  }

  /** Every course, newest first (the backoffice's list). */
  async allCourses(limit: number): Promise<Course[]> {
    const rows = (await this.models.Course.findAll({
      order: [
        ['createdAtMs', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
      raw: true,
    })) as unknown as Row[];
    return rows.map(toCourse);
  }

  /** Marks an item read once; a second mark keeps the first time. */
  async markRead(newsId: string, personNo: string, atMs: number): Promise<void> {
    try {
      await this.models.NewsRead.create({ newsId, personNo, readAtMs: atMs });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async insertCourse(course: Course): Promise<void> {
    const [audienceType, audienceValue] = audienceColumns(course.audience);
    await this.models.Course.create({
      id: course.id,
      title: course.title,
      description: course.description,
      teacher: course.teacher,
      audienceType,
      audienceValue,
      createdAtMs: course.createdAtMs,
    });
  }

  async insertLesson(lesson: Lesson, createdAtMs: number): Promise<void> {
    await this.models.Lesson.create({ ...lesson, createdAtMs });
  }

  async course(courseId: string): Promise<Course | undefined> {
    const r = (await this.models.Course.findByPk(courseId, { raw: true })) as Row | null;
    return r ? toCourse(r) : undefined;
  }

  async updateCourse(
    courseId: string,
    edit: { title?: string; description?: string; teacher?: string; audience?: Audience },
    updatedAtMs: number,
  ): Promise<boolean> {
    const audience = edit.audience && audienceColumns(edit.audience);
    const values = changes(
      {
        title: edit.title,
        description: edit.description,
        teacher: edit.teacher,
        audienceType: audience?.[0],
        audienceValue: audience ? audience[1] : undefined,
      },
      updatedAtMs,
    );
    return updateMatched(this.models.Course, values, { id: courseId });
  }

  /** Edits a lesson; a seq another lesson of the course has fails on the unique key (caller maps it). */
  async updateLesson(
    lessonId: string,
    edit: {
      seq?: number;
      title?: string;
      video?: { path: string | null; url: string | null };
      durationSeconds?: number;
    },
    updatedAtMs: number,
  ): Promise<boolean> {
    const values = changes(
      {
        seq: edit.seq,
        title: edit.title,
        videoPath: edit.video ? edit.video.path : undefined,
        videoUrl: edit.video ? edit.video.url : undefined,
        durationSeconds: edit.durationSeconds,
      },
      updatedAtMs,
    );
    return updateMatched(this.models.Lesson, values, { id: lessonId });
  }

  /** Removes a lesson and everyone's place in it; false when there was no such lesson. */
  async deleteLesson(lessonId: string): Promise<boolean> {
    // SQLite takes its write lock at BEGIN, as db.transaction does, so two writers never deadlock on the upgrade.
    const options = this.db.dialect === 'sqlite' ? { type: Transaction.TYPES.IMMEDIATE } : {};
    return this.db.sequelize.transaction(options, async (transaction) => {
      await this.models.LessonProgress.destroy({ where: { lessonId }, transaction });
      return (await this.models.Lesson.destroy({ where: { id: lessonId }, transaction })) > 0;
    });
  }

  /**
   * Who a person is, as audiences see it: type, department, class, grade and campus; undefined for no
   * such person.
   */
  async audienceProfile(personNo: string): Promise<AudienceProfile | undefined> {
    const rows = await this.db.select<Row>(
      `${audienceWith} SELECT p.type, p.department, sp.class_code, sp.enrol_year, ${personCampus} AS campus_id
         FROM persons p LEFT JOIN sync_people sp ON sp.person_no = p.person_no WHERE p.person_no = ?`,
      [personNo],
    );
    const r = rows[0];
    return r
      ? {
          personType: String(r.type),
          department: s(r.department),
          classCode: s(r.class_code),
          enrolYear: r.enrol_year === null || r.enrol_year === undefined ? null : Number(r.enrol_year),
          campusId: s(r.campus_id),
        }
      : undefined;
  }

  async coursesFor(personNo: string, courseId?: string): Promise<Course[]> {
    const params: Param[] = [personNo];
    let where = audienceIncludes;
    if (courseId !== undefined) {
      where += ' AND t.id = ?';
      params.push(courseId);
    }
    const rows = await this.db.select<Row>(
      `${audienceWith} SELECT ${courseColumns} FROM courses t ${personJoin} WHERE ${where} ORDER BY t.created_at_ms DESC, t.id DESC LIMIT 200`,
      params,
    );
    return rows.map(toCourse);
  }

  async courseExists(courseId: string): Promise<boolean> {
    return (await this.models.Course.count({ where: { id: courseId } })) > 0;
  }

  async lessons(
    courseId: string,
    personNo: string,
  ): Promise<(Lesson & { progress: LessonProgress | null })[]> {
    const rows = await this.db.select<Row>(
      `SELECT ${lessonColumns}, g.position_s, g.completed, g.updated_at_ms FROM lessons l
         LEFT JOIN lesson_progress g ON g.lesson_id = l.id AND g.person_no = ?
        WHERE l.course_id = ? ORDER BY l.seq`,
      [personNo, courseId],
    );
    return rows.map((r) => ({
      ...toLesson(r),
      progress:
        r.position_s === null || r.position_s === undefined
          ? null
          : {
              positionSeconds: n(r.position_s),
              completed: n(r.completed) === 1,
              updatedAtMs: n(r.updated_at_ms),
            },
    }));
  }

  async lesson(lessonId: string): Promise<Lesson | undefined> {
    const r = (await this.models.Lesson.findByPk(lessonId, { raw: true })) as Row | null;
    return r ? toLesson(r) : undefined;
  }

  /** Stores where the person is in a lesson; completion, once reached, stays. */
  async saveProgress(lessonId: string, personNo: string, progress: LessonProgress): Promise<void> {
    const where = { lessonId, personNo };
    const values = {
      positionSeconds: progress.positionSeconds,
      // Completion once reached stays: an incomplete save keeps the stored flag.
      completed: progress.completed ? 1 : col('completed'),
      updatedAtMs: progress.updatedAtMs,
    };
    if (await updateMatched(this.models.LessonProgress, values, where)) return;
    try {
      await this.models.LessonProgress.create({ ...where, ...values, completed: progress.completed ? 1 : 0 });
    } catch (error) {
      // Two saves raced to make the row: the other made it, so this one updates it.
      if (!isDuplicateKey(error)) throw error;
      await this.models.LessonProgress.update(values, { where });
    }
  }
}
