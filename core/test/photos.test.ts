import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects, mysqlServerUrl, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import { portraitPng } from '../../mock/campus/photos.ts';
import { CoreError } from '../src/client/index.ts';
import { photoBytesMax } from '../src/photos/photo-format.ts';

/**
 * Person photos (#15): copied from the campus stand-in's photo tables incrementally, sealed at rest under
 * PHOTO_KEY, and handed to exam readers by short-lived references bound to the reader.
 */
for (const dialect of dialects)
  describe(`person photos from the academic-affairs and HR photo tables, core on ${dialect}`, () => {
    let campus: Campus;
    let t: TestCore;
    const photoKey = randomBytes(32).toString('hex');

    before(async () => {
      campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 23, students: 40, staff: 10 });
      t = await startTestCore(dialect, {
        ACADEMIC_DATABASE_URL: campus.academicUrl,
        HR_DATABASE_URL: campus.hrUrl,
        SYNC_INTERVAL_MS: '0',
        PHOTO_KEY: photoKey,
      });
      const started = await t.client.startSyncRun('incremental', { type: 'admin', id: 'admin-1' });
      await t.core.sync.idle();
      assert.equal((await t.client.syncRun(started.id)).status, 'succeeded');
    });
    after(async () => {
      await t.stop();
      await campus.close({ drop: true });
    });

    const student = (i: number) => (campus.data.students[i] as { studentNo: string }).studentNo;
    async function stored(personNo: string) {
      const [row] = await t.core.db.select<{ sealed: string; sha256: string; bytes: number }>(
        'SELECT sealed, sha256, bytes FROM person_photos WHERE person_no = ?',
        [personNo],
      );
      return row;
    }
    async function cardNoOf(personNo: string): Promise<string> {
      const [row] = await t.core.db.select<{ card_no: string }>(
        'SELECT c.card_no FROM cards c JOIN persons p ON p.id = c.person_id WHERE p.person_no = ?',
        [personNo],
      );
      assert.ok(row);
      return String(row.card_no);
    }

    test('when photos are synced, then each is stored sealed: the column holds neither the bytes nor their base64, and opens to them with the key', async () => {
      assert.deepEqual(await t.client.syncPhotos(), { stored: 50, unchanged: 0, removed: 0, refused: 0 });
      const personNo = student(0);
      const png = portraitPng(personNo);
      const row = await stored(personNo);
      assert.ok(row);
      assert.equal(row.bytes, png.byteLength);
      assert.equal(row.sha256, createHash('sha256').update(png).digest('hex'));
      const sealed = String(row.sealed);
      assert.match(sealed, /^v1\./);
      assert.ok(!sealed.includes(png.toString('base64').slice(0, 24)));
      assert.ok(!sealed.includes(png.toString('base64url').slice(0, 24)));
      assert.ok(!Buffer.from(sealed).includes(png.subarray(0, 16)));
      // The reader's path opens it: the very bytes of the source.
      const ref = await t.client.photoReference(await cardNoOf(personNo), '7001');
      assert.ok(ref.reference);
      const photo = await t.client.photoByReference(ref.reference.reference, '7001');
      assert.equal(photo.mediaType, 'image/png');
      assert.deepEqual(Buffer.from(photo.data, 'base64'), png);
    });

    test('when the sync runs again, then only a retaken or removed photo is touched, and a photo that is not an image or too large is refused', async () => {
      assert.deepEqual(await t.client.syncPhotos(), { stored: 0, unchanged: 0, removed: 0, refused: 0 });
      const before = await stored(student(1));
      await campus.setPhoto('student', student(1), portraitPng(student(1), 2));
      await campus.setPhoto('student', student(2), null);
      await campus.setPhoto('student', student(3), Buffer.from('GIF89a not a photo we take'));
      await campus.setPhoto(
        'student',
        student(4),
        Buffer.concat([portraitPng(student(4)), Buffer.alloc(photoBytesMax)]),
      );
      // Unchanged bytes written again move the row's stamp, not its hash: read, not stored again.
      await campus.setPhoto('student', student(5), portraitPng(student(5)));
      assert.deepEqual(await t.client.syncPhotos(), { stored: 1, unchanged: 1, removed: 1, refused: 2 });
      const after = await stored(student(1));
      assert.notEqual(after?.sha256, before?.sha256);
      assert.equal(await stored(student(2)), undefined);
      // The refused ones keep what was held before.
      assert.equal(
        (await stored(student(3)))?.sha256,
        createHash('sha256')
          .update(portraitPng(student(3)))
          .digest('hex'),
      );
      assert.deepEqual((await t.client.photoReference(await cardNoOf(student(2)), '7001')).reference, null);
    });

    test('when a reference is used by another reader, altered, or after its expiry, then it is refused', async () => {
      const cardNo = await cardNoOf(student(6));
      const ref = (await t.client.photoReference(cardNo, '7002')).reference;
      assert.ok(ref);
      assert.ok(ref.expiresAtMs - Date.now() <= 120_000);
      const code = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: unknown) => (e instanceof CoreError ? e.code : String(e)),
        );
      assert.equal(await code(t.client.photoByReference(ref.reference, '7003')), 'PHOTO_REFERENCE_INVALID');
      const [id, expires, mac] = ref.reference.split('.') as [string, string, string];
      const later = `${id}.${Number(expires) + 60_000}.${mac}`;
      assert.equal(await code(t.client.photoByReference(later, '7002')), 'PHOTO_REFERENCE_INVALID');
      const other = (await t.client.photoReference(await cardNoOf(student(7)), '7002')).reference;
      assert.ok(other);
      const swapped = `${other.reference.split('.')[0]}.${expires}.${mac}`;
      assert.equal(await code(t.client.photoByReference(swapped, '7002')), 'PHOTO_REFERENCE_INVALID');
      assert.equal(
        await code(t.client.photoByReference('not-a-reference', '7002')),
        'PHOTO_REFERENCE_INVALID',
      );
      // The genuine one works, and past its expiry (the service asked as of then) it is expired.
      assert.equal(await code(t.client.photoByReference(ref.reference, '7002')), 'ok');
      await assert.rejects(
        t.core.photos.byReference(ref.reference, '7002', ref.expiresAtMs),
        (e: unknown) => e instanceof Error && 'code' in e && e.code === 'PHOTO_REFERENCE_EXPIRED',
      );
    });
  });
