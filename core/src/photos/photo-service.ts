import {
  type PhotoReferenceView,
  type PhotoSyncCounts,
  type PhotoView,
  photoReferenceTtlMs,
} from '../contract/photos.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import { judgePhoto } from './photo-format.ts';
import type { PhotoKeys } from './photo-keys.ts';
import type { PhotoRepository } from './photo-repository.ts';
import type { PhotoSource, PhotoStream } from './photo-source.ts';

/** Source rows read per page. */
const pageRowsMax = 200;

/** What photos ask the cards domain: whose card it is. */
export interface CardHolders {
  get(cardNo: string): Promise<{ personNo: string }>;
}

/**
 * Person photos (#15): copied from the academic-affairs and HR photo tables (only rows changed since the
 * last run, and only bytes whose hash differs from the copy held), checked to be a JPEG or PNG within the
 * size limit, sealed at rest; handed to exam readers through references that name the photo, not the
 * person, expire within `photoReferenceTtlMs`, and are signed for the one reader they were given to.
 */
export class PhotoService {
  private job: Job | undefined;
  private running: Promise<PhotoSyncCounts> | undefined;

  constructor(
    private readonly repo: PhotoRepository,
    private readonly source: PhotoSource | undefined,
    private readonly keys: PhotoKeys,
    private readonly cards: CardHolders,
    private readonly log: Logger,
  ) {}

  /** Reads each configured source photo table from its watermark; one run at a time in this process. */
  sync(): Promise<PhotoSyncCounts> {
    const source = this.source;
    if (!source)
      throw new CoreError(
        'SYNC_NOT_CONFIGURED',
        'no source database is configured (ACADEMIC_DATABASE_URL, HR_DATABASE_URL)',
      );
    this.running ??= this.syncAll(source).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs `sync` every `everyMs` (the identity sync's interval); 0 or no source: never. */
  startSchedule(everyMs: number, lock?: JobLock): void {
    if (!this.source || everyMs <= 0) return;
    this.job = schedule({
      name: 'photo-sync',
      everyMs,
      log: this.log,
      lock,
      run: async () => {
        await this.sync();
      },
    });
  }

  async close(): Promise<void> {
    await this.job?.stop();
    await this.running?.catch(() => undefined);
  }

  /** A reference to the card holder's photo for this reader, or null when there is no photo. */
  async reference(cardNo: string, deviceRef: string, nowMs: number): Promise<PhotoReferenceView | null> {
    const { personNo } = await this.cards.get(cardNo);
    const photo = await this.repo.byPersonNo(personNo);
    if (!photo) return null;
    const expiresAtMs = nowMs + photoReferenceTtlMs;
    const mac = this.keys.mac([deviceRef, photo.id, photo.personNo, expiresAtMs]);
    return {
      reference: `${photo.id}.${expiresAtMs}.${mac}`,
      expiresAtMs,
      mediaType: photo.mediaType,
      bytes: photo.bytes,
    };
  }

  /**
   * The photo a reference names, for the reader it was given to. A reference that does not parse, names no
   * photo, was signed for another reader or person, or was altered is PHOTO_REFERENCE_INVALID; a genuine one
   * past its expiry is PHOTO_REFERENCE_EXPIRED.
   */
  async byReference(reference: string, deviceRef: string, nowMs: number): Promise<PhotoView> {
    const invalid = new CoreError('PHOTO_REFERENCE_INVALID', 'not a photo reference given to this reader');
    const match = /^([0-9A-Z]{26})\.([0-9]{13})\.([A-Za-z0-9_-]{22})$/.exec(reference);
    if (!match) throw invalid;
    const [, id = '', expires = '', mac = ''] = match;
    const expiresAtMs = Number(expires);
    const photo = await this.repo.byId(id);
    if (!photo || !this.keys.macMatches([deviceRef, photo.id, photo.personNo, expiresAtMs], mac))
      throw invalid;
    if (expiresAtMs <= nowMs)
      throw new CoreError('PHOTO_REFERENCE_EXPIRED', 'the photo reference has expired');
    return { mediaType: photo.mediaType, data: this.keys.open(photo.sealed).toString('base64') };
  }

  private async syncAll(source: PhotoSource): Promise<PhotoSyncCounts> {
    const counts: PhotoSyncCounts = { stored: 0, unchanged: 0, removed: 0, refused: 0 };
    for (const stream of source.streams()) await this.syncStream(source, stream, counts);
    this.log.info(counts, 'photo sync finished');
    return counts;
  }

  private async syncStream(source: PhotoSource, stream: PhotoStream, counts: PhotoSyncCounts): Promise<void> {
    let cursor = await this.repo.mark(stream);
    for (;;) {
      const rows = await source.page(stream, cursor, pageRowsMax);
      if (rows.length === 0) return;
      const held = await this.repo.hashesOf([...new Set(rows.map((r) => r.personNo))]);
      for (const row of rows) {
        if (row.sha256 === null) {
          if (held.has(row.personNo)) {
            await this.repo.remove(row.personNo);
            held.delete(row.personNo);
            counts.removed += 1;
          }
          continue;
        }
        if (held.get(row.personNo) === row.sha256) {
          counts.unchanged += 1;
          continue;
        }
        const bytes = await source.photo(stream, row.rowId);
        const judged = bytes ? judgePhoto(bytes) : { ok: false as const, reason: 'the photo is gone' };
        if (!bytes || !judged.ok) {
          // The row id only: a person number is personal data and stays out of the logs.
          this.log.warn(
            { stream, rowId: row.rowId, reason: judged.ok ? '' : judged.reason },
            'photo refused',
          );
          counts.refused += 1;
          continue;
        }
        await this.repo.put(
          {
            id: newId(),
            personNo: row.personNo,
            mediaType: judged.mediaType,
            sha256: row.sha256,
            bytes: bytes.byteLength,
            sealed: this.keys.seal(bytes),
          },
          Date.now(),
        );
        held.set(row.personNo, row.sha256);
        counts.stored += 1;
      }
      const last = rows[rows.length - 1] as (typeof rows)[number];
      cursor = { afterMs: last.updatedAtMs, afterId: last.rowId };
      await this.repo.setMark(stream, cursor);
    }
  }
}
