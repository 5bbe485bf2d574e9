import type { Database, Statement } from '../db/database.ts';

/** A person's fields as a source system keeps them (the sealed PII as stored). */
export interface PersonFields {
  personId: string;
  name: string;
  type: string;
  department: string | null;
  status: string;
  idNumberEnc: string | null;
  phoneEnc: string | null;
}

/**
 * The cards domain's writes to persons made by the identity sync, as statements the sync runs in its
 * own transaction with its own rows (a page applies all or none).
 */
export const personWrites = {
  /** One bulk UPDATE of many persons' fields (joined to a derived table: linear in the rows). */
  update(db: Database, people: readonly PersonFields[], nowMs: number): Statement {
    return db.bulkUpdate(
      'persons',
      'id',
      ['name', 'type', 'department', 'status', 'id_number_enc', 'phone_enc', 'updated_at_ms'],
      people.map((p) => [
        p.personId,
        p.name,
        p.type,
        p.department,
        p.status,
        p.idNumberEnc,
        p.phoneEnc,
        nowMs,
      ]),
      [
        ['name', 'd.name'],
        ['type', 'd.type'],
        ['department', 'd.department'],
        ['status', 'd.status'],
        ['id_number_enc', 'd.id_number_enc'],
        ['phone_enc', 'd.phone_enc'],
        ['updated_at_ms', 'd.updated_at_ms'],
      ],
    );
  },

  setStatus(personId: string, status: string, nowMs: number): Statement {
    return {
      sql: 'UPDATE persons SET status = ?, updated_at_ms = ? WHERE id = ?',
      params: [status, nowMs, personId],
    };
  },
};
