import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Admins, signedInAdmins } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';
const chunkBytes = 64 * 1024;

interface Upload {
  id: string;
  chunkBytes: number;
  chunkCount: number;
  received: number[];
  receivedBytes: number;
  path: string | null;
}

/** A file that starts like an MP4 (an "ftyp" box) and then random bytes: enough for the type check. */
function fakeMp4(bytes: number): Buffer {
  const file = randomBytes(bytes);
  Buffer.from('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00', 'latin1').copy(file, 0);
  return file;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('admin chunked video uploads', () => {
  let world: TestWorld;
  let tokens: Admins;
  const contentDir = mkdtempSync(join(tmpdir(), 'cc-content-'));
  const uploadDir = mkdtempSync(join(tmpdir(), 'cc-uploads-'));
  before(async () => {
    world = await startWorld({
      CONTENT_DIR: contentDir,
      UPLOAD_DIR: uploadDir,
      UPLOAD_CHUNK_BYTES: String(chunkBytes),
      UPLOAD_BYTES_MAX: String(1024 * 1024),
    });
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  const create = (body: unknown, token = tokens.content_editor) =>
    world.request<Upload & { code: string }>('POST', `${api}/uploads`, { token, body });
  const put = (
    id: string,
    index: number | string,
    data: Buffer,
    hash = sha256(data),
    token = tokens.content_editor,
  ) =>
    fetch(`${world.bff.url}${api}/uploads/${id}/chunks/${index}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'x-chunk-sha256': hash,
        'content-type': 'application/octet-stream',
      },
      body: data,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const state = (id: string) =>
    world.request<Upload>('GET', `${api}/uploads/${id}`, { token: tokens.content_editor });
  const chunkOf = (file: Buffer, index: number) =>
    file.subarray(index * chunkBytes, (index + 1) * chunkBytes);

  test('when chunks arrive out of order, one twice and one with a wrong hash, then the bad one stores nothing, the state says what to resend, and completing assembles the video that a student then plays by byte range', async () => {
    const file = fakeMp4(chunkBytes * 3 + 1234);
    const created = await create({
      fileName: '第一课.mp4',
      sizeBytes: file.length,
      contentType: 'video/mp4',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.chunkCount, 4);
    assert.equal(created.body.chunkBytes, chunkBytes);
    const { id } = created.body;

    assert.deepEqual((await put(id, 2, chunkOf(file, 2))).body, { index: 2, stored: 'new' });
    assert.deepEqual((await put(id, 0, chunkOf(file, 0))).body, { index: 0, stored: 'new' });
    assert.deepEqual(
      (await put(id, 0, chunkOf(file, 0))).body,
      { index: 0, stored: 'again' },
      'a retry is fine',
    );
    const bad = await put(id, 3, chunkOf(file, 3), sha256(Buffer.from('something else')));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'CHUNK_HASH_MISMATCH');
    const other = chunkOf(file, 1).map((b) => b ^ 0xff);
    assert.equal((await put(id, 1, Buffer.from(other))).status, 200);
    const conflict = await put(id, 1, chunkOf(file, 1));
    assert.equal(conflict.status, 409, 'other bytes for a stored chunk are refused');
    assert.equal(conflict.body.code, 'CHUNK_CONFLICT');
    // The client that sent the wrong chunk 1 starts over on a fresh upload: abort drops the chunks.
    assert.equal(
      (await world.request('DELETE', `${api}/uploads/${id}`, { token: tokens.content_editor })).status,
      200,
    );
    assert.equal((await state(id)).status, 404);

    const again = await create({ fileName: '第一课.mp4', sizeBytes: file.length, contentType: 'video/mp4' });
    const fresh = again.body.id;
    await put(fresh, 3, chunkOf(file, 3));
    await put(fresh, 1, chunkOf(file, 1));
    const refused = await put(fresh, 0, chunkOf(file, 0), sha256(chunkOf(file, 1)));
    assert.equal(refused.status, 422);
    const early = await world.request<{ code: string; details: { missing: number[] } }>(
      'POST',
      `${api}/uploads/${fresh}/complete`,
      { token: tokens.content_editor },
    );
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'UPLOAD_INCOMPLETE');
    assert.deepEqual(early.body.details.missing, [0, 2]);
    // "After a failure": the client asks what is stored and sends the rest.
    const resumed = await state(fresh);
    assert.deepEqual(resumed.body.received, [1, 3], 'the refused chunk 0 left nothing behind');
    assert.equal(resumed.body.receivedBytes, chunkBytes + 1234);
    for (const index of [0, 1, 2, 3].filter((i) => !resumed.body.received.includes(i)))
      assert.equal((await put(fresh, index, chunkOf(file, index))).status, 200);

    const done = await world.request<{ path: string; sizeBytes: number; replayed: boolean }>(
      'POST',
      `${api}/uploads/${fresh}/complete`,
      { token: tokens.content_editor },
    );
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.match(done.body.path, /^uploads\/\d{4}-\d{2}\/[0-9a-f]{32}\.mp4$/);
    assert.deepEqual(readFileSync(join(contentDir, done.body.path)), file);
    assert.equal(
      readdirSync(join(uploadDir, fresh)).filter((f) => f.endsWith('.chunk')).length,
      0,
      'chunks removed',
    );
    const twice = await world.request<{ path: string; replayed: boolean }>(
      'POST',
      `${api}/uploads/${fresh}/complete`,
      {
        token: tokens.content_editor,
      },
    );
    assert.deepEqual([twice.body.path, twice.body.replayed], [done.body.path, true], 'a retried complete');
    assert.deepEqual(
      (await world.core.client.searchAudit({ targetId: fresh, limit: 10 })).items.map((r) => r.action).sort(),
      ['upload.complete', 'upload.create'],
    );

    const course = await world.request<{ id: string }>('POST', `${api}/courses`, {
      token: tokens.content_editor,
      body: { title: '上传课程', teacher: '王老师', audience: { type: 'students' } },
    });
    const lesson = await world.request('POST', `${api}/courses/${course.body.id}/lessons`, {
      token: tokens.content_editor,
      body: { seq: 1, title: '第一课', video: { path: done.body.path }, durationSeconds: 60 },
    });
    assert.equal(lesson.status, 201, JSON.stringify(lesson.body));
    const student = await boundStudent(world);
    const seen = await world.request<{ lessons: { videoUrl: string }[] }>(
      'GET',
      `/api/v1/courses/${course.body.id}`,
      {
        token: student.accessToken,
      },
    );
    const videoUrl = seen.body.lessons[0]?.videoUrl ?? '';
    const part = await fetch(`${world.bff.url}${videoUrl}`, {
      headers: { range: `bytes=${chunkBytes - 10}-${chunkBytes + 9}` },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-type'), 'video/mp4');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), file.subarray(chunkBytes - 10, chunkBytes + 10));
  });

  test('when a chunk is too long, a file is too big, of the wrong kind by name or by its bytes, or an input tries to leave the folders, then it is refused', async () => {
    const file = fakeMp4(chunkBytes + 100);
    const { body } = await create({ fileName: 'a.mp4', sizeBytes: file.length, contentType: 'video/mp4' });
    const long = await put(body.id, 0, Buffer.concat([chunkOf(file, 0), Buffer.alloc(1)]));
    assert.equal(long.status, 413, 'a chunk longer than the chunk size');
    const short = await put(body.id, 1, file.subarray(chunkBytes, chunkBytes + 50));
    assert.equal(short.status, 400, 'the last chunk has to be exactly what is left');
    assert.deepEqual((await state(body.id)).body.received, [], 'refused chunks left nothing');
    assert.equal((await put(body.id, 2, Buffer.alloc(10))).status, 400, 'no chunk 2 in a two-chunk file');

    assert.equal((await create({ fileName: 'big.mp4', sizeBytes: 1024 * 1024 + 1 })).status, 413);
    const exe = await create({ fileName: 'virus.exe', sizeBytes: 100 });
    assert.equal(exe.status, 415);
    assert.equal(
      (await create({ fileName: 'a.webm', sizeBytes: 100, contentType: 'text/html' })).status,
      415,
    );
    assert.equal((await create({ fileName: '../../etc/cron.d/x.mp4', sizeBytes: 100 })).status, 400);
    assert.equal((await create({ fileName: 'a\\..\\b.mp4', sizeBytes: 100 })).status, 400);
    assert.equal((await state('..%2F..%2Fetc')).status, 400);
    assert.equal((await put('..%2F..%2Fetc', 0, Buffer.alloc(10))).status, 400);
    assert.equal((await put(body.id, '..%2F0', Buffer.alloc(10))).status, 400);
    assert.equal((await state('0123456789abcdef0123456789abcdef')).status, 404);

    // Named .webm, but the bytes are an MP4: refused when complete, nothing placed in the content folder.
    const disguised = fakeMp4(500);
    const webm = await create({ fileName: 'b.webm', sizeBytes: disguised.length, contentType: 'video/webm' });
    await put(webm.body.id, 0, disguised);
    const wrong = await world.request<{ code: string }>('POST', `${api}/uploads/${webm.body.id}/complete`, {
      token: tokens.content_editor,
    });
    assert.equal(wrong.status, 415);
    assert.equal(wrong.body.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.ok(
      !existsSync(join(contentDir, 'uploads')) ||
        !JSON.stringify(readdirSync(contentDir, { recursive: true })).includes(webm.body.id),
    );
  });

  test('when anyone without content.manage tries, then every upload route is refused', async () => {
    const { body } = await create({ fileName: 'c.mp4', sizeBytes: 10 });
    for (const role of ['auditor', 'finance', 'card_operator'] as const) {
      assert.equal((await create({ fileName: 'c.mp4', sizeBytes: 10 }, tokens[role])).status, 403, role);
      assert.equal((await put(body.id, 0, fakeMp4(10), undefined, tokens[role])).status, 403, role);
      assert.equal(
        (await world.request('GET', `${api}/uploads/${body.id}`, { token: tokens[role] })).status,
        403,
      );
    }
    assert.deepEqual((await state(body.id)).body.received, []);
  });
});
