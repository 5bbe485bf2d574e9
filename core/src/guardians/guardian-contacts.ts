import { createHmac } from 'node:crypto';
import type { Database, Statement } from '../db/database.ts';

/**
 * A student's guardian on record (监护人, sql/150): name and phone as the academic-affairs database has
 * them, sealed under PII_KEY, with a keyed digest of the phone. The identity sync writes them with the
 * student's row (guardianContactWrites, in its own transaction); messages read them to text a guardian
 * who has no parent account in the app (docs/messages.md § Guardians without the app).
 */
export interface SealedGuardianContact {
  nameEnc: string | null;
  phoneEnc: string;
  phoneDigest: string;
}

/** The HMAC key of guardians' phone digests, derived from the PII key (never the key itself). */
export function guardianPhoneDigester(piiKeyHex: string): (phone: string) => string {
  const key = createHmac('sha256', Buffer.from(piiKeyHex, 'hex')).update('guardian phone digest').digest();
  return (phone) => createHmac('sha256', key).update(phone).digest('hex');
}

export const guardianContactWrites = {
  /** Sets (or, where null, removes) the guardian on record of each person, as statements of the caller's transaction. */
  replace(
    contacts: readonly { personId: string; contact: SealedGuardianContact | null }[],
    nowMs: number,
  ): Statement[] {
    if (contacts.length === 0) return [];
    const ids = contacts.map((c) => c.personId);
    const statements: Statement[] = [
      {
        sql: `DELETE FROM guardian_contacts WHERE person_id IN (${ids.map(() => '?').join(', ')})`,
        params: ids,
      },
    ];
    const present = contacts.filter(
      (c): c is { personId: string; contact: SealedGuardianContact } => c.contact !== null,
    );
    if (present.length > 0)
      statements.push({
        sql: `INSERT INTO guardian_contacts (person_id, name_enc, phone_enc, phone_digest, updated_at_ms) VALUES ${present
          .map(() => '(?, ?, ?, ?, ?)')
          .join(', ')}`,
        params: present.flatMap((c) => [
          c.personId,
          c.contact.nameEnc,
          c.contact.phoneEnc,
          c.contact.phoneDigest,
          nowMs,
        ]),
      });
    return statements;
  },
};

export class GuardianContactRepository {
  constructor(private readonly db: Database) {}

  /** The guardian on record of a person, sealed as stored; undefined when the record names none. */
  async ofPerson(personId: string): Promise<SealedGuardianContact | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT name_enc, phone_enc, phone_digest FROM guardian_contacts WHERE person_id = ?',
      [personId],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      nameEnc: r.name_enc === null ? null : String(r.name_enc),
      phoneEnc: String(r.phone_enc),
      phoneDigest: String(r.phone_digest),
    };
  }
}
