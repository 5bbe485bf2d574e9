import type { Context } from 'koa';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Lesson videos uploaded from the backoffice in chunks (bff/src/content/upload-store.ts keeps them):
// create, PUT each chunk with its SHA-256, ask which chunks are stored (to resume), complete, abort.
// The chunk bodies are streamed to disk by the store, so the BFF's JSON body limit is not applied to
// them (isChunkUpload); a chunk is refused as soon as it is longer than the chunk size.

const chunkPath = /^\/api\/admin\/v1\/uploads\/[^/]+\/chunks\/[^/]+$/;

/** The one request the BFF does not read into memory: a chunk, streamed by its route. */
export const isChunkUpload = (ctx: Pick<Context, 'method' | 'path'>) =>
  ctx.method === 'PUT' && chunkPath.test(ctx.path);

export const chunkHashHeader = 'x-chunk-sha256';

const uploadPath = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'not an upload id') });
const chunkParams = uploadPath.extend({
  index: z
    .string()
    .regex(/^\d{1,7}$/, 'a chunk index')
    .transform(Number),
});
const newUpload = z.strictObject({
  /** Shown and used for its extension only; the stored file gets a generated name. */
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
    .regex(/^[^/\\\u0000-\u001f]+$/, 'a file name, without folders'),
  sizeBytes: z.number().int().positive(),
  contentType: z.string().trim().max(100).default(''),
});

export const uploadRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/uploads',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const upload = await s.uploads.create(parseBody(ctx, newUpload), admin.adminId);
      await s.audit.record(admin, 'upload.create', 'upload', upload.id, {
        fileName: upload.fileName,
        sizeBytes: upload.sizeBytes,
      });
      ctx.status = 201;
      return upload;
    },
  },
  {
    method: 'GET',
    path: '/uploads/:id',
    right: 'content.manage',
    handle: (ctx, _admin, s) => s.uploads.state(parseValue(ctx.params, uploadPath).id),
  },
  {
    method: 'PUT',
    path: '/uploads/:id/chunks/:index',
    right: 'content.manage',
    handle: async (ctx, _admin, s) => {
      const { id, index } = parseValue(ctx.params, chunkParams);
      const length = ctx.get('content-length');
      if (!/^\d{1,12}$/.test(length))
        throw new BffError('VALIDATION_FAILED', 'send the chunk with its content-length');
      return s.uploads.putChunk(id, index, ctx.get(chunkHashHeader), ctx.req, Number(length));
    },
  },
  {
    method: 'POST',
    path: '/uploads/:id/complete',
    right: 'content.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, uploadPath);
      const done = await s.uploads.complete(id);
      if (!done.replayed)
        await s.audit.record(admin, 'upload.complete', 'upload', id, {
          path: done.path,
          sizeBytes: done.sizeBytes,
        });
      return done;
    },
  },
  {
    method: 'DELETE',
    path: '/uploads/:id',
    right: 'content.manage',
    handle: async (ctx, _admin, s) => {
      const { id } = parseValue(ctx.params, uploadPath);
      await s.uploads.abort(id);
      return { id, aborted: true };
    },
  },
];
