// bench:insight (#17, docs/analytics.md): the insight store's initial build over months of synthetic
// campus activity, the daily incremental load, and the dashboard's queries, timed. The activity is
// generated a month at a time (synthetic-campus.ts, one seed per month) so memory stays bounded, and
// loaded in pages of 250,000 rows in time order as the extract reads them (a page of at least a
// DuckDB row group, 122,880 rows, is written straight to the file instead of through its log). The
// build prints its three parts apart (generating, loading, the summaries' refresh), each with its
// CPU time. Prints figures; the run is recorded in
// docs/benchmarks.md.
//   npm run bench:insight                      20,000 students, 12 months, a DuckDB file in /tmp
//   npm run bench:insight -- --quick           2,000 students, 3 months (a quick check)
//   npm run bench:insight -- --students N --months N

import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectAbnormalFromProfiles } from '../src/insight/abnormal-spending.ts';
import { loadNow, slotMs } from '../src/insight/canteen-load.ts';
import { hiddenNeedCandidates } from '../src/insight/hidden-need.ts';
import { InsightStore, type OperationRow } from '../src/insight/insight-store.ts';
import { spendingStructureOf } from '../src/insight/spending-structure.ts';
import { generateCampus } from '../src/insight/synthetic-campus.ts';
import { addMonthsToKey, dayBoundsMs, formatDay, monthDays, parseDay, parseMonth } from '../src/time.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, students: { type: 'string' }, months: { type: 'string' } },
});
const students = Number(values.students ?? (values.quick ? 2_000 : 20_000));
const months = Number(values.months ?? (values.quick ? 3 : 12));
const firstMonth = '2025-01';
const pageRows = 250_000;

const dir = mkdtempSync(join(tmpdir(), 'cc-bench-insight-'));
const store = await InsightStore.open({ path: join(dir, 'insight.duckdb') });
const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;
/** The process's CPU time (all threads, DuckDB's included) of each timed step, by its name. */
const cpuMs = new Map<string, number>();
const timed = async <T>(what: () => Promise<T>, name = ''): Promise<[T, number]> => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await what();
  const used = process.cpuUsage(cpu);
  cpuMs.set(name, Math.round((used.user + used.system) / 1_000));
  return [result, performance.now() - started];
};
const cpuOf = (name: string) => `${cpuMs.get(name) ?? 0} ms CPU`;
const load = async (rows: OperationRow[]) => {
  for (let i = 0; i < rows.length; i += pageRows) await store.putOperations(rows.slice(i, i + pageRows));
};
const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
console.log(`load average (1/5/15 min) at the start: ${loadAverage()} on ${os.cpus().length} CPUs`);

try {
  let total = 0;
  let generateMs = 0;
  let generateCpuMs = 0;
  let loadMs = 0;
  let loadCpuMs = 0;
  let lastMonth = firstMonth;
  for (let m = 0; m < months; m++) {
    const month = addMonthsToKey(firstMonth, m);
    const { first, last } = monthDays(parseMonth(month) as NonNullable<ReturnType<typeof parseMonth>>);
    const [campus, madeMs] = await timed(async () => {
      const made = generateCampus({ seed: 1_000 + m, students, firstDay: first, lastDay: last });
      // The generator writes student by student; the extract reads the journal in time order.
      made.operations.sort((a, b) => a.createdAtMs - b.createdAtMs);
      return made;
    }, 'generate');
    generateMs += madeMs;
    generateCpuMs += cpuMs.get('generate') ?? 0;
    if (m === 0) {
      await store.replaceMerchants(campus.merchants);
      await store.replaceHolders(campus.holders);
    }
    const [, ms] = await timed(() => load(campus.operations), 'month');
    loadMs += ms;
    loadCpuMs += cpuMs.get('month') ?? 0;
    total += campus.operations.length;
    lastMonth = month;
    console.log(
      `  ${month}: ${campus.operations.length.toLocaleString('en')} payments generated in ${seconds(madeMs)} (${cpuOf('generate')}), loaded in ${seconds(ms)} (${cpuOf('month')}); load average ${loadAverage()}`,
    );
  }
  // The summaries the pages read (card months, canteen slots), as the extract refreshes them after a run.
  const [days, refreshMs] = await timed(() => store.refresh(), 'refresh');
  console.log(`  summaries of ${days} days refreshed in ${seconds(refreshMs)} (${cpuOf('refresh')})`);
  const buildMs = loadMs + refreshMs;
  console.log(
    `initial build: ${total.toLocaleString('en')} payments of ${students.toLocaleString('en')} students over ${months} months in ${seconds(buildMs)} (${Math.round((loadCpuMs + (cpuMs.get('refresh') ?? 0)) / 1_000)} s CPU; ${Math.round(total / (buildMs / 1_000)).toLocaleString('en')} rows/s): loading ${seconds(loadMs)} (${Math.round(loadCpuMs / 1_000)} s CPU, ${Math.round(total / (loadMs / 1_000)).toLocaleString('en')} rows/s), the summaries' refresh ${seconds(refreshMs)}; generating the rows took ${seconds(generateMs)} more (${Math.round(generateCpuMs / 1_000)} s CPU)`,
  );

  // The daily incremental update: one more day's payments, as one extract run after midnight copies them.
  const nextDay = formatDay(
    (parseDay(
      monthDays(parseMonth(lastMonth) as NonNullable<ReturnType<typeof parseMonth>>).last,
    ) as number) + 1,
  );
  const day = generateCampus({ seed: 9_999, students, firstDay: nextDay, lastDay: nextDay });
  day.operations.sort((a, b) => a.createdAtMs - b.createdAtMs);
  const [, dayMs] = await timed(async () => {
    await load(day.operations);
    await store.refresh();
  }, 'day');
  console.log(
    `daily update: ${day.operations.length.toLocaleString('en')} payments of ${nextDay} in ${seconds(dayMs)} (${cpuOf('day')}; with the summaries' refresh)`,
  );

  // The dashboard's and the pages' queries.
  const dayStart = dayBoundsMs(parseDay(nextDay) as number).startMs;
  const [candidates, needMs] = await timed(() => hiddenNeedCandidates(store, lastMonth), 'need');
  const abnormalPass = async () => {
    const { profiles, payments } = await store.abnormalInput(dayStart, dayStart + 86_400_000);
    return detectAbnormalFromProfiles(profiles, payments, dayStart, dayStart + 86_400_000);
  };
  const [alerts, abnormalMs] = await timed(abnormalPass, 'abnormal');
  // The same pass again: what a second look at the dashboard costs, once the process and DuckDB are warm.
  const [, abnormalAgainMs] = await timed(abnormalPass, 'abnormal again');
  const someCard = candidates[0]?.cardNo ?? day.operations[0]?.cardNo ?? '';
  const [ownMonths, personMs] = await timed(
    () => store.monthFigures(addMonthsToKey(lastMonth, -12), lastMonth, someCard),
    'person',
  );
  const [structure, structureMs] = await timed(() => spendingStructureOf(store, lastMonth), 'structure');
  const [windows, loadNowMs] = await timed(
    async () =>
      loadNow(
        await store.slotCounts(dayStart - 56 * 86_400_000, dayStart + 86_400_000),
        parseDay(nextDay) as number,
        Math.floor((12 * 3_600_000) / slotMs),
      ),
    'load',
  );
  const [, totalsMs] = await timed(
    () => store.totalsByDayKind((parseDay(nextDay) as number) - 30, parseDay(nextDay) as number),
    'totals',
  );
  console.log(
    `hidden-need candidates of ${lastMonth} (with six months of history): ${candidates.length} in ${Math.round(needMs)} ms (${cpuOf('need')})`,
  );
  console.log(
    `abnormal spending over the day (60-day profiles): ${alerts.length} alerts in ${Math.round(abnormalMs)} ms (${cpuOf('abnormal')}); again ${Math.round(abnormalAgainMs)} ms (${cpuOf('abnormal again')})`,
  );
  console.log(
    `canteen load now and in 30 minutes (8 weeks of slots): ${windows.length} windows in ${Math.round(loadNowMs)} ms (${cpuOf('load')})`,
  );
  console.log(
    `one student's months (我的数据): ${ownMonths.length} months in ${Math.round(personMs)} ms (${cpuOf('person')})`,
  );
  console.log(
    `spending structure of ${lastMonth}: ${structure.items.length} departments in ${Math.round(structureMs)} ms (${cpuOf('structure')})`,
  );
  console.log(
    `daily totals by kind over 30 days (the reconciliation's query): ${Math.round(totalsMs)} ms (${cpuOf('totals')})`,
  );
  console.log(`load average (1/5/15 min) at the end: ${loadAverage()}`);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
