import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import { CoreError } from '../src/client/index.ts';
import { redisNames } from '../src/redis.ts';

const admin = { type: 'admin', id: 'A1' } as const;

/** Waits until the blacklist has followed the card (it follows after the card change is answered). */
async function untilVersion(t: TestCore, version: number): Promise<void> {
  for (let i = 0; i < 100 && (await t.core.blacklist.version()) < version; i++) await sleep(20);
}

for (const dialect of dialects) {
  describe(`blacklist (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect);
    });
    after(async () => {
      await t.stop();
    });

    test('when a card is reported lost and found again, then the list lists it, then lists only its old versions', async () => {
      // Goal: each status change is one versioned change; a card back in use still refuses its old codes.
      const before = await t.client.blacklistChanges(0);
      const cardNo = await openStudent(t.client);
      await t.client.changeCard(cardNo, 'report_loss', admin);
      await untilVersion(t, before.version + 1);
      const lost = await t.client.blacklist();
      assert.equal(lost.version, before.version + 1);
      assert.deepEqual(
        lost.entries.find((e) => e.cardNo === cardNo),
        { cardNo, cardVersionMax: 0xffff_ffff, reason: 'lost' },
      );
      const found = await t.client.changeCard(cardNo, 'cancel_loss', admin);
      await untilVersion(t, before.version + 2);
      const changes = await t.client.blacklistChanges(before.version);
      assert.equal(changes.version, before.version + 2);
      assert.deepEqual(changes.changes, [
        { version: before.version + 1, op: 'add', cardNo, cardVersionMax: 0xffff_ffff, reason: 'lost' },
        {
          version: before.version + 2,
          op: 'add',
          cardNo,
          cardVersionMax: found.version - 1,
          reason: 'reissued',
        },
      ]);
    });

    test('when an action changes nothing, then the list keeps its version', async () => {
      // Goal: a retried report of loss does not make devices download anything.
      const cardNo = await openStudent(t.client);
      const version = (await t.core.blacklist.version()) + 1;
      await t.client.changeCard(cardNo, 'freeze', admin);
      await untilVersion(t, version);
      const again = await t.client.changeCard(cardNo, 'freeze', admin);
      assert.equal(again.changed, false);
      assert.equal(await t.core.blacklist.follow(cardNo), undefined);
      assert.equal(await t.core.blacklist.version(), version);
    });

    test('when a card changed behind the list (a crash between the two commits), then reconcile catches it up', async () => {
      // Goal: the list never stays behind the cards table.
      const cardNo = await openStudent(t.client);
      await t.core.db.execute("UPDATE cards SET status = 'frozen', version = version + 1 WHERE card_no = ?", [
        cardNo,
      ]);
      assert.equal(await t.core.blacklist.reconcile(), 1);
      const snapshot = await t.client.blacklist();
      assert.equal(snapshot.entries.find((e) => e.cardNo === cardNo)?.reason, 'frozen');
      assert.equal(await t.core.blacklist.reconcile(), 0);
    });

    test('when a card changed back to active more than 7 days ago, then reconcile drops its reissued entry', async () => {
      // Goal: old versions are listed only while certificates of them can still be valid (protocol § 7.21).
      const cardNo = await openStudent(t.client);
      const version = (await t.core.blacklist.version()) + 2;
      await t.client.changeCard(cardNo, 'freeze', admin);
      await t.client.changeCard(cardNo, 'unfreeze', admin);
      await untilVersion(t, version);
      assert.equal((await t.client.blacklist()).entries.find((e) => e.cardNo === cardNo)?.reason, 'reissued');
      await t.core.db.execute('UPDATE cards SET updated_at_ms = ? WHERE card_no = ?', [
        Date.now() - 8 * 24 * 3_600_000,
        cardNo,
      ]);
      assert.equal(await t.core.blacklist.reconcile(), 1);
      assert.equal(
        (await t.client.blacklist()).entries.find((e) => e.cardNo === cardNo),
        undefined,
      );
      const last = (await t.client.blacklistChanges(version)).changes;
      assert.deepEqual(last, [{ version: version + 1, op: 'remove', cardNo }]);
    });

    test('when since is negative or not a number, then VALIDATION_FAILED', async () => {
      // Goal: bad input is a stable code and reads nothing.
      for (const since of [-1, Number.NaN]) {
        await assert.rejects(t.client.blacklistChanges(since), (e: unknown) => {
          return e instanceof CoreError && e.code === 'VALIDATION_FAILED';
        });
      }
    });
  });
}

describe('blacklist over Redis', () => {
  let t: TestCore;
  let subscriber: Redis;
  before(async () => {
    t = await startTestCore('mysql', { REDIS_URL: 'redis://127.0.0.1:6379' });
    subscriber = new Redis('redis://127.0.0.1:6379');
  });
  after(async () => {
    await subscriber.quit();
    await t.stop();
  });

  test('when a card is frozen, then its new list version is published on the Redis channel', async () => {
    // Goal: every gateway instance hears of the change at once.
    const versions: number[] = [];
    subscriber.on('message', (_channel, message) => versions.push(Number(message)));
    await subscriber.subscribe(redisNames(t.redisPrefix).channels.blacklist);
    const cardNo = await openStudent(t.client);
    const expected = (await t.core.blacklist.version()) + 1;
    await t.client.changeCard(cardNo, 'freeze', admin);
    for (let i = 0; i < 100 && !versions.includes(expected); i++) await sleep(20);
    // Other cores on the same Redis (parallel test files) publish on the channel too.
    assert.ok(versions.includes(expected), `version ${expected} published; heard ${versions.join(', ')}`);
  });
});
