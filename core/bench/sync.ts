/**
 * npm run bench:sync — identity sync from scratch on MariaDB: the campus stand-in seeds 20,000
 * students and 2,000 staff (mock/campus), then a real core syncs them all (cards, wallets,
 * attendance rosters), then runs a full reconcile with nothing to change, then an incremental run
 * after a batch of graduations and freshmen. Prints each run's time and counts.
 */
import { mysqlServerUrl, startTestCore } from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

const students = Number(process.env.BENCH_STUDENTS ?? 20_000);
const staff = Number(process.env.BENCH_STAFF ?? 2_000);
const changes = Number(process.env.BENCH_CHANGES ?? 500);

let seconds = performance.now();
const campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 2026, students, staff });
console.log(
  `seeded ${students} students, ${staff} staff, ${campus.data.enrolments.length} enrolments in ${((performance.now() - seconds) / 1000).toFixed(1)} s`,
);
const t = await startTestCore('mysql', {
  ACADEMIC_DATABASE_URL: campus.academicUrl,
  HR_DATABASE_URL: campus.hrUrl,
  SYNC_INTERVAL_MS: '0',
  SYNC_OVERLAP_MS: '0',
});

async function timed(label: string, kind: 'incremental' | 'full') {
  seconds = performance.now();
  const started = await t.client.startSyncRun(kind);
  await t.core.sync.idle();
  const run = await t.client.syncRun(started.id);
  const s = (performance.now() - seconds) / 1000;
  if (run.status !== 'succeeded') throw new Error(`${label} failed: ${run.failure}`);
  const c = run.counts;
  console.log(
    `${label.padEnd(34)} ${s.toFixed(1).padStart(6)} s  rows ${String(run.rowsRead).padStart(6)}  created ${c.created}  updated ${c.updated}  cancelled ${c.cancelled}  invalid ${c.invalid}  roster changes ${c.roster}  (${Math.round(run.rowsRead / s)} rows/s)`,
  );
}

try {
  await timed('from scratch (full)', 'full');
  await timed('full reconcile, nothing changed', 'full');
  await campus.graduate(campus.data.students.slice(0, changes).map((s) => s.studentNo));
  await campus.addStudents(changes, '03');
  await timed(`incremental, ${changes} graduates + ${changes} new`, 'incremental');
  const check = await checkLedger(t.core.db);
  if (!check.ok) throw new Error(`ledger check failed: ${check.breaks.join('; ')}`);
  console.log(`ledger:check ok (${check.accounts} accounts, ${check.transfers} journal entries)`);
} finally {
  await t.stop();
  await campus.close({ drop: true });
}
