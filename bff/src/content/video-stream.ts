import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Context } from 'koa';
import { BffError } from '../errors.ts';

const types: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.m3u8': 'application/vnd.apple.mpegurl',
};

/**
 * Serves a file under `root` with HTTP Range (one range, as video players ask), so playback can
 * start anywhere and resume. The path was checked when the lesson was made; it is checked again here.
 */
export async function sendVideo(ctx: Context, root: string, relativePath: string): Promise<void> {
  const base = resolve(root);
  const file = resolve(base, relativePath);
  if (!file.startsWith(base + sep)) throw new BffError('NOT_FOUND', 'no such video');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new BffError('NOT_FOUND', 'no such video');
  const size = info.size;
  ctx.set('accept-ranges', 'bytes');
  ctx.set('cache-control', 'private, max-age=3600');
  ctx.type = types[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const header = ctx.get('range');
  if (!header) {
    ctx.status = 200;
    ctx.length = size;
    ctx.body = createReadStream(file);
    return;
  }
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  let start: number;
  let end: number;
  if (!match || (match[1] === '' && match[2] === '')) return unsatisfiable(ctx, size);
  if (match[1] === '') {
    // bytes=-N: the last N bytes.
    start = Math.max(size - Number(match[2]), 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return unsatisfiable(ctx, size);
  ctx.status = 206;
  ctx.set('content-range', `bytes ${start}-${end}/${size}`);
  ctx.length = end - start + 1;
  ctx.body = createReadStream(file, { start, end });
}

function unsatisfiable(ctx: Context, size: number): void {
  ctx.status = 416;
  ctx.set('content-range', `bytes */${size}`);
  ctx.body = { code: 'RANGE_NOT_SATISFIABLE', message: 'the range is outside the video' };
}
