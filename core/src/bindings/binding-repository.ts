import type { Binding } from '../contract/bindings.ts';
import type { Database } from '../db/database.ts';

/**
 * The app an account signed in through: Alipay subjects carry the `ali-` namespace the BFF gives
 * them (bff/src/services/alipay-login.ts), campus single sign-on accounts `sso-`
 * (bff/src/services/sso.ts), every other account is a WeChat openid.
 */
export type { Binding };
export type BindingChannel = 'wechat' | 'alipay' | 'sso';
export const channelOf = (openid: string): BindingChannel =>
  openid.startsWith('ali-') ? 'alipay' : openid.startsWith('sso-') ? 'sso' : 'wechat';

/** What a binding check needs of a person: never the ID number itself, only its sealed form. */
export interface PersonForBinding {
  personId: string;
  name: string;
  personStatus: string;
  cardNo: string;
  cardStatus: string;
  idNumberEnc: string | null;
  digest: string | null;
  sealedDigest: string | null;
}

export class BindingRepository {
  constructor(private readonly db: Database) {}

  async personByNo(personNo: string): Promise<PersonForBinding | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT p.id, p.name, p.status AS person_status, p.id_number_enc, c.card_no, c.status AS card_status,
              s.digest, s.sealed_digest
         FROM persons p
         JOIN cards c ON c.person_id = p.id
         LEFT JOIN person_secrets s ON s.person_id = p.id
        WHERE p.person_no = ?`,
      [personNo],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      personId: String(r.id),
      name: String(r.name),
      personStatus: String(r.person_status),
      cardNo: String(r.card_no),
      cardStatus: String(r.card_status),
      idNumberEnc: r.id_number_enc === null ? null : String(r.id_number_enc),
      digest: r.digest === null ? null : String(r.digest),
      sealedDigest: r.sealed_digest === null ? null : String(r.sealed_digest),
    };
  }

  /** Stores (or replaces) a person's secret digest; either dialect, one statement each. */
  async saveSecret(personId: string, digest: string, sealedDigest: string): Promise<void> {
    const now = Date.now();
    const updated = await this.db.execute(
      'UPDATE person_secrets SET digest = ?, sealed_digest = ?, updated_at_ms = ? WHERE person_id = ?',
      [digest, sealedDigest, now, personId],
    );
    if (updated === 1) return;
    try {
      await this.db.execute(
        'INSERT INTO person_secrets (person_id, digest, sealed_digest, updated_at_ms) VALUES (?, ?, ?, ?)',
        [personId, digest, sealedDigest, now],
      );
    } catch {
      // Another check stored it at the same moment from the same sealed value: nothing to add.
    }
  }

  /**
   * Inserts the binding; the primary key refuses a second person for the account, the unique
   * (person, channel) index a second account of the same app for the person (sql/024).
   */
  async insert(openid: string, personId: string, cardNo: string): Promise<void> {
    await this.db.execute(
      'INSERT INTO wechat_bindings (openid, channel, person_id, card_no, created_at_ms) VALUES (?, ?, ?, ?, ?)',
      [openid, channelOf(openid), personId, cardNo, Date.now()],
    );
  }

  async byOpenid(openid: string): Promise<Binding | undefined> {
    return this.one('b.openid = ?', openid);
  }

  /** The person's binding in one app (WeChat or Alipay); the other app may hold its own. */
  async byPerson(personId: string, channel: BindingChannel): Promise<Binding | undefined> {
    return this.one('b.person_id = ? AND b.channel = ?', personId, channel);
  }

  /** Deletes the binding; answers whether there was one. */
  async remove(openid: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM wechat_bindings WHERE openid = ?', [openid])) === 1;
  }

  private async one(where: string, ...values: string[]): Promise<Binding | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT b.openid, b.person_id, p.person_no, b.card_no, b.created_at_ms
         FROM wechat_bindings b JOIN persons p ON p.id = b.person_id
        WHERE ${where}`,
      values,
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      openid: String(r.openid),
      personId: String(r.person_id),
      personNo: String(r.person_no),
      cardNo: String(r.card_no),
      createdAtMs: Number(r.created_at_ms),
    };
  }
}
