import { dayBoundsMs, formatDay, parseDay } from '../time.ts';
import type { AttendanceRow, HolderRow, MerchantRow, OperationRow } from './insight-store.ts';

/**
 * A deterministic synthetic term of campus activity with planted truth, for measuring the
 * detectors (`npm run eval:insight`, docs/analytics.md). The same seed gives the same rows.
 *
 * Each student gets a profile:
 * - regular: about 2.4 canteen meals per day on campus, at their department's price level, a little
 *   less at weekends, with the odd day out;
 * - needy (planted truth): on campus as much as anyone, but 1.1–1.7 meals a day at 45–68 % of the
 *   usual price, and little other spending; half of them from the start, half from the term's third
 *   month on (a family's money stops), so their first months look regular;
 * - away (must not be flagged): on campus 2–8 days a month (internship, illness at home), eating
 *   normally when there;
 * - off-campus eater (must not be flagged): on campus every day, 0.6–1.3 canteen meals a day at a
 *   normal or higher price, and spending more elsewhere;
 * - frugal (must not be flagged): regular meals, cheaper (70–88 % of the price);
 * - light eater (must not be flagged): 1.4–1.8 meals a day at a normal price;
 * - light and frugal (must not be flagged, and the hard case): 1.5–2.0 meals a day at 65–90 % of
 *   the price, close to the needy from above; what tells them apart in life is what the aid office's
 *   review is for.
 * Everyone goes home for the National Day week at 70 % odds, and weekday classes are signed in.
 */

export type Profile = 'regular' | 'needy' | 'away' | 'off_campus' | 'frugal' | 'light' | 'light_frugal';

export interface SyntheticStudent {
  cardNo: string;
  department: string;
  profile: Profile;
  /** The term's month index (0-based) from which a needy student is needy; undefined for others. */
  needyFromMonth?: number;
}

export interface SyntheticCampus {
  students: SyntheticStudent[];
  /** The term's first and last days, 'YYYY-MM-DD'. */
  firstDay: string;
  lastDay: string;
  months: string[];
  merchants: MerchantRow[];
  holders: HolderRow[];
  operations: OperationRow[];
  attendance: AttendanceRow[];
  /** Truth: 'cardNo|YYYY-MM' of each student-month in need. */
  needyMonths: Set<string>;
}

export interface SyntheticOptions {
  seed: number;
  students: number;
  /** First day, 'YYYY-MM-DD'. */
  firstDay: string;
  /** Last day, inclusive. */
  lastDay: string;
}

export const syntheticDefaults: SyntheticOptions = {
  seed: 20_250_901,
  students: 400,
  firstDay: '2025-09-01',
  lastDay: '2025-12-31',
};

/** mulberry32: small, fast, and the same on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const departments = [
  '计算机学院',
  '机械学院',
  '外国语学院',
  '经济学院',
  '化学学院',
  '物理学院',
  '艺术学院',
  '法学院',
];
/** Departments eat at slightly different price levels (campus and habits): the cohort matters. */
const departmentPrice = [1.0, 0.95, 1.08, 1.12, 0.92, 0.97, 1.15, 1.05];
const basePriceFen = 1_100;
const hourMs = 3_600_000;

export function generateCampus(options: Partial<SyntheticOptions> = {}): SyntheticCampus {
  const o = { ...syntheticDefaults, ...options };
  const rnd = random(o.seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const chance = (p: number) => rnd() < p;
  const first = parseDay(o.firstDay) as number;
  const last = parseDay(o.lastDay) as number;
  const monthOfDay = (day: number) => formatDay(day).slice(0, 7);
  const months = [...new Set(Array.from({ length: last - first + 1 }, (_, i) => monthOfDay(first + i)))];

  const merchants: MerchantRow[] = [
    { id: 'CANTEEN1', category: 'canteen' },
    { id: 'CANTEEN2', category: 'canteen' },
    { id: 'CANTEEN3', category: 'canteen' },
    { id: 'SHOP1', category: 'shop' },
    { id: 'SHOWER1', category: 'shower' },
  ];
  const students: SyntheticStudent[] = [];
  const holders: HolderRow[] = [];
  for (let i = 0; i < o.students; i++) {
    const d = i % departments.length;
    const roll = rnd();
    const profile: Profile =
      roll < 0.07
        ? 'needy'
        : roll < 0.13
          ? 'away'
          : roll < 0.19
            ? 'off_campus'
            : roll < 0.26
              ? 'frugal'
              : roll < 0.31
                ? 'light'
                : roll < 0.35
                  ? 'light_frugal'
                  : 'regular';
    const student: SyntheticStudent = {
      cardNo: `9${String(i).padStart(7, '0')}`,
      department: departments[d] as string,
      profile,
      ...(profile === 'needy' ? { needyFromMonth: chance(0.5) ? 0 : 2 } : {}),
    };
    students.push(student);
    holders.push({
      cardNo: student.cardNo,
      personNo: `P${i}`,
      type: 'student',
      department: student.department,
      status: 'active',
    });
  }

  const operations: OperationRow[] = [];
  const attendance: AttendanceRow[] = [];
  const needyMonths = new Set<string>();
  let serial = 0;
  // The calendar's facts of each day, worked out once rather than per student and day (the year's
  // bench generates 30 million rows; formatting dates per student-day was a third of its time).
  const calendar = Array.from({ length: last - first + 1 }, (_, i) => {
    const day = first + i;
    const date = formatDay(day);
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    return {
      day,
      month: date.slice(0, 7),
      monthIndex: months.indexOf(date.slice(0, 7)),
      weekend: weekday === 0 || weekday === 6,
      nationalDay: date.slice(5) >= '10-01' && date.slice(5) <= '10-07',
      startMs: dayBoundsMs(day).startMs,
    };
  });
  // Sittings: breakfast, lunch, dinner, each taken with odds so the day averages its meals.
  const sittings: [number, number, number][] = [
    [7, 2, 0.45],
    [11, 2, 1.3],
    [17, 2, 1.25],
  ];
  const weightSum = sittings.reduce((n, x) => n + x[2], 0);
  for (const [index, s] of students.entries()) {
    const price = departmentPrice[index % departments.length] as number;
    // Each student's own habits, fixed for the term.
    const ownMeals = between(2.1, 2.7);
    const ownPrice = price * between(0.9, 1.12);
    const needyMeals = between(1.1, 1.7);
    const needyPrice = between(0.45, 0.68);
    const offMeals = between(0.6, 1.3);
    const offPrice = between(1.0, 1.3);
    const frugalPrice = between(0.7, 0.88);
    const lightMeals = between(1.4, 1.8);
    const lightFrugalMeals = between(1.5, 2.0);
    const lightFrugalPrice = between(0.65, 0.9);
    const awayDaysPerMonth = Math.round(between(2, 8));
    for (const { day, month, monthIndex, weekend, nationalDay, startMs } of calendar) {
      if (nationalDay && chance(0.7)) continue;
      const needyNow = s.profile === 'needy' && monthIndex >= (s.needyFromMonth ?? 0);
      if (needyNow) needyMonths.add(`${s.cardNo}|${month}`);
      // Days on campus.
      if (s.profile === 'away') {
        const daysInMonth = 30;
        if (!chance(awayDaysPerMonth / daysInMonth)) continue;
      } else if (chance(weekend ? 0.15 : 0.03)) continue;
      let mealsToday: number;
      let priceFactor: number;
      if (needyNow) {
        mealsToday = needyMeals;
        priceFactor = needyPrice;
      } else if (s.profile === 'off_campus') {
        mealsToday = offMeals;
        priceFactor = offPrice;
      } else if (s.profile === 'frugal') {
        mealsToday = ownMeals;
        priceFactor = frugalPrice;
      } else if (s.profile === 'light_frugal') {
        mealsToday = lightFrugalMeals;
        priceFactor = lightFrugalPrice;
      } else if (s.profile === 'light') {
        mealsToday = lightMeals;
        priceFactor = 1;
      } else {
        mealsToday = ownMeals;
        priceFactor = 1;
      }
      if (weekend) mealsToday *= 0.85;
      for (const [hour, spanHours, weight] of sittings) {
        const p = Math.min(1, (mealsToday * weight) / weightSum);
        if (!chance(p)) continue;
        const at = startMs + hour * hourMs + Math.floor(rnd() * spanHours * hourMs);
        const mealBase = hour === 7 ? 0.45 : 1.15;
        const amount = Math.max(
          100,
          Math.round(basePriceFen * ownPrice * priceFactor * mealBase * between(0.75, 1.25)),
        );
        const canteen = `CANTEEN${1 + Math.floor(rnd() * 3)}`;
        // A meal is sometimes paid at two windows (a dish and a drink): still one meal.
        const parts = chance(0.15) ? 2 : 1;
        for (let k = 0; k < parts; k++) {
          serial += 1;
          operations.push(
            op(
              `g${serial}`,
              s.cardNo,
              canteen,
              parts === 2 ? Math.round(amount / 2) : amount,
              at + k * 60_000,
            ),
          );
        }
      }
      // Other spending: the shop and showers.
      const shopOdds = s.profile === 'off_campus' ? 0.6 : needyNow ? 0.05 : 0.25;
      if (chance(shopOdds)) {
        serial += 1;
        const at = startMs + 12 * hourMs + Math.floor(rnd() * 8 * hourMs);
        operations.push(op(`g${serial}`, s.cardNo, 'SHOP1', Math.round(between(300, 3_000)), at));
      }
      if (chance(0.4)) {
        serial += 1;
        const at = startMs + 21 * hourMs + Math.floor(rnd() * 2 * hourMs);
        operations.push(op(`g${serial}`, s.cardNo, 'SHOWER1', Math.round(between(150, 400)), at));
      }
      // Weekday classes.
      if (!weekend && chance(0.9)) {
        attendance.push({
          sessionId: `L${day}-${index % 40}`,
          personNo: `P${index}`,
          cardNo: s.cardNo,
          deviceId: 'A1',
          source: 'online',
          recordedAtMs: startMs + 8 * hourMs + Math.floor(rnd() * 600_000),
        });
      }
    }
  }
  return {
    students,
    firstDay: o.firstDay,
    lastDay: o.lastDay,
    months,
    merchants,
    holders,
    operations,
    attendance,
    needyMonths,
  };
}

function op(id: string, cardNo: string, merchantId: string, amount: number, atMs: number): OperationRow {
  return {
    id,
    kind: 'payment',
    outcome: 'ok',
    cardNo,
    merchantId,
    deviceId: null,
    amount,
    subsidyAmount: 0,
    createdDay: Math.floor((atMs + 8 * hourMs) / 86_400_000),
    createdAtMs: atMs,
  };
}
