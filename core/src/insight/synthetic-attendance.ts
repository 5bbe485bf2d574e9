import { dayBoundsMs, formatDay, parseDay } from '../time.ts';
import type { AttendanceRow, OperationRow, SessionRow } from './insight-store.ts';
import { random, type SyntheticCampus } from './synthetic-campus.ts';

/**
 * Class sessions with rosters and students who drop out, planted into a synthetic term
 * (synthetic-campus.ts), for the attendance warnings' evaluation (`npm run eval:insight`).
 *
 * Each student belongs to one of 40 class groups (their sign-ins in synthetic-campus.ts already name
 * the group's session); the group has a class every weekday but the National Day week. Dropouts
 * (planted truth, 4 % of the students who are not away): from a day in the term's last six weeks
 * they go to 15 % of their classes; 40 % of them are not seen at all from that day (no payment, no
 * sign-in: a student possibly missing). Away students (synthetic-campus.ts) miss most classes all
 * term: they are not planted dropouts, and the evaluation names what it flags of them.
 */

export interface PlantedDropout {
  personNo: string;
  cardNo: string;
  fromMs: number;
  missing: boolean;
}

export interface AttendanceCampus {
  sessions: SessionRow[];
  attendance: AttendanceRow[];
  operations: OperationRow[];
  dropouts: PlantedDropout[];
  firstMs: number;
  lastMs: number;
}

const hourMs = 3_600_000;
const groups = 40;

export function plantDropouts(
  campus: SyntheticCampus,
  options: { seed?: number; share?: number } = {},
): AttendanceCampus {
  const rnd = random((options.seed ?? 1) ^ 0xa77e);
  const share = options.share ?? 0.04;
  const first = parseDay(campus.firstDay) as number;
  const last = parseDay(campus.lastDay) as number;
  const firstMs = dayBoundsMs(first).startMs;
  const lastMs = dayBoundsMs(last).endMs;

  const sessions: SessionRow[] = [];
  const members = new Map<number, string[]>();
  for (const [index] of campus.students.entries())
    members.set(index % groups, [...(members.get(index % groups) ?? []), `P${index}`]);
  for (let day = first; day <= last; day++) {
    const weekday = (day + 4) % 7;
    const date = formatDay(day);
    if (weekday === 0 || weekday === 6 || (date.slice(5) >= '10-01' && date.slice(5) <= '10-07')) continue;
    const startsAtMs = dayBoundsMs(day).startMs + 8 * hourMs;
    for (let g = 0; g < groups; g++)
      sessions.push({
        id: `L${day}-${g}`,
        kind: 'class',
        title: `专业课 ${g + 1} 班`,
        startsAtMs,
        endsAtMs: startsAtMs + 100 * 60_000,
        createdAtMs: firstMs,
        roster: members.get(g) ?? [],
      });
  }

  const dropouts: PlantedDropout[] = [];
  const from = new Map<string, PlantedDropout>();
  for (const s of campus.students) {
    if (s.profile === 'away' || rnd() >= share) continue;
    const day = last - 42 + Math.floor(rnd() * 32);
    const index = Number(s.cardNo.slice(1));
    const d: PlantedDropout = {
      personNo: `P${index}`,
      cardNo: s.cardNo,
      fromMs: dayBoundsMs(day).startMs,
      missing: rnd() < 0.4,
    };
    dropouts.push(d);
    from.set(s.cardNo, d);
  }
  const attendance = campus.attendance.filter((a) => {
    const d = from.get(a.cardNo);
    if (!d || a.recordedAtMs < d.fromMs) return true;
    return !d.missing && rnd() < 0.15 / 0.9;
  });
  const operations = campus.operations.filter((o) => {
    const d = from.get(o.cardNo as string);
    return d === undefined || !d.missing || o.createdAtMs < d.fromMs;
  });
  return { sessions, attendance, operations, dropouts, firstMs, lastMs };
}
