import type { Database } from '../db/database.ts';
import type { PhotoMediaType } from './photo-format.ts';
import type { PhotoCursor, PhotoStream } from './photo-source.ts';

export interface StoredPhoto {
  id: string;
  personNo: string;
  mediaType: PhotoMediaType;
  sha256: string;
  bytes: number;
  /** AES-256-GCM under the photo key (photo-keys.ts); never the plain bytes. */
  sealed: string;
}

/** The person_photos and photo_sync_marks tables (sql/130). */
export class PhotoRepository {
  constructor(private readonly db: Database) {}

  async byPersonNo(personNo: string): Promise<StoredPhoto | undefined> {
    return (await this.find('person_no = ?', personNo))[0];
  }

  async byId(id: string): Promise<StoredPhoto | undefined> {
    return (await this.find('id = ?', id))[0];
  }

  /** The stored hashes of these people's photos, by person number. */
  async hashesOf(personNos: readonly string[]): Promise<Map<string, string>> {
    if (personNos.length === 0) return new Map();
    const rows = await this.db.select<{ person_no: string; sha256: string }>(
      `SELECT person_no, sha256 FROM person_photos WHERE person_no IN (${personNos.map(() => '?').join(', ')})`,
      personNos,
    );
    return new Map(rows.map((r) => [r.person_no, r.sha256]));
  }

  /** Stores a person's photo, replacing an older one but keeping its id (references name the id). */
  async put(photo: StoredPhoto, nowMs: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        'UPDATE person_photos SET media_type = ?, sha256 = ?, bytes = ?, sealed = ?, updated_at_ms = ? WHERE person_no = ?',
        [photo.mediaType, photo.sha256, photo.bytes, photo.sealed, nowMs, photo.personNo],
        tx,
      );
      if (changed === 0)
        await this.db.execute(
          'INSERT INTO person_photos (id, person_no, media_type, sha256, bytes, sealed, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [photo.id, photo.personNo, photo.mediaType, photo.sha256, photo.bytes, photo.sealed, nowMs],
          tx,
        );
    });
  }

  /** A person's photo removed at the source. */
  async remove(personNo: string): Promise<void> {
    await this.db.execute('DELETE FROM person_photos WHERE person_no = ?', [personNo]);
  }

  async mark(stream: PhotoStream): Promise<PhotoCursor> {
    const rows = await this.db.select<{ after_ms: number; after_id: number }>(
      'SELECT after_ms, after_id FROM photo_sync_marks WHERE stream = ?',
      [stream],
    );
    const row = rows[0];
    return row
      ? { afterMs: Number(row.after_ms), afterId: Number(row.after_id) }
      : { afterMs: 0, afterId: 0 };
  }

  async setMark(stream: PhotoStream, cursor: PhotoCursor): Promise<void> {
    await this.db.transaction(async (tx) => {
      const changed = await this.db.execute(
        'UPDATE photo_sync_marks SET after_ms = ?, after_id = ? WHERE stream = ?',
        [cursor.afterMs, cursor.afterId, stream],
        tx,
      );
      if (changed === 0)
        await this.db.execute(
          'INSERT INTO photo_sync_marks (stream, after_ms, after_id) VALUES (?, ?, ?)',
          [stream, cursor.afterMs, cursor.afterId],
          tx,
        );
    });
  }

  private async find(where: string, value: string): Promise<StoredPhoto[]> {
    const rows = await this.db.select<Record<string, string | number>>(
      `SELECT id, person_no, media_type, sha256, bytes, sealed FROM person_photos WHERE ${where}`,
      [value],
    );
    return rows.map((r) => ({
      id: String(r.id),
      personNo: String(r.person_no),
      mediaType: String(r.media_type) as PhotoMediaType,
      sha256: String(r.sha256),
      bytes: Number(r.bytes),
      sealed: String(r.sealed),
    }));
  }
}
