import {
  fromSourceTime,
  type SourceDatabases,
  type SourceName,
  toSourceTime,
} from '../sync/source-databases.ts';

/**
 * The photo tables of the academic-affairs (students) and HR (staff) databases (source-databases.ts),
 * which the card system reads but does not own: SELECTs only, in UTC. A page lists rows after a
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

const tables: Record<PhotoStream, { source: SourceName; table: string; no: string }> = {
  'academic.student_photos': { source: 'academic', table: 'student_photos', no: 'student_no' },
  'hr.staff_photos': { source: 'hr', table: 'staff_photos', no: 'staff_no' },
};

export class PhotoSource {
  constructor(private readonly databases: SourceDatabases) {}

  streams(): PhotoStream[] {
    return (Object.keys(tables) as PhotoStream[]).filter((s) => this.databases.has(tables[s].source));
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

  private query<T>(source: SourceName, sql: string, params: unknown[]): Promise<T[]> {
    return this.databases.query<T>(source, sql, params);
  }
}
