import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { monthKeyOf } from '@campus-card/core/time';
import { BffError } from '../errors.ts';

/**
 * Lesson videos uploaded in chunks, resumable: each chunk is checked against its SHA-256 and stored
 * as its own file in a staging folder, so a chunk sent again (a retry after a lost answer) changes
 * nothing and the client can ask which chunks are there after a failure or a page reload. Completing
 * assembles the chunks in order into a temporary file inside the content directory and renames it into
 * place, so a reader never sees half a video. Everything streams; no chunk or file is held in memory.
 *
 * Staging layout: <stagingDir>/<id>/meta.json, <index>.chunk, done.json (after completing). The folder's
 * mtime is the upload's last activity; a folder unused for ttlMs is swept.
 */

/** The video kinds accepted: by the file name's extension, and by the first bytes once complete. */
export const videoKinds = {
  mp4: { contentTypes: ['video/mp4'], magic: 'ftyp' },
  m4v: { contentTypes: ['video/x-m4v', 'video/mp4'], magic: 'ftyp' },
  webm: { contentTypes: ['video/webm'], magic: 'ebml' },
} as const;
export type VideoKind = keyof typeof videoKinds;

export interface UploadLimits {
  /** Every chunk but the last is exactly this long. */
  chunkBytes: number;
  sizeBytesMax: number;
  /** An upload with no activity for this long expires and is swept. */
  ttlMs: number;
  /** Unfinished uploads kept at once (each may hold up to sizeBytesMax of disk). */
  openMax: number;
}

export interface UploadMeta {
  id: string;
  fileName: string;
  kind: VideoKind;
  contentType: string;
  sizeBytes: number;
  chunkBytes: number;
  chunkCount: number;
  createdAtMs: number;
  /** The admin who started it (their id). */
  createdBy: string;
}

export interface UploadState extends UploadMeta {
  /** The chunk indexes stored, ascending. */
  received: number[];
  receivedBytes: number;
  expiresAtMs: number;
  /** After completing: the path under the content directory a lesson names. */
  path: string | null;
}

export interface CompletedUpload {
  id: string;
  path: string;
  sizeBytes: number;
  /** True when this upload was completed before (a retried complete). */
  replayed: boolean;
}

const idPattern = /^[0-9a-f]{32}$/;
const hashPattern = /^[0-9a-f]{64}$/;
/** A lock left by a process that stopped while assembling is broken after this long. */
const completeLockStaleMs = 10 * 60_000;

/** The kind a file's first bytes show, if one of ours: MP4/M4V ("ftyp" box at 4) or WebM (EBML header). */
export function sniffVideo(head: Buffer): 'ftyp' | 'ebml' | undefined {
  if (head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp') return 'ftyp';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'ebml';
  return undefined;
}

/** The kind a file name says (its extension), if one of ours. */
export function kindOfName(fileName: string): VideoKind | undefined {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  return ext !== undefined && ext in videoKinds ? (ext as VideoKind) : undefined;
}

export class UploadStore {
  readonly #staging: string;
  /** The last start in this process; the next one counts after it has taken its folder. */
  #starting: Promise<void> = Promise.resolve();
  readonly #content: string;

  constructor(
    stagingDir: string,
    contentDir: string,
    readonly limits: UploadLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.#staging = resolve(stagingDir);
    this.#content = resolve(contentDir);
  }

  /** Starts an upload; sweeps expired ones first, so stale chunks never pile up for long. */
  async create(
    input: { fileName: string; sizeBytes: number; contentType: string },
    createdBy: string,
  ): Promise<UploadState> {
    const kind = kindOfName(input.fileName);
    if (!kind)
      throw new BffError('UNSUPPORTED_MEDIA_TYPE', 'only .mp4, .m4v and .webm videos can be uploaded');
    const types: readonly string[] = videoKinds[kind].contentTypes;
    if (input.contentType !== '' && !types.includes(input.contentType))
      throw new BffError('UNSUPPORTED_MEDIA_TYPE', `a .${kind} file is not ${input.contentType}`);
    if (input.sizeBytes > this.limits.sizeBytesMax)
      throw new BffError('PAYLOAD_TOO_LARGE', `a video is at most ${this.limits.sizeBytesMax} bytes`);
    await mkdir(this.#staging, { recursive: true });
    const id = await this.#reserveSlot();
    const meta: UploadMeta = {
      id,
      fileName: input.fileName,
      kind,
      contentType: input.contentType || types[0] || 'video/mp4',
      sizeBytes: input.sizeBytes,
      chunkBytes: this.limits.chunkBytes,
      chunkCount: Math.ceil(input.sizeBytes / this.limits.chunkBytes),
      createdAtMs: this.now(),
      createdBy,
    };
    await writeAtomically(join(this.#dir(meta.id), 'meta.json'), JSON.stringify(meta));
    await this.#touch(meta.id);
    return this.state(meta.id);
  }

  /** Which chunks are stored; a completed upload also names its path. */
  async state(id: string): Promise<UploadState> {
    const { meta, done, activeAtMs } = await this.#open(id);
    const received = done ? [] : await this.#received(id);
    const receivedBytes = received.reduce((sum, index) => sum + this.#chunkLength(meta, index), 0);
    return {
      ...meta,
      received: done ? Array.from({ length: meta.chunkCount }, (_, i) => i) : received,
      receivedBytes: done ? meta.sizeBytes : receivedBytes,
      expiresAtMs: activeAtMs + this.limits.ttlMs,
      path: done?.path ?? null,
    };
  }

  /**
   * Stores one chunk from a stream, checking its length while it arrives and its SHA-256 at the end;
   * a refused chunk leaves nothing behind. The same chunk again answers `again`; different bytes for
   * a stored index are a conflict (the client is sending another file under this upload).
   */
  async putChunk(
    id: string,
    index: number,
    sha256Hex: string,
    body: Readable,
    declaredBytes: number | undefined,
  ): Promise<{ index: number; stored: 'new' | 'again' }> {
    if (!hashPattern.test(sha256Hex))
      throw new BffError(
        'VALIDATION_FAILED',
        'x-chunk-sha256: the chunk’s SHA-256 as 64 lowercase hex digits',
      );
    const { meta, done } = await this.#open(id);
    if (done) throw new BffError('CONFLICT', 'this upload is complete');
    if (!Number.isSafeInteger(index) || index < 0 || index >= meta.chunkCount)
      throw new BffError('VALIDATION_FAILED', `the chunk index is 0 to ${meta.chunkCount - 1}`);
    const expected = this.#chunkLength(meta, index);
    if (declaredBytes !== undefined && declaredBytes > expected)
      throw new BffError('PAYLOAD_TOO_LARGE', `chunk ${index} is ${expected} bytes`);
    const dir = this.#dir(id);
    const temp = join(dir, `${index}.${randomBytes(6).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const piece of source) {
            size += piece.length;
            if (size > expected)
              throw new BffError('PAYLOAD_TOO_LARGE', `chunk ${index} is ${expected} bytes`);
            hash.update(piece);
            yield piece;
          }
        },
        createWriteStream(temp, { flags: 'wx' }),
      );
      if (size !== expected)
        throw new BffError('VALIDATION_FAILED', `chunk ${index} is ${expected} bytes, ${size} arrived`);
      if (hash.digest('hex') !== sha256Hex)
        throw new BffError('CHUNK_HASH_MISMATCH', `chunk ${index} does not match its SHA-256; send it again`);
      try {
        // link() fails if the chunk is there already: the first complete copy stays, atomically.
        await link(temp, this.#chunk(id, index));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if ((await fileSha256(this.#chunk(id, index))) !== sha256Hex)
          throw new BffError('CHUNK_CONFLICT', `chunk ${index} is stored with other bytes`);
        await this.#touch(id);
        return { index, stored: 'again' };
      }
      await this.#touch(id);
      return { index, stored: 'new' };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /**
   * Assembles the chunks in order into the content directory under a generated path, checks the
   * size and the first bytes, and renames the file into place. Completing twice answers the first
   * result; two completes at once: the second is refused while the first runs.
   */
  async complete(id: string): Promise<CompletedUpload> {
    const { meta, done } = await this.#open(id);
    if (done) return { id, path: done.path, sizeBytes: meta.sizeBytes, replayed: true };
    const dir = this.#dir(id);
    const lock = join(dir, 'complete.lock');
    await this.#takeLock(lock);
    try {
      const received = new Set(await this.#received(id));
      const missing = Array.from({ length: meta.chunkCount }, (_, i) => i).filter((i) => !received.has(i));
      if (missing.length > 0)
        throw new BffError('UPLOAD_INCOMPLETE', `${missing.length} chunks are missing`, {
          missing: missing.slice(0, 100),
        });
      if (sniffVideo(await readHead(this.#chunk(id, 0), 16)) !== videoKinds[meta.kind].magic)
        throw new BffError('UNSUPPORTED_MEDIA_TYPE', `the file is not a .${meta.kind} video`);
      const month = monthKeyOf(this.now());
      const path = `uploads/${month}/${id}.${meta.kind}`;
      const target = resolve(this.#content, path);
      if (!target.startsWith(this.#content + sep))
        throw new Error('an upload path left the content directory');
      await mkdir(dirname(target), { recursive: true });
      const temp = join(dirname(target), `.${id}.partial`);
      try {
        const chunks = Array.from({ length: meta.chunkCount }, (_, i) => this.#chunk(id, i));
        await pipeline(async function* () {
          for (const chunk of chunks) yield* createReadStream(chunk);
        }, createWriteStream(temp));
        const size = (await stat(temp)).size;
        if (size !== meta.sizeBytes)
          throw new BffError('UPLOAD_INCOMPLETE', `assembled ${size} bytes, expected ${meta.sizeBytes}`);
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
      }
      await writeAtomically(join(dir, 'done.json'), JSON.stringify({ path, completedAtMs: this.now() }));
      for (let i = 0; i < meta.chunkCount; i++) await rm(this.#chunk(id, i), { force: true });
      await this.#touch(id);
      return { id, path, sizeBytes: meta.sizeBytes, replayed: false };
    } finally {
      await rm(lock, { force: true });
    }
  }

  /** Drops an upload's staging folder (its chunks); a video already completed stays. */
  async abort(id: string): Promise<void> {
    await this.#open(id);
    await rm(this.#dir(id), { recursive: true, force: true });
  }

  /** Removes uploads unused for ttlMs; answers how many unfinished ones remain. */
  async sweep(): Promise<number> {
    const nowMs = this.now();
    let open = 0;
    const names = await readdir(this.#staging).catch(() => [] as string[]);
    for (const name of names) {
      if (!idPattern.test(name)) continue;
      const dir = this.#dir(name);
      const info = await stat(dir).catch(() => undefined);
      if (!info) continue;
      if (info.mtimeMs + this.limits.ttlMs < nowMs) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (!(await exists(join(dir, 'done.json')))) open += 1;
    }
    return open;
  }

  /** An upload that exists and has not expired; the id is checked before it names any folder. */
  async #open(
    id: string,
  ): Promise<{ meta: UploadMeta; done: { path: string } | undefined; activeAtMs: number }> {
    if (!idPattern.test(id)) throw new BffError('UPLOAD_NOT_FOUND', 'no such upload');
    const dir = this.#dir(id);
    const info = await stat(dir).catch(() => undefined);
    if (!info || info.mtimeMs + this.limits.ttlMs < this.now())
      throw new BffError('UPLOAD_NOT_FOUND', 'no such upload (or it expired)');
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as UploadMeta;
    const done = await readFile(join(dir, 'done.json'), 'utf8').then(
      (text) => JSON.parse(text) as { path: string },
      () => undefined,
    );
    return { meta, done, activeAtMs: info.mtimeMs };
  }

  /**
   * Counts the open uploads and takes a folder for a new one in one step: starts are serialised in
   * this process, so a burst of starts cannot all count the same uploads before any folder exists
   * and pass openMax together. The folder is the reservation; an upload that fails to start is swept.
   */
  #reserveSlot(): Promise<string> {
    const reserved = this.#starting.then(async () => {
      if ((await this.sweep()) >= this.limits.openMax)
        throw new BffError('TOO_MANY_UPLOADS', 'too many unfinished uploads; finish or cancel one first');
      const id = randomBytes(16).toString('hex');
      await mkdir(this.#dir(id));
      return id;
    });
    this.#starting = reserved.then(
      () => undefined,
      () => undefined,
    );
    return reserved;
  }

  async #received(id: string): Promise<number[]> {
    const names = await readdir(this.#dir(id));
    return names
      .map((name) => /^(\d{1,9})\.chunk$/.exec(name)?.[1])
      .filter((index): index is string => index !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async #takeLock(lock: string): Promise<void> {
    try {
      await (await open(lock, 'wx')).close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(lock).catch(() => undefined);
      if (info && info.mtimeMs + completeLockStaleMs > this.now())
        throw new BffError('CONFLICT', 'this upload is being completed; ask for its state in a moment');
      await rm(lock, { force: true });
      await (await open(lock, 'wx')).close();
    }
  }

  #chunkLength(meta: UploadMeta, index: number): number {
    return index === meta.chunkCount - 1 ? meta.sizeBytes - index * meta.chunkBytes : meta.chunkBytes;
  }

  #dir(id: string): string {
    return join(this.#staging, id);
  }

  #chunk(id: string, index: number): string {
    return join(this.#dir(id), `${index}.chunk`);
  }

  async #touch(id: string): Promise<void> {
    const at = new Date(this.now());
    await utimes(this.#dir(id), at, at);
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, { flag: 'wx' });
  await rename(temp, file);
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );
