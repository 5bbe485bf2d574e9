import type { Campus } from '../contract/campuses.ts';
import type { Database } from '../db/database.ts';

type Row = Record<string, unknown>;

const toCampus = (r: Row): Campus => ({
  id: String(r.id),
  code: String(r.code),
  name: String(r.name),
  placeId: r.place_id === null || r.place_id === undefined ? null : String(r.place_id),
});

/**
 * Storage of the campuses table, the only table the campus domain writes. A merchant's or device's
 * campus is a column of that domain's own table, written by its repository (MerchantService.setCampus,
 * DeviceService.setCampus); the places are the passage domain's, read through PassageService.
 */
export class CampusRepository {
  constructor(private readonly db: Database) {}

  async insert(row: Campus & { createdAtMs: number }): Promise<void> {
    await this.db.execute(
      'INSERT INTO campuses (id, code, name, place_id, created_at_ms) VALUES (?, ?, ?, ?, ?)',
      [row.id, row.code, row.name, row.placeId, row.createdAtMs],
    );
  }

  async list(): Promise<Campus[]> {
    const rows = await this.db.select<Row>('SELECT id, code, name, place_id FROM campuses ORDER BY code');
    return rows.map(toCampus);
  }

  async find(id: string): Promise<Campus | undefined> {
    const rows = await this.db.select<Row>('SELECT id, code, name, place_id FROM campuses WHERE id = ?', [
      id,
    ]);
    return rows[0] ? toCampus(rows[0]) : undefined;
  }

  async setPlace(id: string, placeId: string | null): Promise<void> {
    await this.db.execute('UPDATE campuses SET place_id = ? WHERE id = ?', [placeId, id]);
  }
}
