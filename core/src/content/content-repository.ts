import type { Course, Lesson, LessonProgress, NewsItem } from '../contract/content.ts';
import { type Database, isDuplicateKey, type Param } from '../db/database.ts';
import { type Audience, audienceColumns, audienceIncludes, audienceOf, personJoin } from './audience.ts';

export type { Course, Lesson, LessonProgress, NewsItem };

type Row = Record<string, unknown>;
const n = (v: unknown) => Number(v);
const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
const nOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const toNews = (r: Row): NewsItem => ({
  id: String(r.id),
  title: String(r.title),
  body: String(r.body),
  audience: audienceOf(String(r.audience_type), s(r.audience_value)),
  status: String(r.status) as NewsItem['status'],
  publishAtMs: n(r.publish_at_ms),
  author: String(r.author),
  createdAtMs: n(r.created_at_ms),
  updatedAtMs: nOrNull(r.updated_at_ms),
});

const toCourse = (r: Row): Course => ({
  id: String(r.id),
  title: String(r.title),
  description: String(r.description),
  teacher: String(r.teacher),
  audience: audienceOf(String(r.audience_type), s(r.audience_value)),
  createdAtMs: n(r.created_at_ms),
  updatedAtMs: nOrNull(r.updated_at_ms),
});

const toLesson = (r: Row): Lesson => ({
  id: String(r.id),
  courseId: String(r.course_id),
  seq: n(r.seq),
  title: String(r.title),
  videoPath: s(r.video_path),
  videoUrl: s(r.video_url),
  durationSeconds: n(r.duration_s),
});

/**
 * `updated_at_ms = ?, col = ?, …` for the columns an edit names (undefined: left as it is; null is a
 * value). Column names come from this file only, never from input.
 */
function setClause(
  columns: readonly [string, Param | undefined][],
  updatedAtMs: number,
): { sql: string; params: Param[] } {
  const present = columns.filter((c): c is [string, Param] => c[1] !== undefined);
  return {
    sql: ['updated_at_ms = ?', ...present.map(([column]) => `${column} = ?`)].join(', '),
    params: [updatedAtMs, ...present.map(([, value]) => value)],
  };
}

/** News, courses and lessons, and per-person read and playback state. */
export class ContentRepository {
  constructor(private readonly db: Database) {}

  async insertNews(item: NewsItem): Promise<void> {
    const [type, value] = audienceColumns(item.audience);
    await this.db.execute(
      `INSERT INTO news (id, title, body, audience_type, audience_value, status, publish_at_ms, author, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        item.id,
        item.title,
        item.body,
        type,
        value,
        item.status,
        item.publishAtMs,
        item.author,
        item.createdAtMs,
      ],
    );
  }

  /** One item, whatever its state (the backoffice's edits start here). */
  async news(id: string): Promise<(NewsItem & { announcedAtMs: number | null }) | undefined> {
    const rows = await this.db.select<Row>('SELECT * FROM news WHERE id = ?', [id]);
    return rows[0] ? { ...toNews(rows[0]), announcedAtMs: nOrNull(rows[0].announced_at_ms) } : undefined;
  }

  /**
   * Applies an edit to a published (not withdrawn) item in one conditional UPDATE. With
   * `stillScheduledAtMs` the item must also still be waiting for its time and unannounced, so a
   * publish time cannot move once readers have it. Answers whether the row changed.
   */
  async updateNews(
    id: string,
    edit: { title?: string; body?: string; audience?: Audience; publishAtMs?: number },
    updatedAtMs: number,
    stillScheduledAtMs?: number,
  ): Promise<boolean> {
    const audience = edit.audience && audienceColumns(edit.audience);
    const set = setClause(
      [
        ['title', edit.title],
        ['body', edit.body],
        ['audience_type', audience?.[0]],
        ['audience_value', audience ? audience[1] : undefined],
        ['publish_at_ms', edit.publishAtMs],
      ],
      updatedAtMs,
    );
    const params = set.params;
    let where = "id = ? AND status = 'published'";
    params.push(id);
    if (stillScheduledAtMs !== undefined) {
      where += ' AND publish_at_ms > ? AND announced_at_ms IS NULL';
      params.push(stillScheduledAtMs);
    }
    return (await this.db.execute(`UPDATE news SET ${set.sql} WHERE ${where}`, params)) > 0;
  }

  /**
   * Published, unannounced items whose time has come within the last `windowMs` (older ones, from
   * before announcing existed or a long outage, are not pushed late), oldest first.
   */
  async dueAnnouncements(nowMs: number, windowMs: number, limit: number): Promise<NewsItem[]> {
    const rows = await this.db.select<Row>(
      `SELECT * FROM news WHERE announced_at_ms IS NULL AND publish_at_ms <= ? AND publish_at_ms > ?
          AND status = 'published' ORDER BY publish_at_ms, id LIMIT ?`,
      [nowMs, nowMs - windowMs, limit],
    );
    return rows.map(toNews);
  }

  /** Claims one item's announcement: true for exactly one caller, however many race. */
  async claimAnnouncement(id: string, nowMs: number): Promise<boolean> {
    return (
      (await this.db.execute(
        `UPDATE news SET announced_at_ms = ? WHERE id = ? AND announced_at_ms IS NULL
            AND status = 'published' AND publish_at_ms <= ?`,
        [nowMs, id, nowMs],
      )) > 0
    );
  }

  async setNewsStatus(id: string, status: NewsItem['status']): Promise<boolean> {
    return (await this.db.execute('UPDATE news SET status = ? WHERE id = ?', [status, id])) > 0;
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
      `SELECT t.*, r.read_at_ms FROM news t ${personJoin}
         LEFT JOIN news_reads r ON r.news_id = t.id AND r.person_no = ?
        WHERE ${where} ORDER BY t.publish_at_ms DESC, t.id DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => ({ ...toNews(r), readAtMs: r.read_at_ms === null ? null : n(r.read_at_ms) }));
  }

  /** Every item, scheduled, published or withdrawn, newest publish time first (the backoffice's list). */
  async allNews(limit: number): Promise<NewsItem[]> {
    const rows = await this.db.select<Row>(
      'SELECT * FROM news ORDER BY publish_at_ms DESC, id DESC LIMIT ?',
      [limit],
    );
    return rows.map(toNews);
  }

  /** Every course, newest first (the backoffice's list). */
  async allCourses(limit: number): Promise<Course[]> {
    const rows = await this.db.select<Row>(
      'SELECT * FROM courses ORDER BY created_at_ms DESC, id DESC LIMIT ?',
      [limit],
    );
    return rows.map(toCourse);
  }

  /** Marks an item read once; a second mark keeps the first time. */
  async markRead(newsId: string, personNo: string, atMs: number): Promise<void> {
    try {
      await this.db.execute('INSERT INTO news_reads (news_id, person_no, read_at_ms) VALUES (?, ?, ?)', [
        newsId,
        personNo,
        atMs,
      ]);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async insertCourse(course: Course): Promise<void> {
    const [type, value] = audienceColumns(course.audience);
    await this.db.execute(
      `INSERT INTO courses (id, title, description, teacher, audience_type, audience_value, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [course.id, course.title, course.description, course.teacher, type, value, course.createdAtMs],
    );
  }

  async insertLesson(lesson: Lesson, createdAtMs: number): Promise<void> {
    await this.db.execute(
      `INSERT INTO lessons (id, course_id, seq, title, video_path, video_url, duration_s, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        lesson.id,
        lesson.courseId,
        lesson.seq,
        lesson.title,
        lesson.videoPath,
        lesson.videoUrl,
        lesson.durationSeconds,
        createdAtMs,
      ],
    );
  }

  async course(courseId: string): Promise<Course | undefined> {
    const rows = await this.db.select<Row>('SELECT * FROM courses WHERE id = ?', [courseId]);
    return rows[0] ? toCourse(rows[0]) : undefined;
  }

  async updateCourse(
    courseId: string,
    edit: { title?: string; description?: string; teacher?: string; audience?: Audience },
    updatedAtMs: number,
  ): Promise<boolean> {
    const audience = edit.audience && audienceColumns(edit.audience);
    const set = setClause(
      [
        ['title', edit.title],
        ['description', edit.description],
        ['teacher', edit.teacher],
        ['audience_type', audience?.[0]],
        ['audience_value', audience ? audience[1] : undefined],
      ],
      updatedAtMs,
    );
    return (
      (await this.db.execute(`UPDATE courses SET ${set.sql} WHERE id = ?`, [...set.params, courseId])) > 0
    );
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
    const set = setClause(
      [
        ['seq', edit.seq],
        ['title', edit.title],
        ['video_path', edit.video ? edit.video.path : undefined],
        ['video_url', edit.video ? edit.video.url : undefined],
        ['duration_s', edit.durationSeconds],
      ],
      updatedAtMs,
    );
    return (
      (await this.db.execute(`UPDATE lessons SET ${set.sql} WHERE id = ?`, [...set.params, lessonId])) > 0
    );
  }

  /** Removes a lesson and everyone's place in it; false when there was no such lesson. */
  async deleteLesson(lessonId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.db.execute('DELETE FROM lesson_progress WHERE lesson_id = ?', [lessonId], tx);
      return (await this.db.execute('DELETE FROM lessons WHERE id = ?', [lessonId], tx)) > 0;
    });
  }

  /** Who a person is, as audiences see it: type, department and class; undefined for no such person. */
  async audienceProfile(
    personNo: string,
  ): Promise<{ personType: string; department: string | null; classCode: string | null } | undefined> {
    const rows = await this.db.select<Row>(
      `SELECT p.type, p.department, sp.class_code FROM persons p
         LEFT JOIN sync_people sp ON sp.person_no = p.person_no WHERE p.person_no = ?`,
      [personNo],
    );
    const r = rows[0];
    return r
      ? { personType: String(r.type), department: s(r.department), classCode: s(r.class_code) }
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
      `SELECT t.* FROM courses t ${personJoin} WHERE ${where} ORDER BY t.created_at_ms DESC, t.id DESC LIMIT 200`,
      params,
    );
    return rows.map(toCourse);
  }

  async courseExists(courseId: string): Promise<boolean> {
    return (await this.db.select('SELECT id FROM courses WHERE id = ?', [courseId])).length > 0;
  }

  async lessons(
    courseId: string,
    personNo: string,
  ): Promise<(Lesson & { progress: LessonProgress | null })[]> {
    const rows = await this.db.select<Row>(
      `SELECT l.*, g.position_s, g.completed, g.updated_at_ms FROM lessons l
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
    const rows = await this.db.select<Row>('SELECT * FROM lessons WHERE id = ?', [lessonId]);
    return rows[0] ? toLesson(rows[0]) : undefined;
  }

  /** Stores where the person is in a lesson; completion, once reached, stays. */
  async saveProgress(lessonId: string, personNo: string, progress: LessonProgress): Promise<void> {
    const update = () =>
      this.db.execute(
        `UPDATE lesson_progress SET position_s = ?, completed = CASE WHEN completed = 1 THEN 1 ELSE ? END, updated_at_ms = ?
          WHERE lesson_id = ? AND person_no = ?`,
        [progress.positionSeconds, progress.completed ? 1 : 0, progress.updatedAtMs, lessonId, personNo],
      );
    if ((await update()) > 0) return;
    try {
      await this.db.execute(
        'INSERT INTO lesson_progress (lesson_id, person_no, position_s, completed, updated_at_ms) VALUES (?, ?, ?, ?, ?)',
        [lessonId, personNo, progress.positionSeconds, progress.completed ? 1 : 0, progress.updatedAtMs],
      );
    } catch (error) {
      // Two saves raced to make the row: the other made it, so this one updates it.
      if (!isDuplicateKey(error)) throw error;
      await update();
    }
  }
}
