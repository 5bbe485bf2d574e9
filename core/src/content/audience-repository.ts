import type { AudienceOption, AudienceOptions } from '../contract/content.ts';
import type { Database } from '../db/database.ts';
import { type Audience, audienceColumns, audienceIncludes, audienceWith } from './audience.ts';

/**
 * Who an audience reaches, read from the people the card system knows (persons, and sync_people for
 * the classes and grades the identity sync brings, and the dorm residents for campuses): what the backoffice's targeting picker lists, and
 * the count it shows before an item is published. Reads only.
 */
export class AudienceRepository {
  constructor(private readonly db: Database) {}

  async options(): Promise<AudienceOptions> {
    const departments = await this.db.select<{ value: string; people: number | string }>(
      `SELECT department AS value, COUNT(*) AS people FROM persons
        WHERE status = 'active' AND department IS NOT NULL
        GROUP BY department ORDER BY department`,
      [],
    );
    const classes = await this.db.select<{ value: string; people: number | string }>(
      `SELECT sp.class_code AS value, COUNT(*) AS people
         FROM sync_people sp JOIN persons p ON p.person_no = sp.person_no
        WHERE p.status = 'active' AND sp.class_code IS NOT NULL
        GROUP BY sp.class_code ORDER BY sp.class_code`,
      [],
    );
    // Grades (年级): active students by the enrolment year the sync brought, newest first.
    const grades = await this.db.select<{ value: number | string; people: number | string }>(
      `SELECT sp.enrol_year AS value, COUNT(*) AS people
         FROM sync_people sp JOIN persons p ON p.person_no = sp.person_no
        WHERE p.status = 'active' AND p.type = 'student' AND sp.enrol_year IS NOT NULL
        GROUP BY sp.enrol_year ORDER BY sp.enrol_year DESC`,
      [],
    );
    // Campuses (校区): active people living in a dorm building of each campus's place tree, every campus.
    const campuses = await this.db.select<{ value: string; people: number | string }>(
      `${audienceWith}
       SELECT c.id AS value, COUNT(p.id) AS people FROM campuses c
         LEFT JOIN campus_places cp ON cp.campus_id = c.id
         LEFT JOIN passage_residents r ON r.building_id = cp.place_id
         LEFT JOIN persons p ON p.person_no = r.person_no AND p.status = 'active'
        GROUP BY c.id, c.code ORDER BY c.code`,
      [],
    );
    const rows = (list: { value: number | string; people: number | string }[]): AudienceOption[] =>
      list.map((r) => ({ value: String(r.value), people: Number(r.people) }));
    return {
      departments: rows(departments),
      classes: rows(classes),
      grades: rows(grades),
      campuses: rows(campuses),
    };
  }

  /** Active people the audience includes, by the same condition the feeds filter with. */
  async count(audience: Audience): Promise<number> {
    const [type, value] = audienceColumns(audience);
    const rows = await this.db.select<{ people: number | string }>(
      `${audienceWith}
       SELECT COUNT(*) AS people
         FROM persons p LEFT JOIN sync_people sp ON sp.person_no = p.person_no
         CROSS JOIN (SELECT ? AS audience_type, ? AS audience_value) t
        WHERE p.status = 'active' AND ${audienceIncludes}`,
      [type, value],
    );
    return Number(rows[0]?.people ?? 0);
  }

  /**
   * Active people the audience includes who are bound in the WeChat or Alipay app: those an important
   * item's message can reach (docs/messages.md). Person ids, in a stable order.
   */
  async boundPeople(audience: Audience): Promise<string[]> {
    const [type, value] = audienceColumns(audience);
    const rows = await this.db.select<{ id: string }>(
      `${audienceWith}
       SELECT p.id
         FROM persons p LEFT JOIN sync_people sp ON sp.person_no = p.person_no
         CROSS JOIN (SELECT ? AS audience_type, ? AS audience_value) t
        WHERE p.status = 'active' AND ${audienceIncludes}
          AND EXISTS (SELECT 1 FROM wechat_bindings b WHERE b.person_id = p.id AND b.channel IN ('wechat', 'alipay'))
        ORDER BY p.id`,
      [type, value],
    );
    return rows.map((r) => String(r.id));
  }
}
