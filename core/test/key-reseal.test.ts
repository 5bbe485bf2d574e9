// Key rotation for sealed personal data and photos (docs/operations.md § Key rotation), on MariaDB and
// SQLite: a core on a new PII_KEY / PHOTO_KEY with the old ones as PII_KEYS_PREVIOUS / PHOTO_KEYS_PREVIOUS
// reads everything sealed before; `npm run job -- reseal` seals every value again under the new key, in
// steps, resumable across a core restart and idempotent; afterwards a core with the new keys alone reads
// every value, the kiosk ID index and counter PIN reset still match, and device keys are unchanged.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { migratedDatabase, nodeArgsFor, testServiceKey } from '@campus-card/tests/kit';
import { type RunningCore, startCore } from '../src/app.ts';
import { CoreClient } from '../src/client/index.ts';
import { loadConfig } from '../src/config.ts';
import { sealedTables } from '../src/keys/key-reseal-repository.ts';
import { createLogger } from '../src/log.ts';
import { createPhotoKeys } from '../src/photos/photo-keys.ts';
import { createPii } from '../src/pii.ts';

const jobsScript = new URL('../scripts/jobs.ts', import.meta.url).pathname;
const hex = () => randomBytes(32).toString('hex');

async function coreOn(databaseUrl: string, keys: Record<string, string>) {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    CORE_PORT: '0',
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    LOG_LEVEL: 'silent',
    PAY_INTERVAL_MS_MIN: '0',
    PASSAGE_PEOPLE_FOLLOW_MS: '0',
    ...keys,
  });
  const core: RunningCore = await startCore(config, createLogger('reseal-test', 'silent'));
  const client = new CoreClient({ url: core.url, ...testServiceKey });
  return {
    core,
    client,
    async stop() {
      await client.close();
      await core.close();
    },
  };
}

async function runJob(
  url: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const nodeArgs = [...(await nodeArgsFor(jobsScript)), ...args];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      nodeArgs,
      {
        env: {
          ...process.env,
          CORE_URL: url,
          CORE_KEY_ID: testServiceKey.keyId,
          CORE_KEY_SECRET: testServiceKey.secret,
          RESEAL_ROWS: '2',
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every sealed value of a kind in the database, as [table.column, value]. */
async function sealedValues(core: RunningCore, kind: 'pii' | 'photos'): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const t of sealedTables[kind]) {
    const rows = await core.db.select<Record<string, string | null>>(
      `SELECT ${t.columns.join(', ')} FROM ${t.table}`,
    );
    for (const r of rows)
      for (const c of t.columns) if (r[c] != null) out.push([`${t.table}.${c}`, String(r[c])]);
  }
  return out;
}

const opens = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

for (const dialect of ['sqlite', 'mysql'] as const)
  describe(`key re-seal (${dialect})`, () => {
    test('when PII_KEY and PHOTO_KEY are rotated and the re-seal job runs, interrupted by a restart, then every value is sealed under the new keys, the old keys can go, and nothing a holder or device relies on changes', async () => {
      const database = await migratedDatabase(dialect);
      const [pii1, pii2, photo1, photo2] = [hex(), hex(), hex(), hex()];
      const people = ['110101200001011234', '11010519491231002X', '110105194912310053'];
      let a = await coreOn(database.url, { PII_KEY: pii1, PHOTO_KEY: photo1 });
      try {
        // Before the rotation: cards with ID numbers, phones and PINs (the kiosk index is made by a lookup),
        // a device with its key, photos sealed under PHOTO_KEY.
        const cards: string[] = [];
        for (const [i, idNumber] of people.entries()) {
          const card = await a.client.openCard({
            personNo: `RS${i}${Date.now().toString(36)}`,
            name: '轮换测试',
            type: 'student',
            department: '计算机学院',
            idNumber,
            phone: `1380000000${i}`,
          });
          await a.client.setPin(card.cardNo, '147258', { type: 'admin', id: 'admin-1' });
          cards.push(card.cardNo);
        }
        assert.equal(
          (await a.client.kioskIdentifyById({ idNumber: people[0] as string, pin: '147258' })).cardNo,
          cards[0],
        );
        const device = await a.client.registerDevice({
          id: String(7_000_000 + Math.floor(Math.random() * 1_000_000)),
          kind: 'pos',
        });
        const photoBytes = randomBytes(300);
        const oldPhotos = createPhotoKeys(photo1);
        for (const [i, cardNo] of cards.entries()) {
          const person = await a.client.getCard(cardNo);
          await a.core.db.execute(
            'INSERT INTO person_photos (id, person_no, media_type, sha256, bytes, sealed, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [
              `ph-${i}`,
              person.personNo,
              'image/jpeg',
              'x'.repeat(64),
              300,
              oldPhotos.seal(photoBytes),
              Date.now(),
            ],
          );
        }
        const oldPii = (await sealedValues(a.core, 'pii')).length;
        assert.ok(oldPii >= 7, `sealed PII values before: ${oldPii}`);
        await a.stop();

        // A core without PII_DIGEST_KEY beside PII_KEYS_PREVIOUS would derive every digest from the new key.
        assert.throws(
          () => loadConfig({ PII_KEY: pii2, PII_KEYS_PREVIOUS: pii1 }),
          /PII_KEYS_PREVIOUS is set but PII_DIGEST_KEY is not/,
        );
        const rotated = {
          PII_KEY: pii2,
          PII_KEYS_PREVIOUS: pii1,
          PII_DIGEST_KEY: pii1,
          PHOTO_KEY: photo2,
          PHOTO_KEYS_PREVIOUS: photo1,
        };
        a = await coreOn(database.url, rotated);
        // The new keys seal, the previous ones still open: the device's key and a counter PIN reset by ID number.
        assert.equal((await a.client.deviceKey(device.id)).keyHex, device.keyHex);
        await a.client.resetPinAtCounter(cards[1] as string, '258369', people[1] as string, {
          type: 'admin',
          id: 'admin-1',
        });
        const fresh = await a.client.openCard({
          personNo: `RSN${Date.now().toString(36)}`,
          name: '轮换测试',
          type: 'staff',
          department: '后勤处',
          idNumber: '110101200001019999',
          phone: '13800000009',
        });
        const newPii = createPii(pii2);
        const [freshSealed] = await a.core.db.select<{ phone_enc: string }>(
          'SELECT phone_enc FROM persons WHERE person_no = ?',
          [fresh.personNo],
        );
        assert.equal(newPii.decrypt(freshSealed?.phone_enc as string), '13800000009');

        // One small step, then the core goes away in the middle of the run.
        const first = await a.client.resealStep('pii', { rowsMax: 2 });
        assert.deepEqual([first.table, first.rowsScanned, first.finishedAtMs], ['persons', 2, null]);
        assert.ok(first.rowsTotal >= 5);
        await a.stop();

        a = await coreOn(database.url, rotated);
        assert.equal((await a.client.resealProgress('pii')).run?.rowsScanned, 2, 'the run kept its place');
        const job = await runJob(a.core.url, ['reseal', 'pii']);
        assert.equal(job.code, 0, job.stderr);
        assert.match(job.stdout, /^persons 4\/\d+ rows \d+% · resealed \d+ unreadable 0$/m);
        assert.match(job.stdout, /^done (\d+)\/\1 rows 100% · resealed \d+ unreadable 0$/m);
        const done = await a.client.resealProgress('pii');
        assert.ok(done.run?.finishedAtMs);
        // Every value sealed before was sealed again once, the one sealed under the new key left alone.
        assert.equal(done.run?.valuesResealed, oldPii);
        const photos = await a.client.resealStep('photos', { rowsMax: 2 });
        assert.equal(photos.finishedAtMs, null);
        const photoJob = await runJob(a.core.url, ['reseal', 'photos']);
        assert.equal(photoJob.code, 0, photoJob.stderr);
        assert.equal((await a.client.resealProgress('photos')).run?.valuesResealed, people.length);

        // Idempotent: scanning again changes nothing.
        let again = await a.client.resealStep('pii', { restart: true, rowsMax: 500 });
        while (again.finishedAtMs === null) again = await a.client.resealStep('pii', { rowsMax: 500 });
        assert.equal(again.valuesResealed, 0);
        const audit = await a.client.searchAudit({ action: 'keys.reseal_finish', limit: 5 });
        assert.ok(audit.items.length >= 3);
        await a.stop();

        // The old keys are gone: everything opens under the new ones alone.
        a = await coreOn(database.url, { PII_KEY: pii2, PII_DIGEST_KEY: pii1, PHOTO_KEY: photo2 });
        for (const [where, value] of await sealedValues(a.core, 'pii'))
          assert.ok(
            opens(() => newPii.decrypt(value)),
            `${where} opens under the new PII_KEY`,
          );
        const newPhotos = createPhotoKeys(photo2);
        for (const [, value] of await sealedValues(a.core, 'photos'))
          assert.deepEqual(newPhotos.open(value), photoBytes);
        assert.equal((await a.client.deviceKey(device.id)).keyHex, device.keyHex);
        // The kiosk index moved along with the sealed numbers (no row left stale) and still finds the card.
        const stale = await a.core.db.select<{ n: number }>(
          'SELECT COUNT(*) AS n FROM kiosk_id_index k JOIN persons p ON p.id = k.person_id WHERE k.source_enc <> p.id_number_enc',
        );
        assert.equal(Number(stale[0]?.n), 0);
        assert.equal(
          (await a.client.kioskIdentifyById({ idNumber: people[0] as string, pin: '147258' })).cardNo,
          cards[0],
        );
        await a.client.resetPinAtCounter(cards[2] as string, '369147', people[2] as string, {
          type: 'admin',
          id: 'admin-1',
        });
      } finally {
        await a.stop();
        await database.drop();
      }
    });
  });
