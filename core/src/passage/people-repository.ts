// The people facts passage rules are compiled against (who has a live card, their type, department,
// class, dorm room and passage roles), and a fingerprint that moves whenever they may have. Reads of
// other domains' tables (persons, cards, sync_people) are read-only joins.

import type { PassagePersonType } from '../contract/passage.ts';
import type { Database, Param } from '../db/database.ts';
import type { PersonFacts } from './rule-table.ts';

type Row = Record<string, unknown>;

const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The credential's person types; a parent's card reads as a visitor (as the gateway maps it). */
function passageType(type: string): PassagePersonType {
  return type === 'student' || type === 'staff' || type === 'alumnus' ? type : 'visitor';
}

export class PeopleRepository {
  constructor(private readonly db: Database) {}

  /**
   * What the people facts are read from, in one line: live cards (opened or cancelled), persons (type,
   * department) and the sync's rows (class). Counts with the latest change, so any insert, cancel or
   * update moves it; payments do not touch these columns.
   */
  async fingerprint(): Promise<string> {
    const rows = await this.db.select<Row>(
      `SELECT (SELECT COUNT(*) FROM cards WHERE status <> 'cancelled') AS cn,
              (SELECT MAX(created_at_ms) FROM cards) AS cm,
              (SELECT COUNT(*) FROM persons) AS pn,
              (SELECT MAX(updated_at_ms) FROM persons) AS pm,
              (SELECT COUNT(*) FROM sync_people) AS sn,
              (SELECT MAX(synced_at_ms) FROM sync_people) AS sm`,
    );
    const r = rows[0] ?? {};
    return [r.cn, r.cm, r.pn, r.pm, r.sn, r.sm]
      .map((v) => (v === null || v === undefined ? '-' : String(v)))
      .join(':');
  }

  /** What rules may name about every person with a card, for compiling tables. */
  async everyone(): Promise<PersonFacts[]> {
    return this.facts('', []);
  }

  /** The facts of the holder of a card (any of the holder's cards), or undefined for no such card. */
  async factsOfCard(cardNo: string): Promise<PersonFacts | undefined> {
    const facts = await this.facts('WHERE p.id = (SELECT c2.person_id FROM cards c2 WHERE c2.card_no = ?)', [
      cardNo,
    ]);
    return facts[0];
  }

  async factsOfPerson(personNo: string): Promise<PersonFacts | undefined> {
    return (await this.facts('WHERE p.person_no = ?', [personNo]))[0];
  }

  private async facts(where: string, params: Param[]): Promise<PersonFacts[]> {
    const rows = await this.db.select<Row>(
      `SELECT p.person_no, p.type, p.department, s.class_code, r.building_id, r.room, c.card_no
         FROM persons p
         JOIN cards c ON c.person_id = p.id AND c.status <> 'cancelled'
         LEFT JOIN sync_people s ON s.person_id = p.id
         LEFT JOIN passage_residents r ON r.person_no = p.person_no
         ${where}
        ORDER BY p.person_no, c.card_no`,
      params,
    );
    const roleRows = await this.db.select<Row>(
      where === ''
        ? 'SELECT person_no, role FROM passage_person_roles'
        : `SELECT pr.person_no, pr.role FROM passage_person_roles pr JOIN persons p ON p.person_no = pr.person_no ${where}`,
      params,
    );
    const roles = new Map<string, string[]>();
    for (const r of roleRows) {
      const list = roles.get(String(r.person_no)) ?? [];
      list.push(String(r.role));
      roles.set(String(r.person_no), list);
    }
    const out: PersonFacts[] = [];
    let last: PersonFacts | undefined;
    for (const r of rows) {
      const personNo = String(r.person_no);
      if (last?.personNo !== personNo) {
        last = {
          personNo,
          personType: passageType(String(r.type)),
          department: strOrNull(r.department),
          classCode: strOrNull(r.class_code),
          dormBuildingId: strOrNull(r.building_id),
          dormRoom: strOrNull(r.room),
          roles: roles.get(personNo) ?? [],
          cardNos: [],
        };
        out.push(last);
      }
      (last.cardNos as string[]).push(String(r.card_no));
    }
    return out;
  }
}
