import type { Database } from '../db/database.ts';

/**
 * kiosk_id_index (sql/063), the kiosks' own table, and the reads of persons and cards that keep it and
 * use it. Nothing here writes a person or a card.
 */
export class KioskIdentityRepository {
  constructor(private readonly db: Database) {}

  /** Persons whose sealed ID number has no index row, or another one than the row was made from. */
  async stale(limit: number): Promise<{ personId: string; idNumberEnc: string }[]> {
    const rows = await this.db.select<{ id: string; id_number_enc: string }>(
      `SELECT p.id, p.id_number_enc FROM persons p LEFT JOIN kiosk_id_index k ON k.person_id = p.id
        WHERE p.id_number_enc IS NOT NULL AND (k.person_id IS NULL OR k.source_enc <> p.id_number_enc)
        ORDER BY p.id LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({ personId: String(r.id), idNumberEnc: String(r.id_number_enc) }));
  }

  async save(rows: readonly { personId: string; idHash: string; sourceEnc: string }[], nowMs: number) {
    if (rows.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const r of rows) {
        await this.db.execute('DELETE FROM kiosk_id_index WHERE person_id = ?', [r.personId], tx);
        await this.db.execute(
          'INSERT INTO kiosk_id_index (person_id, id_hash, source_enc, updated_at_ms) VALUES (?, ?, ?, ?)',
          [r.personId, r.idHash, r.sourceEnc, nowMs],
          tx,
        );
      }
    });
  }

  /** Rows of persons whose ID number is gone: they no longer identify anyone. */
  async dropOrphans(): Promise<void> {
    await this.db.execute(
      `DELETE FROM kiosk_id_index WHERE NOT EXISTS (
         SELECT 1 FROM persons p WHERE p.id = kiosk_id_index.person_id AND p.id_number_enc IS NOT NULL)`,
    );
  }

  /**
   * The cards, not cancelled, of the persons whose current ID number hashes to idHash (a stale row, made
   * from an ID number since replaced, matches nobody).
   */
  async cardsOf(idHash: string): Promise<{ cardNo: string; personId: string }[]> {
    const rows = await this.db.select<{ card_no: string; person_id: string }>(
      `SELECT c.card_no, c.person_id FROM kiosk_id_index k
         JOIN persons p ON p.id = k.person_id AND p.id_number_enc = k.source_enc
         JOIN cards c ON c.person_id = p.id AND c.status <> 'cancelled'
        WHERE k.id_hash = ? ORDER BY c.card_no LIMIT 3`,
      [idHash],
    );
    return rows.map((r) => ({ cardNo: String(r.card_no), personId: String(r.person_id) }));
  }
}
