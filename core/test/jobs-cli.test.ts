import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  mysqlServerUrl,
  nodeArgsFor,
  startTestCore,
  type TestCore,
  testServiceKey,
} from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import { addDays, shanghaiToday } from '../src/time.ts';

// npm run sync and npm run job (core/scripts/jobs.ts): the backoffice's jobs from the command line, through
// the running core's signed API, against a core with real academic-affairs and HR databases.
const script = new URL('../scripts/jobs.ts', import.meta.url).pathname;

async function runJobs(
  core: TestCore,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const nodeArgs = [...(await nodeArgsFor(script)), ...args];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      nodeArgs,
      {
        env: {
          ...process.env,
          CORE_URL: core.core.url,
          CORE_KEY_ID: testServiceKey.keyId,
          CORE_KEY_SECRET: testServiceKey.secret,
          JOBS_POLL_MS: '100',
          ...env,
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('jobs from the command line', () => {
  let campus: Campus;
  let t: TestCore;
  before(async () => {
    campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 5, students: 20, staff: 5 });
    t = await startTestCore('mysql', {
      ACADEMIC_DATABASE_URL: campus.academicUrl,
      HR_DATABASE_URL: campus.hrUrl,
      SYNC_INTERVAL_MS: '0',
    });
  });
  after(async () => {
    await t?.stop();
    await campus?.close({ drop: true });
  });

  test('when npm run sync -- --full runs, then it starts a full run, prints its progress and counts, and exits 0 once it succeeded', async () => {
    const full = await runJobs(t, ['sync', '--full']);
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stdout, /^sync [0-9A-Z]{26} started \(full\)$/m);
    assert.match(full.stdout, /created 25 updated 0 cancelled 0 invalid 0/);
    assert.match(full.stdout, /^sync [0-9A-Z]{26} succeeded in \d+ s$/m);
    // The backoffice sees the same run: started by the system, full, its counts.
    const [run] = (await t.client.syncRuns({ limit: 1 })).items;
    assert.deepEqual(
      [run?.kind, run?.trigger, run?.status, run?.counts.created],
      ['full', 'system', 'succeeded', 25],
    );

    const incremental = await runJobs(t, ['sync']);
    assert.equal(incremental.code, 0, incremental.stderr);
    assert.match(incremental.stdout, /started \(incremental\)/);
    assert.match(incremental.stdout, /created 0 /);
  });

  test("when another job is named, then it runs through the core and prints its answer, or the core's refusal with exit 1", async () => {
    const settled = await runJobs(t, ['settle', addDays(shanghaiToday(), -1)]);
    assert.equal(settled.code, 0, settled.stderr);
    assert.ok(Array.isArray(JSON.parse(settled.stdout)), settled.stdout);
    // Today has not ended in Shanghai: the core refuses, and the script says so.
    const early = await runJobs(t, ['settle', shanghaiToday()]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /^settle: VALIDATION_FAILED /m);
  });

  test('when the job, its arguments or the key are wrong, then it says so and exits 2 (usage) or 1 (refused)', async () => {
    const unknown = await runJobs(t, ['nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown job nope/);
    assert.match(unknown.stderr, /settle \[YYYY-MM-DD\]/);
    const badDay = await runJobs(t, ['settle', '2026/12/01']);
    assert.equal(badDay.code, 2);
    assert.match(badDay.stderr, /a day is YYYY-MM-DD/);
    const badFlag = await runJobs(t, ['sync', '--fast']);
    assert.equal(badFlag.code, 2);
    const refused = await runJobs(t, ['sync'], { CORE_KEY_SECRET: 'another-secret-0123456789abcdef' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^sync: [A-Z_]+ /m);
  });
});
