import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { kindOfName, sniffVideo, UploadStore } from './upload-store.ts';

const limits = { chunkBytes: 1024, sizeBytesMax: 1024 * 1024, ttlMs: 60_000, openMax: 2 };

test('when an upload is left unused past its lifetime, then it is gone and swept, and the open limit counts only live ones', async () => {
  let nowMs = Date.now();
  const staging = mkdtempSync(join(tmpdir(), 'cc-up-'));
  const store = new UploadStore(staging, mkdtempSync(join(tmpdir(), 'cc-co-')), limits, () => nowMs);
  const first = await store.create({ fileName: 'a.mp4', sizeBytes: 100, contentType: '' }, 'admin');
  const chunk = Buffer.alloc(100, 1);
  const hash = createHash('sha256').update(chunk).digest('hex');
  await store.putChunk(first.id, 0, hash, Readable.from([chunk]), 100);
  await store.create({ fileName: 'b.webm', sizeBytes: 100, contentType: 'video/webm' }, 'admin');
  await assert.rejects(
    store.create({ fileName: 'c.mp4', sizeBytes: 100, contentType: '' }, 'admin'),
    (e: { code: string }) => e.code === 'TOO_MANY_UPLOADS',
  );
  nowMs += limits.ttlMs + 1_000;
  await assert.rejects(store.state(first.id), (e: { code: string }) => e.code === 'UPLOAD_NOT_FOUND');
  await store.create({ fileName: 'c.mp4', sizeBytes: 100, contentType: '' }, 'admin');
  assert.ok(!existsSync(join(staging, first.id)), 'the expired upload was swept');
});

test('when names and first bytes are checked, then only mp4, m4v and webm pass', () => {
  assert.equal(kindOfName('课.MP4'), 'mp4');
  assert.equal(kindOfName('a.m4v'), 'm4v');
  assert.equal(kindOfName('a.webm'), 'webm');
  assert.equal(kindOfName('a.mp4.exe'), undefined);
  assert.equal(kindOfName('mp4'), undefined);
  assert.equal(sniffVideo(Buffer.from('\x00\x00\x00\x20ftypmp42', 'latin1')), 'ftyp');
  assert.equal(sniffVideo(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f])), 'ebml');
  assert.equal(sniffVideo(Buffer.from('<html><body>', 'latin1')), undefined);
  assert.equal(sniffVideo(Buffer.alloc(2)), undefined);
});

test('#12.1 class: when 50 uploads are started at once against an open limit of 5, then exactly 5 start and the others are TOO_MANY_UPLOADS', async () => {
  const staging = mkdtempSync(join(tmpdir(), 'cc-up-'));
  const store = new UploadStore(staging, mkdtempSync(join(tmpdir(), 'cc-co-')), { ...limits, openMax: 5 });
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      store.create({ fileName: `v${i}.mp4`, sizeBytes: 4096, contentType: '' }, 'editor'),
    ),
  );
  const started = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter(
    (r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'TOO_MANY_UPLOADS',
  );
  assert.equal(started.length, 5);
  assert.equal(refused.length, 45);
  assert.equal(await store.sweep(), 5, 'five folders on disk, no more');
});
