// Chunked, resumable video uploads to the admin API (POST /uploads, PUT /uploads/:id/chunks/:n,
// GET /uploads/:id, POST /uploads/:id/complete). An upload is remembered in localStorage under the
// file's name, size and last-modified time, so picking the same file after a reload (or a failure)
// asks the server which chunks it has and sends only the rest.
import { ApiError, api, apiBase, session } from './api.ts';

export interface UploadState {
  id: string;
  chunkBytes: number;
  chunkCount: number;
  received: number[];
  receivedBytes: number;
  sizeBytes: number;
  path: string | null;
}

export interface UploadProgress {
  phase: 'starting' | 'uploading' | 'paused' | 'failed' | 'completing' | 'done';
  sentBytes: number;
  totalBytes: number;
  /** Bytes per second sent since this start (0 until the first chunk). */
  bytesPerSecond: number;
  /** Chunks the server already had when this start began (a resumed upload). */
  resumedChunks: number;
  path?: string;
  error?: string;
}

/** Tries of one chunk before the upload stops as failed (the user resumes it). */
const chunkAttemptsMax = 3;

const keyOf = (file: File) => `cc-upload:${file.name}:${file.size}:${file.lastModified}`;

const hex = (buffer: ArrayBuffer) =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

async function putChunk(id: string, index: number, data: ArrayBuffer, signal: AbortSignal): Promise<void> {
  const hash = hex(await crypto.subtle.digest('SHA-256', data));
  const response = await fetch(`${apiBase}/uploads/${id}/chunks/${index}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${session.get() ?? ''}`,
      'content-type': 'application/octet-stream',
      'x-chunk-sha256': hash,
    },
    body: data,
    signal,
  });
  if (!response.ok) {
    const json = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(response.status, json.code ?? 'ERROR', json.message ?? response.statusText);
  }
}

/** One file's upload: start (or resume) and pause; progress is reported to the listener. */
export class ChunkedUpload {
  #controller: AbortController | undefined;
  #paused = false;
  #running = false;

  constructor(
    readonly file: File,
    private readonly onProgress: (progress: UploadProgress) => void,
  ) {}

  pause(): void {
    this.#paused = true;
    this.#controller?.abort();
  }

  /** Starts or resumes; resolves with the stored path when complete, undefined when paused or failed. */
  async start(): Promise<string | undefined> {
    if (this.#running) return undefined;
    this.#running = true;
    this.#paused = false;
    const total = this.file.size;
    let sent = 0;
    let resumedChunks = 0;
    const report = (phase: UploadProgress['phase'], extra: Partial<UploadProgress> = {}) =>
      this.onProgress({
        phase,
        sentBytes: sent,
        totalBytes: total,
        bytesPerSecond: 0,
        resumedChunks,
        ...extra,
      });
    try {
      report('starting');
      const state = await this.#state();
      if (state.path) {
        sent = total;
        localStorage.removeItem(keyOf(this.file));
        report('done', { path: state.path });
        return state.path;
      }
      const have = new Set(state.received);
      resumedChunks = have.size;
      sent = state.receivedBytes;
      const startedAt = performance.now();
      let sentNow = 0;
      for (let index = 0; index < state.chunkCount; index++) {
        if (have.has(index)) continue;
        if (this.#paused) {
          report('paused');
          return undefined;
        }
        const data = await this.file
          .slice(index * state.chunkBytes, Math.min((index + 1) * state.chunkBytes, total))
          .arrayBuffer();
        for (let attempt = 1; ; attempt++) {
          this.#controller = new AbortController();
          try {
            await putChunk(state.id, index, data, this.#controller.signal);
            break;
          } catch (error) {
            if (this.#paused) {
              report('paused');
              return undefined;
            }
            // A refusal (4xx) will not change on retry; a network failure or 5xx may.
            const refused = error instanceof ApiError && error.status < 500;
            if (refused || attempt >= chunkAttemptsMax) throw error;
            await new Promise((resolve) => setTimeout(resolve, 300 * 2 ** attempt));
          }
        }
        sent += data.byteLength;
        sentNow += data.byteLength;
        const seconds = (performance.now() - startedAt) / 1000;
        report('uploading', { bytesPerSecond: seconds > 0 ? sentNow / seconds : 0 });
      }
      report('completing');
      const done = await api<{ path: string }>('POST', `/uploads/${state.id}/complete`);
      localStorage.removeItem(keyOf(this.file));
      report('done', { path: done.path });
      return done.path;
    } catch (error) {
      report('failed', { error: error instanceof Error ? error.message : String(error) });
      return undefined;
    } finally {
      this.#running = false;
      this.#controller = undefined;
    }
  }

  /** The server's state of this file's upload, or a new upload when there is none (or it expired). */
  async #state(): Promise<UploadState> {
    const key = keyOf(this.file);
    const known = localStorage.getItem(key);
    if (known) {
      try {
        return await api<UploadState>('GET', `/uploads/${known}`);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        localStorage.removeItem(key);
      }
    }
    const created = await api<UploadState>('POST', '/uploads', {
      fileName: this.file.name,
      sizeBytes: this.file.size,
      contentType: this.file.type,
    });
    localStorage.setItem(key, created.id);
    return created;
  }
}
