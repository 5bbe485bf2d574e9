/**
 * The card centre's reports over the insight store (card-centre-reports.ts applies the k ≥ 10 rule to
 * what these answer). DuckDB SQL only; each function reads one Asia/Shanghai month given as its
 * first and last day numbers (the operations' own `created_day`).
 */
import { priceBandBoundsFen } from '../contract/insight.ts';
import type { Select } from './insight-queries.ts';
import { hourOf } from './insight-schema.ts';

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** One side of the subsidy report as summed in the store (students on campus in both windows). */
export interface SubsidyWindowSums {
  recipient: boolean;
  /** Every student of the side (recipients: every one who got a subsidy that month). */
  all: number;
  subsidyFen: number;
  /** Students with a day on campus in both windows, and their sums. */
  students: number;
  before: { days: number; meals: number; mealSpend: number; otherSpend: number };
  after: { days: number; meals: number; mealSpend: number; otherSpend: number };
}

/**
 * The subsidy report's sums: students who got an accepted subsidy in [firstDay, lastDay], each over
 * `windowDays` days before and from their first one, against the students who got none, over the same
 * days around the month's first subsidy. Answers the month's first subsidy day too (null: none).
 */
export async function subsidyWindows(
  select: Select,
  firstDay: number,
  lastDay: number,
  windowDays: number,
): Promise<{ firstSubsidyDay: number | null; sides: SubsidyWindowSums[] }> {
  const rows = await select(
    `WITH sub AS (
       SELECT o.card_no, min(o.created_day) d0, sum(o.amount) fen
         FROM operations o JOIN holders h ON h.card_no = o.card_no AND h.type = 'student'
        WHERE o.kind = 'subsidy' AND o.outcome = 'ok' AND o.created_day BETWEEN $1 AND $2
        GROUP BY o.card_no),
     anchor AS (SELECT min(d0) d FROM sub),
     people AS (
       SELECT h.card_no, coalesce(s.d0, a.d) d0, coalesce(s.fen, 0) fen, s.card_no IS NOT NULL recipient
         FROM holders h CROSS JOIN anchor a LEFT JOIN sub s ON s.card_no = h.card_no
        WHERE h.type = 'student' AND a.d IS NOT NULL),
     per AS (
       SELECT p.card_no, p.recipient, p.fen,
              count(cd.day_no) FILTER (WHERE cd.day_no < p.d0) b_days,
              coalesce(sum(cd.meals) FILTER (WHERE cd.day_no < p.d0), 0) b_meals,
              coalesce(sum(cd.meal_spend) FILTER (WHERE cd.day_no < p.d0), 0) b_meal,
              coalesce(sum(cd.other_spend) FILTER (WHERE cd.day_no < p.d0), 0) b_other,
              count(cd.day_no) FILTER (WHERE cd.day_no >= p.d0) a_days,
              coalesce(sum(cd.meals) FILTER (WHERE cd.day_no >= p.d0), 0) a_meals,
              coalesce(sum(cd.meal_spend) FILTER (WHERE cd.day_no >= p.d0), 0) a_meal,
              coalesce(sum(cd.other_spend) FILTER (WHERE cd.day_no >= p.d0), 0) a_other
         FROM people p LEFT JOIN card_days cd
           ON cd.card_no = p.card_no AND cd.day_no >= p.d0 - $3 AND cd.day_no < p.d0 + $3
        GROUP BY p.card_no, p.recipient, p.fen)
     SELECT recipient, (SELECT d FROM anchor) AS first_day, count(*)::DOUBLE all_n, sum(fen)::DOUBLE fen,
            count(*) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE n,
            sum(b_days) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE b_days,
            sum(b_meals) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE b_meals,
            sum(b_meal) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE b_meal,
            sum(b_other) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE b_other,
            sum(a_days) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE a_days,
            sum(a_meals) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE a_meals,
            sum(a_meal) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE a_meal,
            sum(a_other) FILTER (WHERE b_days > 0 AND a_days > 0)::DOUBLE a_other
       FROM per GROUP BY recipient`,
    [firstDay, lastDay, windowDays],
  );
  const [anchor] = await select(
    `SELECT min(created_day) d FROM operations
      WHERE kind = 'subsidy' AND outcome = 'ok' AND created_day BETWEEN $1 AND $2`,
    [firstDay, lastDay],
  );
  return {
    firstSubsidyDay: anchor?.d === null || anchor?.d === undefined ? null : Number(anchor.d),
    sides: rows.map((r) => ({
      recipient: r.recipient === true,
      all: n(r.all_n),
      subsidyFen: n(r.fen),
      students: n(r.n),
      before: { days: n(r.b_days), meals: n(r.b_meals), mealSpend: n(r.b_meal), otherSpend: n(r.b_other) },
      after: { days: n(r.a_days), meals: n(r.a_meals), mealSpend: n(r.a_meal), otherSpend: n(r.a_other) },
    })),
  };
}

/** Accepted payments per merchant in the month: count, amount and distinct cards, most turnover first. */
export async function merchantMonth(
  select: Select,
  firstDay: number,
  lastDay: number,
): Promise<{ merchantId: string; category: string; payments: number; amount: number; cards: number }[]> {
  const rows = await select(
    `SELECT o.merchant_id, coalesce(any_value(m.category), 'other') category, count(*)::DOUBLE payments,
            sum(o.amount)::DOUBLE amount, count(DISTINCT o.card_no)::DOUBLE cards
       FROM operations o LEFT JOIN merchants m ON m.id = o.merchant_id
      WHERE o.kind = 'payment' AND o.outcome = 'ok' AND o.merchant_id IS NOT NULL
        AND o.created_day BETWEEN $1 AND $2
      GROUP BY o.merchant_id ORDER BY amount DESC, o.merchant_id`,
    [firstDay, lastDay],
  );
  return rows.map((r) => ({
    merchantId: String(r.merchant_id),
    category: String(r.category),
    payments: n(r.payments),
    amount: n(r.amount),
    cards: n(r.cards),
  }));
}

/** The band of a payment's amount: index of the first bound it is under, or the last band. */
const bandOf = (column: string) =>
  `CASE ${priceBandBoundsFen.map((b, i) => `WHEN ${column} < ${b} THEN ${i}`).join(' ')} ELSE ${priceBandBoundsFen.length} END`;

/** Accepted payments per merchant category and price band in the month, with the distinct cards. */
export async function priceBands(
  select: Select,
  firstDay: number,
  lastDay: number,
): Promise<{ category: string; band: number; payments: number; cards: number }[]> {
  const rows = await select(
    `SELECT coalesce(m.category, 'other') category, ${bandOf('o.amount')} band, count(*)::DOUBLE payments,
            count(DISTINCT o.card_no)::DOUBLE cards
       FROM operations o LEFT JOIN merchants m ON m.id = o.merchant_id
      WHERE o.kind = 'payment' AND o.outcome = 'ok' AND o.merchant_id IS NOT NULL
        AND o.created_day BETWEEN $1 AND $2
      GROUP BY ALL ORDER BY category, band`,
    [firstDay, lastDay],
  );
  return rows.map((r) => ({
    category: String(r.category),
    band: n(r.band),
    payments: n(r.payments),
    cards: n(r.cards),
  }));
}

/** Operations per device and answer code in the month (code 'ok' for the accepted), with the distinct cards. */
export async function deviceOutcomes(
  select: Select,
  firstDay: number,
  lastDay: number,
): Promise<{ deviceId: string; code: string; operations: number; cards: number }[]> {
  const rows = await select(
    `SELECT device_id, outcome, count(*)::DOUBLE n, count(DISTINCT card_no)::DOUBLE cards
       FROM operations WHERE device_id IS NOT NULL AND created_day BETWEEN $1 AND $2
      GROUP BY ALL ORDER BY device_id, outcome`,
    [firstDay, lastDay],
  );
  return rows.map((r) => ({
    deviceId: String(r.device_id),
    code: String(r.outcome),
    operations: n(r.n),
    cards: n(r.cards),
  }));
}

/** Device operations and refusals per weekday (0 = Monday) and Shanghai hour, with the cards refused. */
export async function refusalPattern(
  select: Select,
  firstDay: number,
  lastDay: number,
): Promise<{ weekday: number; hour: number; operations: number; refused: number; cards: number }[]> {
  // Day 0 (1970-01-01) was a Thursday: (day + 3) % 7 is 0 on Mondays.
  const rows = await select(
    `SELECT ((created_day + 3) % 7)::INTEGER AS weekday, ${hourOf('created_at_ms')}::INTEGER AS hour_no,
            count(*)::DOUBLE n, count(*) FILTER (WHERE outcome <> 'ok')::DOUBLE refused,
            count(DISTINCT card_no) FILTER (WHERE outcome <> 'ok')::DOUBLE cards
       FROM operations WHERE device_id IS NOT NULL AND created_day BETWEEN $1 AND $2
      GROUP BY ALL ORDER BY weekday, hour_no`,
    [firstDay, lastDay],
  );
  return rows.map((r) => ({
    weekday: n(r.weekday),
    hour: n(r.hour_no),
    operations: n(r.n),
    refused: n(r.refused),
    cards: n(r.cards),
  }));
}
