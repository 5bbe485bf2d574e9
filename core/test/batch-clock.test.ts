import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type BatchKeys, BatchRepository } from '../src/ledger/batch-repository.ts';

// MariaDB only: SQLite serialises whole write transactions, so one batch never waits inside another.
describe('the clock of a ledger batch on MariaDB', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('mysql');
  });
  after(() => t.stop());

  test('when a batch waits for a card another batch has locked, then its clock is read after the wait, never earlier than the batch it waited for', async () => {
    // Goal: "the card paid at this device a moment ago" compares a batch's clock with the time the
    // previous batch stamped on the card; a clock read before the lock made that difference negative.
    const cardNo = await openStudent(t.client);
    const db = t.core.db;
    const batches = new BatchRepository(db);
    const keys: BatchKeys = {
      operationIds: [],
      holdIds: [],
      paymentIds: [],
      cardNos: [cardNo],
      merchantIds: [],
      accountIds: [],
    };
    let locked!: () => void;
    const firstHasLock = new Promise<void>((resolve) => {
      locked = resolve;
    });
    let firstClock = 0;
    const first = db.transaction(async (tx) => {
      const rows = await batches.load(keys, tx);
      assert.ok(rows.cards.has(cardNo));
      locked();
      await new Promise((resolve) => setTimeout(resolve, 300));
      firstClock = rows.nowMs;
      const [stamp] = (await db.run([{ sql: `SELECT ${db.nowMsSql} AS now_ms`, params: [] }], tx)) as {
        now_ms: number;
      }[][];
      return Number(stamp?.[0]?.now_ms);
    });
    await firstHasLock;
    const second = db.transaction((tx) => batches.load(keys, tx));
    const [releasedAtMs, waited] = await Promise.all([first, second]);
    assert.ok(releasedAtMs - firstClock >= 250, 'the first batch held the card for its pause');
    assert.ok(
      waited.nowMs >= releasedAtMs,
      `the waiting batch's clock ${waited.nowMs} is before the first let go at ${releasedAtMs}`,
    );
  });
});
