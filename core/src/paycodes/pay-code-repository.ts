import type { Database } from '../db/database.ts';

/** A card's numeric-code row: the code id and sealed secret made for one card version. */
export interface PayCodeRow {
  codeId: number;
  cardNo: string;
  cardVersion: number;
  secretEnc: string;
}

/** The row a scanned code id names, with what its card is now (to refuse a superseded or lost card). */
export interface PayCodeLookup extends PayCodeRow {
  cardStatus: 'active' | 'lost' | 'frozen' | 'cancelled';
  currentVersion: number;
  personType: string;
}

export class PayCodeRepository {
  constructor(private readonly db: Database) {}

  async forCardVersion(cardNo: string, cardVersion: number): Promise<PayCodeRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT code_id, card_no, card_version, secret_enc FROM pay_codes WHERE card_no = ? AND card_version = ?',
      [cardNo, cardVersion],
    );
    const r = rows[0];
    return r === undefined ? undefined : rowOf(r);
  }

  /** Inserts; a duplicate key (code id taken, or the version already has a row) throws for the caller. */
  async insert(row: PayCodeRow): Promise<void> {
    await this.db.execute(
      'INSERT INTO pay_codes (code_id, card_no, card_version, secret_enc, created_at_ms) VALUES (?, ?, ?, ?, ?)',
      [row.codeId, row.cardNo, row.cardVersion, row.secretEnc, Date.now()],
    );
  }

  async lookup(codeId: number): Promise<PayCodeLookup | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT pc.code_id, pc.card_no, pc.card_version, pc.secret_enc, c.status, c.version, p.type
         FROM pay_codes pc
         JOIN cards c ON c.card_no = pc.card_no
         JOIN persons p ON p.id = c.person_id
        WHERE pc.code_id = ?`,
      [codeId],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      ...rowOf(r),
      cardStatus: r.status as PayCodeLookup['cardStatus'],
      currentVersion: Number(r.version),
      personType: String(r.type),
    };
  }
}

function rowOf(r: Record<string, unknown>): PayCodeRow {
  return {
    codeId: Number(r.code_id),
    cardNo: String(r.card_no),
    cardVersion: Number(r.card_version),
    secretEnc: String(r.secret_enc),
  };
}
