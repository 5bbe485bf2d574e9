import mysql from 'mysql2/promise';
import { fromSourceTime, toSourceTime } from '../sync/source-reader.ts';

/**
 * The photo tables of the academic-affairs (students) and HR (staff) databases, which the card system
 * reads but does not own: SELECTs only, on a small pool of its own, in UTC. A page lists rows after a
 * (updated_at, id) watermark with the SHA-256 of each photo, computed by the source database, so a photo
 * whose bytes the card system already holds is never carried over the network again.
 */
export type PhotoStream = 'academic.student_photos' | 'hr.staff_photos';

export interface SourcePhotoRow {
  rowId: number;
  personNo: string;
  /** Hex SHA-256 of the photo bytes; null where the row holds no photo. */
  sha256: string | null;
  bytes: number;
  updatedAtMs: number;
}

export interface PhotoCursor {
  afterMs: number;
  afterId: number;
}

const tables: Record<PhotoStream, { source: 'academic' | 'hr'; table: string; no: string }> = {
  'academic.student_photos': { source: 'academic', table: 'student_photos', no: 'student_no' },
  'hr.staff_photos': { source: 'hr', table: 'staff_photos', no: 'staff_no' },
};

export class PhotoSource {
  private readonly pools = new Map<'academic' | 'hr', mysql.Pool>();

  constructor(urls: { academic?: string | undefined; hr?: string | undefined }) {
    for (const [source, url] of [
      ['academic', urls.academic],
      ['hr', urls.hr],
    ] as const) {
      if (!url) continue;
      const pool = mysql.createPool({ uri: url, connectionLimit: 1, timezone: 'Z', dateStrings: true });
      pool.on('connection', (c) => c.query("SET time_zone = '+00:00'"));
      this.pools.set(source, pool);
    }
  }

  streams(): PhotoStream[] {
    return (Object.keys(tables) as PhotoStream[]).filter((s) => this.pools.has(tables[s].source));
  }

  /** The next rows after the cursor, in (updated_at, id) order, without their bytes. */
  async page(stream: PhotoStream, cursor: PhotoCursor, limit: number): Promise<SourcePhotoRow[]> {
    const { source, table, no } = tables[stream];
    const after = toSourceTime(cursor.afterMs);
    const rows = await this.query<Record<string, string | number | null>>(
      source,
      `SELECT id, ${no} AS person_no, LOWER(SHA2(photo, 256)) AS sha256, COALESCE(LENGTH(photo), 0) AS bytes, updated_at
         FROM ${table} WHERE updated_at > ? OR (updated_at = ? AND id > ?) ORDER BY updated_at, id LIMIT ?`,
      [after, after, cursor.afterId, limit],
    );
    return rows.map((r) => ({
      rowId: Number(r.id),
      personNo: String(r.person_no),
      sha256: r.sha256 === null ? null : String(r.sha256),
      bytes: Number(r.bytes),
      updatedAtMs: fromSourceTime(String(r.updated_at)),
    }));
  }

  /** One row's photo bytes. */
  async photo(stream: PhotoStream, rowId: number): Promise<Buffer | null> {
    const { source, table } = tables[stream];
    const rows = await this.query<{ photo: Buffer | null }>(
      source,
      `SELECT photo FROM ${table} WHERE id = ?`,
      [rowId],
    );
    return rows[0]?.photo ?? null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
  }

  private async query<T>(source: 'academic' | 'hr', sql: string, params: unknown[]): Promise<T[]> {
    const pool = this.pools.get(source);
    if (!pool) throw new Error(`no ${source} database is configured`);
    const [rows] = await pool.query(sql, params);
    return rows as T[];
  }
}
