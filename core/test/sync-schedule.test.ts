import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mysqlServerUrl, startTestCore } from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import type { SyncRun } from '../src/client/index.ts';

// How identity-sync runs start: by themselves on a configured interval, or not at all without sources.
// The behaviour of a run itself is in sync.test.ts.

describe('identity sync on a schedule', () => {
  test('when an interval is configured, then runs start by themselves, the first one full', async () => {
    // Goal: the schedule is configuration; a fresh core reconciles fully first, then goes incremental.
    const campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 5, students: 20, staff: 5 });
    const t = await startTestCore('mysql', {
      ACADEMIC_DATABASE_URL: campus.academicUrl,
      HR_DATABASE_URL: campus.hrUrl,
      SYNC_INTERVAL_MS: '1000',
      SYNC_FULL_INTERVAL_MS: '3600000',
    });
    try {
      // Waits for two scheduled runs however slow the machine is (the runner's timeout bounds it): the
      // test is about which runs start, not how soon.
      let runs: SyncRun[] = [];
      while (runs.filter((r) => r.status === 'succeeded').length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        runs = (await t.client.syncRuns({ limit: 10 })).items;
      }
      const done = runs.filter((r) => r.status === 'succeeded').reverse();
      assert.ok(done.length >= 2, `${done.length} scheduled runs finished`);
      assert.deepEqual(
        done.slice(0, 2).map((r) => [r.trigger, r.kind]),
        [
          ['schedule', 'full'],
          ['schedule', 'incremental'],
        ],
      );
      assert.equal(done[0]?.counts.created, 25);
    } finally {
      await t.stop();
      await campus.close({ drop: true });
    }
  });
});

describe('identity sync in the embedded default', () => {
  test('when no source database is configured, then runs are refused with SYNC_NOT_CONFIGURED', async () => {
    // Goal: SQLite with no sources starts and answers clearly; nothing pretends to sync.
    const t = await startTestCore('sqlite');
    try {
      await assert.rejects(t.client.startSyncRun('full'), { code: 'SYNC_NOT_CONFIGURED' });
      assert.deepEqual((await t.client.syncRuns()).items, []);
      assert.deepEqual((await t.client.refundList()).items, []);
    } finally {
      await t.stop();
    }
  });
});
