/**
 * Measures the hidden-need detector against a synthetic term with planted truth (docs/analytics.md):
 * loads the generated activity into an in-memory insight store, asks for each month's candidates,
 * and prints precision and recall over student-months, with what was flagged by profile. Exits 1
 * when either falls below 0.8. `npm run eval:insight [-- --seed N --students N]`.
 */
import { parseArgs } from 'node:util';
import { detectHiddenNeed, hiddenNeedDefaults } from '../src/insight/hidden-need.ts';
import { InsightStore } from '../src/insight/insight-store.ts';
import { generateCampus, syntheticDefaults } from '../src/insight/synthetic-campus.ts';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, students: { type: 'string' } },
});
const seed = Number(values.seed ?? syntheticDefaults.seed);
const studentCount = Number(values.students ?? syntheticDefaults.students);
const targetMin = 0.8;

const startedMs = Date.now();
const campus = generateCampus({ seed, students: studentCount });
const store = await InsightStore.open({ path: ':memory:' });
try {
  await store.replaceMerchants(campus.merchants);
  await store.replaceHolders(campus.holders);
  await store.putOperations(campus.operations);
  await store.putAttendance(campus.attendance);
  const figures = await store.monthFigures(campus.months[0] as string, campus.months.at(-1) as string);
  const profileOf = new Map(campus.students.map((s) => [s.cardNo, s.profile]));
  let truePositives = 0;
  let falsePositives = 0;
  const flaggedByProfile: Record<string, number> = {};
  const lines: string[] = [];
  for (const month of campus.months) {
    const candidates = detectHiddenNeed(figures, month);
    let monthTp = 0;
    for (const c of candidates) {
      const profile = profileOf.get(c.cardNo) ?? '?';
      const needy = campus.needyMonths.has(`${c.cardNo}|${month}`);
      flaggedByProfile[needy ? 'needy' : profile] = (flaggedByProfile[needy ? 'needy' : profile] ?? 0) + 1;
      if (needy) monthTp += 1;
      else falsePositives += 1;
    }
    truePositives += monthTp;
    const planted = [...campus.needyMonths].filter((k) => k.endsWith(`|${month}`)).length;
    lines.push(`  ${month}: ${candidates.length} flagged, ${monthTp} of ${planted} planted`);
  }
  const planted = campus.needyMonths.size;
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, planted);
  console.log(
    `hidden need, seed ${seed}: ${campus.students.length} students, ${campus.months.length} months, ${campus.operations.length} payments, ${campus.attendance.length} sign-ins`,
  );
  console.log(`thresholds ${JSON.stringify(hiddenNeedDefaults)}`);
  for (const line of lines) console.log(line);
  console.log(`flagged by planted profile: ${JSON.stringify(flaggedByProfile)}`);
  console.log(
    `precision ${precision.toFixed(3)} (${truePositives}/${truePositives + falsePositives}), recall ${recall.toFixed(3)} (${truePositives}/${planted}) — target ≥ ${targetMin}/${targetMin}; ${Date.now() - startedMs} ms`,
  );
  if (precision < targetMin || recall < targetMin) process.exitCode = 1;
} finally {
  store.close();
}
