import type { Notice } from '../contract/notices.ts';
import type { Database, Param } from '../db/database.ts';

export type { Notice };

const chunkMax = 500;

/** The notifications table (sql/003): written once per id, read newest first per person. */
export class NoticeRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the notices whose ids are not there yet; a rerun or a racing instance adds nothing. */
  async insertMissing(notices: readonly Notice[]): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    for (let i = 0; i < notices.length; i += chunkMax) {
      const chunk = notices.slice(i, i + chunkMax);
      const params: Param[] = [];
      for (const n of chunk)
        params.push(
          n.id,
          n.personId,
          n.kind,
          n.title,
          n.body,
          n.data ? JSON.stringify(n.data) : null,
          n.createdAtMs,
        );
      await this.db.execute(
        `${ignore} INTO notifications (id, person_id, kind, title, body, data, created_at_ms)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        params,
      );
    }
  }

  /** People who already have a notice of this kind. */
  async personsWithKind(kind: string): Promise<Set<string>> {
    const rows = await this.db.select<{ person_id: string }>(
      'SELECT person_id FROM notifications WHERE kind = ?',
      [kind],
    );
    return new Set(rows.map((r) => r.person_id));
  }

  async forPerson(personId: string, limit: number): Promise<Notice[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT id, person_id, kind, title, body, data, created_at_ms FROM notifications
        WHERE person_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
      [personId, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      personId: String(r.person_id),
      kind: String(r.kind),
      title: String(r.title),
      body: String(r.body),
      data: r.data === null ? null : (JSON.parse(String(r.data)) as Record<string, unknown>),
      createdAtMs: Number(r.created_at_ms),
    }));
  }
}
