import type { AttendanceReason, AttendanceWarning, AttendanceWarningsAnswer } from '../contract/insight.ts';
import type { InsightStore, RosterFact } from './insight-store.ts';

/**
 * Attendance warnings for counsellors (辅导员): students who stop going to class, or who are not seen
 * at all. Read at one instant (asOf) from the class sessions that ended before it, their rosters and
 * sign-ins, and each student's last sign of life (a payment, a sign-in, a gate pass):
 *
 * - absence_streak: the student's last streakMin rostered classes or more were all missed;
 * - falling: over the last recentDays the student attended at most fallingRatioMax of the rate of
 *   the others on the same sessions (sessionsMin sessions at least), after attending clearly more in
 *   the earlierDays before (by fallMin or more);
 * - not_seen: no sign of life for silentDaysMin days or more, while classes were on their roster in
 *   that time (a student the timetable expects on campus; in holidays nobody is warned);
 * - late_returns: back at their dorm after its curfew on lateReturnsMin nights or more of the last
 *   recentDays (the passage domain's late returns: one per student, building and Shanghai day).
 *
 * Each warning carries its evidence: the missed sessions, the rates, when the student was last seen.
 * An approved absence (请假) excuses what it covers: its classes count neither as missed nor as
 * attended, and its days not as silent; the evidence says how many were left out. Pure: facts in,
 * warnings out.
 */

export interface AttendanceThresholds {
  streakMin: number;
  recentDays: number;
  earlierDays: number;
  sessionsMin: number;
  fallingRatioMax: number;
  fallMin: number;
  silentDaysMin: number;
  lateReturnsMin: number;
}

export const attendanceDefaults: Readonly<AttendanceThresholds> = Object.freeze({
  streakMin: 4,
  recentDays: 14,
  earlierDays: 28,
  sessionsMin: 5,
  fallingRatioMax: 0.5,
  fallMin: 0.3,
  silentDaysMin: 4,
  lateReturnsMin: 3,
});

/** One night a student came back to their dorm after its curfew (the passage domain's record). */
export interface LateReturn {
  personNo: string;
  /** The Asia/Shanghai day it counts for. */
  day: number;
  occurredAtMs: number;
}

/** An approved absence of a student (the absences domain, copied by the extract). */
export interface ExcusedSpan {
  personNo: string;
  fromMs: number;
  toMs: number;
}

export type { AttendanceReason, AttendanceWarning };

export interface StudentSeen {
  personNo: string;
  cardNo: string;
  department: string | null;
  lastMs: number | null;
}

const dayMs = 86_400_000;
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The warnings at asOfMs. `facts` covers the class sessions that ended in the earlierDays +
 * recentDays before asOfMs (InsightStore.rosterFacts), `students` every student with their last
 * sign of life (InsightStore.lastSeen); a department given keeps only its students.
 */
export function detectAttendanceWarnings(
  facts: readonly RosterFact[],
  students: readonly StudentSeen[],
  asOfMs: number,
  thresholds: Partial<AttendanceThresholds> = {},
  lateReturns: readonly LateReturn[] = [],
  absences: readonly ExcusedSpan[] = [],
): AttendanceWarning[] {
  const t = { ...attendanceDefaults, ...thresholds };
  const leave = new Map<string, ExcusedSpan[]>();
  for (const a of absences) leave.set(a.personNo, [...(leave.get(a.personNo) ?? []), a]);
  const excusedAt = (personNo: string, atMs: number) =>
    (leave.get(personNo) ?? []).some((a) => a.fromMs <= atMs && atMs < a.toMs);
  const recentFrom = asOfMs - t.recentDays * dayMs;
  const lateNights = new Map<string, { days: Set<number>; lastMs: number }>();
  for (const r of lateReturns) {
    if (r.occurredAtMs < recentFrom || r.occurredAtMs >= asOfMs) continue;
    const nights = lateNights.get(r.personNo) ?? { days: new Set<number>(), lastMs: 0 };
    nights.days.add(r.day);
    nights.lastMs = Math.max(nights.lastMs, r.occurredAtMs);
    lateNights.set(r.personNo, nights);
  }
  const earlierFrom = recentFrom - t.earlierDays * dayMs;
  const byPerson = new Map<string, RosterFact[]>();
  const sessionTotals = new Map<string, { rostered: number; attended: number }>();
  for (const f of facts) {
    if (f.startsAtMs >= asOfMs || f.startsAtMs < earlierFrom) continue;
    const list = byPerson.get(f.personNo);
    if (list) list.push(f);
    else byPerson.set(f.personNo, [f]);
    const s = sessionTotals.get(f.sessionId) ?? { rostered: 0, attended: 0 };
    s.rostered += 1;
    if (f.attended) s.attended += 1;
    sessionTotals.set(f.sessionId, s);
  }

  const warnings: AttendanceWarning[] = [];
  for (const student of students) {
    const all = (byPerson.get(student.personNo) ?? []).sort((a, b) => a.startsAtMs - b.startsAtMs);
    // Classes an approved absence covers are out of every count below.
    const list = all.filter((f) => !excusedAt(student.personNo, f.startsAtMs));
    const reasons: AttendanceReason[] = [];

    let streak = 0;
    let excused = 0;
    for (let i = all.length - 1; i >= 0; i--) {
      const f = all[i] as RosterFact;
      if (excusedAt(student.personNo, f.startsAtMs)) {
        if (!f.attended) excused += 1;
        continue;
      }
      if (f.attended) break;
      streak += 1;
    }
    if (streak >= t.streakMin)
      reasons.push({ code: 'absence_streak', missed: streak, ...(excused > 0 ? { excused } : {}) });

    const recent = list.filter((f) => f.startsAtMs >= recentFrom);
    const earlier = list.filter((f) => f.startsAtMs < recentFrom);
    if (recent.length >= t.sessionsMin && earlier.length >= t.sessionsMin) {
      const rate = (xs: RosterFact[]) => xs.filter((f) => f.attended).length / xs.length;
      // The others on the same sessions: the student's own sign-in taken out.
      let othersRostered = 0;
      let othersAttended = 0;
      for (const f of recent) {
        const s = sessionTotals.get(f.sessionId) as { rostered: number; attended: number };
        othersRostered += s.rostered - 1;
        othersAttended += s.attended - (f.attended ? 1 : 0);
      }
      const recentRate = rate(recent);
      const earlierRate = rate(earlier);
      const classRate = othersRostered === 0 ? 0 : othersAttended / othersRostered;
      if (recentRate <= classRate * t.fallingRatioMax && earlierRate - recentRate >= t.fallMin)
        reasons.push({
          code: 'falling',
          recentRate: round2(recentRate),
          earlierRate: round2(earlierRate),
          classRate: round2(classRate),
        });
    }

    const silentSince = student.lastMs ?? earlierFrom;
    const excusedMs = coveredMs(leave.get(student.personNo) ?? [], silentSince, asOfMs);
    const silentDays = Math.floor((asOfMs - silentSince - excusedMs) / dayMs);
    const excusedDays = Math.floor((asOfMs - silentSince) / dayMs) - silentDays;
    const expected = list.some((f) => f.startsAtMs > silentSince);
    if (silentDays >= t.silentDaysMin && expected)
      reasons.push({ code: 'not_seen', days: silentDays, ...(excusedDays > 0 ? { excusedDays } : {}) });

    const late = lateNights.get(student.personNo);
    if (late && late.days.size >= t.lateReturnsMin)
      reasons.push({ code: 'late_returns', nights: late.days.size, days: t.recentDays, lastMs: late.lastMs });

    if (reasons.length === 0) continue;
    warnings.push({
      personNo: student.personNo,
      cardNo: student.cardNo,
      department: student.department,
      reasons,
      missed: list
        .filter((f) => !f.attended)
        .slice(-10)
        .reverse()
        .map((f) => ({ sessionId: f.sessionId, title: f.title, startsAtMs: f.startsAtMs })),
      lastSeenMs: student.lastMs,
    });
  }
  const weight = (w: AttendanceWarning) =>
    w.reasons.reduce((n, r) => n + (r.code === 'not_seen' ? 3 : r.code === 'absence_streak' ? 2 : 1), 0);
  return warnings.sort((a, b) => weight(b) - weight(a) || a.personNo.localeCompare(b.personNo));
}

/** How much of [fromMs, toMs) the spans cover, overlaps counted once. */
function coveredMs(spans: readonly ExcusedSpan[], fromMs: number, toMs: number): number {
  const cut = spans
    .map((a) => [Math.max(a.fromMs, fromMs), Math.min(a.toMs, toMs)] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reached = fromMs;
  for (const [from, to] of cut) {
    const start = Math.max(from, reached);
    if (to > start) total += to - start;
    reached = Math.max(reached, to);
  }
  return total;
}

/**
 * The warnings at asOfMs from the store, for one department or (null) all; the late returns of the
 * recent days from `lateReturns` (the ledger's database: the passage domain keeps them).
 */
export async function attendanceWarnings(
  store: Pick<InsightStore, 'rosterFacts' | 'lastSeen' | 'absences'>,
  asOfMs: number,
  department: string | null,
  thresholds: Partial<AttendanceThresholds> = {},
  lateReturns: (fromMs: number, toMs: number) => Promise<LateReturn[]> = async () => [],
): Promise<Omit<AttendanceWarningsAnswer, 'total'>> {
  const t = { ...attendanceDefaults, ...thresholds };
  const fromMs = asOfMs - (t.recentDays + t.earlierDays + 1) * dayMs;
  const facts = await store.rosterFacts(fromMs, asOfMs);
  // lastSeen reaches 60 days back: so do the absences that may cover a silence.
  const absences = await store.absences(Math.min(fromMs, asOfMs - 60 * dayMs), asOfMs);
  const students = (await store.lastSeen(asOfMs - 60 * dayMs, asOfMs)).filter(
    (s) => department === null || s.department === department,
  );
  return {
    asOfMs,
    department,
    thresholds: { ...t },
    items: detectAttendanceWarnings(
      facts,
      students,
      asOfMs,
      t,
      await lateReturns(asOfMs - (t.recentDays + 1) * dayMs, asOfMs),
      absences,
    ),
  };
}
