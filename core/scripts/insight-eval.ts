/**
 * Measures the detectors against a synthetic term with planted truth (docs/analytics.md): loads the
 * generated activity into an in-memory insight store, then
 * - hidden need: each month's candidates, precision and recall over student-months, what was flagged
 *   by profile; exits 1 when either falls below 0.8;
 * - abnormal spending: the last month's alerts against the planted thefts, without the payment path's
 *   PIN step-up and with it (its defaults, and without its ask at bursts anywhere): precision, recall by theft kind, the thief's payments until flagged (a
 *   payment refused for the PIN counts as one), false alarms per 1,000 students per month, and how
 *   often owners were asked for their PIN;
 * - attendance warnings: read each day of the term's last 45 against the planted dropouts: recall,
 *   days until warned, and the students warned who were not planted, by profile;
 * - canteen load: each canteen's 15-minute slots over the term's last four weeks forecast the day
 *   before, MAPE over busy slots (10 payments or more).
 * `npm run eval:insight [-- --seed N --students N]`.
 */
import { parseArgs } from 'node:util';
import {
  abnormalDefaults,
  detectAbnormalSpending,
  profileStartMs,
} from '../src/insight/abnormal-spending.ts';
import { absenceSpendingDefaults, detectSpendingDuringAbsence } from '../src/insight/absence-spending.ts';
import { detectAttendanceWarnings } from '../src/insight/attendance-warnings.ts';
import { dailySeries, evaluateLoad } from '../src/insight/canteen-load.ts';
import { detectHiddenNeed, hiddenNeedDefaults } from '../src/insight/hidden-need.ts';
import { InsightStore } from '../src/insight/insight-store.ts';
import { plantAbsences } from '../src/insight/synthetic-absences.ts';
import { plantDropouts } from '../src/insight/synthetic-attendance.ts';
import { generateCampus, syntheticDefaults } from '../src/insight/synthetic-campus.ts';
import { plantThefts, scoreAbnormal } from '../src/insight/synthetic-thefts.ts';
import { type StepUpRule, stepUpDefaults } from '../src/ledger/risk-step-up.ts';
import { dayBoundsMs, formatDay, parseDay } from '../src/time.ts';

const { values } = parseArgs({
  options: { seed: { type: 'string' }, students: { type: 'string' }, only: { type: 'string' } },
});
const seed = Number(values.seed ?? syntheticDefaults.seed);
const studentCount = Number(values.students ?? syntheticDefaults.students);
const targetMin = 0.8;

const startedMs = Date.now();
const campus = generateCampus({ seed, students: studentCount });
/** `--only abnormal` (or hidden-need, attendance, absence, canteen): one detector's figures. */
const runs = (detector: string) => values.only === undefined || values.only === detector;
if (runs('hidden-need')) {
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
}

// Abnormal spending: the same term with thefts and harmless oddities planted (synthetic-thefts.ts),
// without the payment path's PIN step-up (the journal as it was before it) and with it under two rules
// (the rule's defaults, and without its ask at bursts anywhere).
if (runs('abnormal')) {
  const stepUps: [string, StepUpRule | null][] = [
    ['no PIN step-up', null],
    [
      `PIN step-up, defaults (${stepUpDefaults.highPaymentsMin} payments of ¥${stepUpDefaults.amountMinFen / 100}+ within ${stepUpDefaults.windowMs / 60_000} min, ${stepUpDefaults.newPlacePaymentsMin} at a new place: the next needs the PIN; the ${stepUpDefaults.burstPaymentsMin}rd anywhere needs it itself)`,
      stepUpDefaults,
    ],
    [
      'PIN step-up without the ask at bursts anywhere (as before)',
      { ...stepUpDefaults, burstPaymentsMin: 0 },
    ],
  ];
  for (const [setting, stepUp] of stepUps) {
    const theftCampus = plantThefts(campus, { seed, stepUp });
    const theftStore = await InsightStore.open({ path: ':memory:' });
    try {
      await theftStore.replaceMerchants(theftCampus.merchants);
      await theftStore.replacePlaces(theftCampus.places);
      await theftStore.replaceHolders(campus.holders);
      await theftStore.putOperations(theftCampus.operations);
      await theftStore.putCodeUses(theftCampus.codeUses);
      await theftStore.putCardEvents(theftCampus.cardEvents);
      const profileFromMs = profileStartMs(theftCampus.fromMs, abnormalDefaults.profileDays);
      const points = await theftStore.paymentPoints(profileFromMs, theftCampus.toMs);
      const pins = await theftStore.pinEvidence(profileFromMs, theftCampus.toMs);
      const stolen = new Set(theftCampus.thefts.map((t) => t.cardNo));
      const inMonth = (atMs: number) => atMs >= theftCampus.fromMs && atMs < theftCampus.toMs;
      const ownerStepUps = pins.filter(
        (e) => e.kind === 'step_up' && inMonth(e.atMs) && !stolen.has(e.cardNo),
      );
      const perThousand = (n: number) => ((n * 1000) / campus.students.length).toFixed(1);
      console.log(
        `abnormal spending, ${campus.months.at(-1)}, ${setting}: ${theftCampus.thefts.length} thefts planted among ${campus.students.length} students; owners asked for the PIN ${ownerStepUps.length} times (${perThousand(ownerStepUps.length)} per 1,000 students in the month)`,
      );
      const variants: [string, Partial<typeof abnormalDefaults>][] = stepUp
        ? [
            [
              `defaults, with the pay codes and the PIN evidence (a prompt left unanswered waits ${abnormalDefaults.pinLeftMs / 3_600_000} h for the owner)`,
              {},
            ],
            ['the same, a prompt left unanswered waits 10 min only', { pinLeftMs: 10 * 60_000 }],
            ['the same, new_places left to the step-up', { newPlacesByStepUp: true }],
            [
              'new_places and high_burst left to the step-up',
              { newPlacesByStepUp: true, highBurstByStepUp: true },
            ],
          ]
        : [
            ['defaults, with the pay codes', {}],
            [
              'stricter (3 new places, 4 high payments), with the pay codes',
              { newPlacePaymentsMin: 3, highPaymentsMin: 4 },
            ],
          ];
      for (const [name, thresholds] of variants) {
        const alerts = detectAbnormalSpending(points, theftCampus.fromMs, theftCampus.toMs, thresholds, pins);
        const s = scoreAbnormal(alerts, theftCampus.thefts);
        const falseReasons: Record<string, number> = {};
        for (const a of alerts)
          if (!stolen.has(a.cardNo))
            for (const r of a.reasons) falseReasons[r.code] = (falseReasons[r.code] ?? 0) + 1;
        const flagged = s.paymentsUntilFlagged.length;
        const within3 = s.paymentsUntilFlagged.filter((n) => n <= 3).length;
        const kinds = Object.entries(s.byKind)
          .map(([kind, k]) => `${kind} ${k.flagged}/${k.planted} (${k.within3} by the 3rd payment)`)
          .join(', ');
        console.log(
          `  ${name}: precision ${(s.truePositives / Math.max(1, s.alerts)).toFixed(3)} (${s.truePositives}/${s.alerts}), recall ${(flagged / Math.max(1, s.thefts)).toFixed(3)} (${flagged}/${s.thefts}; ${kinds}); flagged within 3 payments ${within3}/${flagged}, payments until flagged ${JSON.stringify(s.paymentsUntilFlagged)}; false alarms ${perThousand(s.falseAlarms)} per 1,000 students in the month (${s.falseAlarms}; reasons on cards not stolen ${JSON.stringify(falseReasons)})`,
        );
      }
    } finally {
      theftStore.close();
    }
  }
}

// Attendance warnings: the same term with class rosters and dropouts planted (synthetic-attendance.ts).
if (runs('attendance')) {
  const classes = plantDropouts(campus, { seed });
  const classStore = await InsightStore.open({ path: ':memory:' });
  try {
    await classStore.replaceHolders(campus.holders);
    await classStore.putOperations(classes.operations);
    await classStore.putAttendance(classes.attendance);
    await classStore.putSessions(classes.sessions);
    const dayMs = 86_400_000;
    const facts = await classStore.rosterFacts(classes.firstMs, classes.lastMs);
    const profileOf = new Map(campus.students.map((s) => [s.cardNo, s.profile]));
    const planted = new Map(classes.dropouts.map((d) => [d.personNo, d]));
    const daysUntil = new Map<string, number>();
    const others = new Map<string, string>();
    for (let asOf = classes.lastMs - 45 * dayMs; asOf <= classes.lastMs; asOf += dayMs) {
      const seen = await classStore.lastSeen(asOf - 60 * dayMs, asOf);
      for (const w of detectAttendanceWarnings(facts, seen, asOf)) {
        const d = planted.get(w.personNo);
        if (d && asOf > d.fromMs) {
          if (!daysUntil.has(w.personNo)) daysUntil.set(w.personNo, Math.round((asOf - d.fromMs) / dayMs));
        } else if (!d) others.set(w.personNo, profileOf.get(w.cardNo) ?? '?');
      }
    }
    const byProfile: Record<string, number> = {};
    for (const p of others.values()) byProfile[p] = (byProfile[p] ?? 0) + 1;
    const notAway = [...others.values()].filter((p) => p !== 'away').length;
    const days = [...daysUntil.values()].sort((a, b) => a - b);
    console.log(
      `attendance warnings, the last 45 days read daily: ${classes.dropouts.length} dropouts planted (${classes.dropouts.filter((d) => d.missing).length} not seen at all)`,
    );
    console.log(
      `  recall ${(daysUntil.size / Math.max(1, classes.dropouts.length)).toFixed(3)} (${daysUntil.size}/${classes.dropouts.length}), days from dropping out to the warning ${JSON.stringify(days)}; other students warned ${others.size} ${JSON.stringify(byProfile)}; precision ${(daysUntil.size / Math.max(1, daysUntil.size + others.size)).toFixed(3)}, ${(daysUntil.size / Math.max(1, daysUntil.size + notAway)).toFixed(3)} counting away students as rightly warned`,
    );
  } finally {
    classStore.close();
  }
}

// Spending during a reported absence: the last month with approved absences planted (synthetic-absences.ts),
// students on leave, some lingering on campus near its ends, and thieves using cards of students away; the
// absences and payments read back through the store, assessed one day at a time as the alert job does.
if (runs('absence')) {
  const dayMs = 86_400_000;
  const planted = plantAbsences(campus, { seed });
  const absenceStore = await InsightStore.open({ path: ':memory:' });
  try {
    await absenceStore.replaceHolders(campus.holders);
    await absenceStore.putOperations(planted.operations);
    await absenceStore.putAbsences(planted.absences);
    const alerted = new Map<string, { atMs: number; paymentId: string }>();
    for (let day = planted.fromMs; day < planted.toMs; day += dayMs) {
      const spans = await absenceStore.absenceSpans(day, day + dayMs);
      const earliest = Math.min(day, ...spans.map((x) => x.fromMs));
      const payments = await absenceStore.cardPayments(
        [...new Set(spans.map((x) => x.cardNo))],
        earliest,
        day + dayMs,
      );
      for (const a of detectSpendingDuringAbsence(spans, payments, day, day + dayMs))
        if (!alerted.has(a.cardNo)) alerted.set(a.cardNo, { atMs: a.atMs, paymentId: a.paymentId });
    }
    const thieves = new Map(planted.thefts.map((t) => [t.cardNo, t]));
    const truePositives = [...alerted.keys()].filter((c) => thieves.has(c)).length;
    const falseAlarms = alerted.size - truePositives;
    const until = [...alerted.entries()]
      .filter(([c]) => thieves.has(c))
      .map(([c, a]) => (thieves.get(c)?.paymentIds.indexOf(a.paymentId) ?? -2) + 1)
      .sort((x, y) => x - y);
    const offCampus = planted.absences.filter((a) => a.offCampus).length;
    console.log(
      `spending during an absence, ${campus.months.at(-1)}: ${planted.absences.length} approved absences (${offCampus} off campus), ${thieves.size} cards of students away used by a thief; thresholds ${JSON.stringify(absenceSpendingDefaults)}`,
    );
    console.log(
      `  precision ${(truePositives / Math.max(1, alerted.size)).toFixed(3)} (${truePositives}/${alerted.size}), recall ${(truePositives / Math.max(1, thieves.size)).toFixed(3)} (${truePositives}/${thieves.size}); the thief's payments until flagged ${JSON.stringify(until)}; false alarms ${falseAlarms} (${((falseAlarms * 1000) / campus.students.length).toFixed(2)} per 1,000 students in the month)`,
    );
  } finally {
    absenceStore.close();
  }
}

// Canteen load: the term's canteen payments per 15-minute slot, the last four weeks forecast a day ahead.
if (runs('canteen')) {
  const loadStore = await InsightStore.open({ path: ':memory:' });
  try {
    await loadStore.replaceMerchants(campus.merchants);
    await loadStore.putOperations(campus.operations);
    const first = parseDay(campus.firstDay) as number;
    const last = parseDay(campus.lastDay) as number;
    const holidays = new Set<number>();
    // The National Day week, as synthetic-campus.ts plants it.
    for (let day = first; day <= last; day++) {
      const monthDay = formatDay(day).slice(5);
      if (monthDay >= '10-01' && monthDay <= '10-07') holidays.add(day);
    }
    const counts = await loadStore.slotCounts(dayBoundsMs(first).startMs, dayBoundsMs(last).endMs);
    const results = evaluateLoad(dailySeries(counts), first, last - 27, last, holidays, 10);
    console.log(
      'canteen load, the last 28 days forecast the day before (Holt-Winters without trend, per day type):',
    );
    for (const r of results)
      console.log(
        `  ${r.window}: MAPE ${(r.mape * 100).toFixed(1)} % over ${r.busySlots} busy slots (10 payments or more)`,
      );
  } finally {
    loadStore.close();
  }
}
