import type { DuckDBListValue } from '@duckdb/node-api';
import { dayBoundsMs, shanghaiDay } from '../time.ts';
import type { CardProfile, KeyUse, PaymentPoint } from './abnormal-spending.ts';
import type { SlotCount } from './canteen-load.ts';
import type { DayKindTotal, EarlierMeals, HolderRow, MonthFigures, RosterFact } from './insight-rows.ts';
import { paymentFilter, slotOf } from './insight-schema.ts';
import { keyDaysSelect, payDaysSelect } from './insight-summaries.ts';

/**
 * The detectors' and pages' reads (DuckDB SQL), each over the reader connection the store passes in.
 * The per-card work stays in DuckDB (aggregates, summaries) so that what reaches JavaScript is small:
 * a month's figures per card, a day's payments with each card's profile, slot counts.
 */

export type Select = (sql: string, params?: (string | number)[]) => Promise<Record<string, unknown>[]>;

const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Each rostered person at each class session that ended in [fromMs, toMs), and whether they signed in. */
export async function rosterFacts(select: Select, fromMs: number, toMs: number): Promise<RosterFact[]> {
  const rows = await select(
    `SELECT s.id, s.title, s.starts_at_ms::DOUBLE starts, r.person_no, a.person_no IS NOT NULL attended
       FROM sessions s JOIN roster r ON r.session_id = s.id
       LEFT JOIN attendance a ON a.session_id = s.id AND a.person_no = r.person_no
      WHERE s.kind = 'class' AND s.ends_at_ms >= $1::BIGINT AND s.ends_at_ms < $2::BIGINT
      ORDER BY s.starts_at_ms, s.id, r.person_no`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    sessionId: String(r.id),
    title: String(r.title),
    startsAtMs: Number(r.starts),
    personNo: String(r.person_no),
    attended: r.attended === true,
  }));
}

/**
 * Each student's last sign of life in [fromMs, toMs) (a payment, a sign-in, an allowed gate pass),
 * with their card and department.
 */
export async function lastSeen(
  select: Select,
  fromMs: number,
  toMs: number,
): Promise<{ personNo: string; cardNo: string; department: string | null; lastMs: number | null }[]> {
  const rows = await select(
    `WITH seen AS (
        SELECT card_no, created_at_ms at_ms FROM operations
         WHERE outcome = 'ok' AND kind = 'payment' AND card_no IS NOT NULL AND created_at_ms >= $1::BIGINT AND created_at_ms < $2::BIGINT
        UNION ALL SELECT card_no, recorded_at_ms FROM attendance WHERE recorded_at_ms >= $1::BIGINT AND recorded_at_ms < $2::BIGINT
        UNION ALL SELECT card_no, occurred_at_ms FROM access
         WHERE decision = 'allow' AND card_no IS NOT NULL AND occurred_at_ms >= $1::BIGINT AND occurred_at_ms < $2::BIGINT)
     SELECT h.person_no, h.card_no, h.department, max(s.at_ms)::DOUBLE last_ms
       FROM holders h LEFT JOIN seen s ON s.card_no = h.card_no
      WHERE h.type = 'student' GROUP BY ALL ORDER BY h.person_no`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    personNo: String(r.person_no),
    cardNo: String(r.card_no),
    department: strOrNull(r.department),
    lastMs: numOrNull(r.last_ms),
  }));
}

/**
 * Accepted canteen payments per window (the terminal, or the canteen where the terminal is not
 * known), Asia/Shanghai day number and 15-minute slot in [fromMs, toMs). Whole days are read from the
 * summary slot_counts; the part-days at either end (today, so far) from the copied payments.
 */
export async function slotCounts(select: Select, fromMs: number, toMs: number): Promise<SlotCount[]> {
  let firstFull = shanghaiDay(fromMs);
  if (dayBoundsMs(firstFull).startMs < fromMs) firstFull += 1;
  let lastFull = shanghaiDay(toMs);
  if (dayBoundsMs(lastFull).startMs + 86_400_000 > toMs) lastFull -= 1;
  // With no whole day, one raw range [fromMs, toMs); else the part before the first and after the last.
  const whole = firstFull <= lastFull;
  const headEnd = whole ? dayBoundsMs(firstFull).startMs : toMs;
  const tailStart = whole ? dayBoundsMs(lastFull).endMs : toMs;
  const rows = await select(
    `SELECT win w, day_no d, slot, n::DOUBLE n FROM slot_counts WHERE day_no BETWEEN $1 AND $2
     UNION ALL
     SELECT coalesce(o.device_id, o.merchant_id), o.created_day, ${slotOf('o.created_at_ms')}, count(*)::DOUBLE
       FROM operations o JOIN merchants m ON m.id = o.merchant_id AND m.category = 'canteen'
      WHERE o.outcome = 'ok' AND o.kind = 'payment'
        AND ((o.created_at_ms >= $3::BIGINT AND o.created_at_ms < $4::BIGINT)
          OR (o.created_at_ms >= $5::BIGINT AND o.created_at_ms < $6::BIGINT))
      GROUP BY ALL ORDER BY 1, 2, 3`,
    [firstFull, lastFull, fromMs, Math.min(headEnd, toMs), Math.max(tailStart, fromMs), toMs],
  );
  return rows.map((r) => ({
    window: String(r.w),
    day: Number(r.d),
    slot: Number(r.slot),
    count: Number(r.n),
  }));
}

const toPoint = (r: Record<string, unknown>): PaymentPoint => ({
  id: String(r.id),
  cardNo: String(r.card_no),
  atMs: Number(r.at_ms),
  merchantId: String(r.merchant_id),
  amount: Number(r.amount),
  xM: numOrNull(r.x_m),
  yM: numOrNull(r.y_m),
  keyId: strOrNull(r.key_id),
  madeAtS: numOrNull(r.made_at_s),
  counter: numOrNull(r.counter),
});

/**
 * Accepted payments with a merchant in [fromMs, toMs), with the merchant's position where one is
 * set, in card and time order: the abnormal-spending detector's input (abnormal-spending.ts).
 */
export async function paymentPoints(select: Select, fromMs: number, toMs: number): Promise<PaymentPoint[]> {
  const rows = await select(
    `SELECT o.id, o.card_no, o.created_at_ms::DOUBLE at_ms, o.merchant_id, o.amount::DOUBLE amount, p.x_m, p.y_m,
            c.key_id, c.made_at_s::DOUBLE made_at_s, c.counter
       FROM operations o LEFT JOIN places p ON p.merchant_id = o.merchant_id
       LEFT JOIN code_uses c ON c.operation_id = o.id
      WHERE ${paymentFilter} AND o.created_at_ms >= $1::BIGINT AND o.created_at_ms < $2::BIGINT
      ORDER BY o.card_no, o.created_at_ms, o.id`,
    [fromMs, toMs],
  );
  return rows.map(toPoint);
}

/**
 * The abnormal-spending detector's input: the payments in [fromMs, toMs), and each card's profile
 * (abnormal-spending.ts: the profileDays whole Asia/Shanghai days before fromMs's day, and that day's
 * payments before fromMs). The whole days come from the profiles kept for fromMs's day
 * (card_profiles, card_key_profiles: InsightStore.abnormalInput makes sure they exist), the part of
 * the day before fromMs from the copied rows; so a day's assessment reads one day of payments and one
 * profile row per card, not months of payments. The 90th percentile is the value at 0-based index
 * floor(0.9 n) of the sorted amounts, as abnormal-spending.ts takes it.
 */
export async function abnormalInput(
  select: Select,
  fromMs: number,
  toMs: number,
  profileDays: number,
): Promise<{ profiles: Map<string, CardProfile>; payments: PaymentPoint[] }> {
  const payments = await paymentPoints(select, fromMs, toMs);
  const day = shanghaiDay(fromMs);
  const params = [day, profileDays, dayBoundsMs(day).startMs, fromMs];
  const kept = 'day_no = $1 AND profile_days = $2';
  const partDay = `o.created_day = $1 AND o.created_at_ms >= $3::BIGINT AND o.created_at_ms < $4::BIGINT`;
  const keyRows = await select(
    `WITH pieces AS (
        SELECT card_no, key_id, made_at_s, counter FROM card_key_profiles WHERE ${kept}
        UNION ALL SELECT card_no, key_id, made_at_s, counter
          FROM (${keyDaysSelect(partDay)}) t(card_no, day_no, key_id, made_at_s, counter))
     SELECT card_no, key_id, max(made_at_s)::DOUBLE made_at_s, arg_max(counter, made_at_s)::DOUBLE counter
       FROM pieces GROUP BY ALL`,
    params,
  );
  const keys = new Map<string, Map<string, KeyUse>>();
  for (const r of keyRows) {
    const card = String(r.card_no);
    const own = keys.get(card) ?? new Map<string, KeyUse>();
    own.set(String(r.key_id), { madeAtS: Number(r.made_at_s), counter: Number(r.counter) });
    keys.set(card, own);
  }
  // Cards that paid only in the day's part before fromMs have no kept profile: a full join.
  const rows = await select(
    `WITH part AS (
        SELECT * FROM (${payDaysSelect(partDay)}) t(card_no, day_no, payments, amounts, merchants, last_payment)),
      prof AS (
        SELECT coalesce(k.card_no, p.card_no) card_no, coalesce(k.payments, 0) + coalesce(p.payments, 0) n,
               CASE WHEN p.card_no IS NULL THEN k.amounts
                    ELSE list_sort(list_concat(coalesce(k.amounts, []), p.amounts)) END amounts,
               CASE WHEN p.card_no IS NULL THEN k.known
                    ELSE list_distinct(list_concat(coalesce(k.known, []), p.merchants)) END known,
               greatest(k.last_payment, p.last_payment) lp
          FROM (SELECT * FROM card_profiles WHERE ${kept}) k FULL JOIN part p ON p.card_no = k.card_no)
     SELECT card_no, n::DOUBLE n, amounts[(n * 9 // 10)::INTEGER + 1]::DOUBLE p90, known,
            lp.id last_id, lp.at_ms::DOUBLE last_at_ms, lp.merchant_id last_merchant_id,
            lp.amount::DOUBLE last_amount, pl.x_m, pl.y_m
       FROM prof LEFT JOIN places pl ON pl.merchant_id = prof.lp.merchant_id`,
    params,
  );
  const profiles = new Map<string, CardProfile>();
  for (const r of rows)
    profiles.set(String(r.card_no), {
      payments: Number(r.n),
      known: (r.known as DuckDBListValue).items.map(String),
      ownP90: Number(r.p90),
      last: toPoint({
        id: r.last_id,
        card_no: r.card_no,
        at_ms: r.last_at_ms,
        merchant_id: r.last_merchant_id,
        amount: r.last_amount,
        x_m: r.x_m,
        y_m: r.y_m,
      }),
      keys: keys.get(String(r.card_no)) ?? new Map(),
    });
  return { profiles, payments };
}

/** One card's holder as last copied, or undefined for a card the store does not know. */
export async function holder(select: Select, cardNo: string): Promise<HolderRow | undefined> {
  const [row] = await select(
    'SELECT card_no, person_no, type, department, status FROM holders WHERE card_no = $1',
    [cardNo],
  );
  if (row === undefined) return undefined;
  return {
    cardNo: String(row.card_no),
    personNo: String(row.person_no),
    type: String(row.type),
    department: strOrNull(row.department),
    status: String(row.status),
  };
}

/** Accepted operations per day and kind over [fromDay, toDay], the figures reconciled to the ledger's. */
export async function totalsByDayKind(
  select: Select,
  fromDay: number,
  toDay: number,
): Promise<DayKindTotal[]> {
  const rows = await select(
    `SELECT created_day::INTEGER d, kind, count(*)::DOUBLE n, sum(amount)::DOUBLE amount FROM operations
      WHERE outcome = 'ok' AND created_day BETWEEN $1 AND $2 GROUP BY created_day, kind ORDER BY 1, 2`,
    [fromDay, toDay],
  );
  return rows.map((r) => ({
    day: Number(r.d),
    kind: String(r.kind),
    count: Number(r.n),
    amount: Number(r.amount),
  }));
}

/**
 * Each student card's figures per month in [fromMonth, toMonth] ('YYYY-MM', Asia/Shanghai), from the
 * summary card_months (insight-summaries.ts says what each figure counts). With cardNo, that one
 * card's only.
 */
export async function monthFigures(
  select: Select,
  fromMonth: string,
  toMonth: string,
  cardNo?: string,
): Promise<MonthFigures[]> {
  const rows = await select(
    `SELECT c.card_no, h.department, c.month_key, c.campus_days::INTEGER campus_days, c.meals::INTEGER meals,
            c.meal_spend::DOUBLE meal_spend, c.other_spend::DOUBLE other_spend
       FROM card_months c JOIN holders h ON h.card_no = c.card_no AND h.type = 'student'
      WHERE c.month_key BETWEEN $1 AND $2 ${cardNo === undefined ? '' : 'AND c.card_no = $3'}
      ORDER BY c.month_key, c.card_no`,
    cardNo === undefined ? [fromMonth, toMonth] : [fromMonth, toMonth, cardNo],
  );
  return rows.map((r) => ({
    cardNo: String(r.card_no),
    department: strOrNull(r.department),
    month: String(r.month_key),
    campusDays: Number(r.campus_days),
    meals: Number(r.meals),
    mealSpend: Number(r.meal_spend),
    otherSpend: Number(r.other_spend),
  }));
}

/**
 * Each student card's meals and days on campus summed over the months in [fromMonth, beforeMonth)
 * with at least campusDaysMin days: hidden need's trend against the student's own earlier months.
 */
export async function earlierMeals(
  select: Select,
  fromMonth: string,
  beforeMonth: string,
  campusDaysMin: number,
): Promise<Map<string, EarlierMeals>> {
  const rows = await select(
    `SELECT c.card_no, sum(c.meals)::DOUBLE meals, sum(c.campus_days)::DOUBLE AS campus_days
       FROM card_months c JOIN holders h ON h.card_no = c.card_no AND h.type = 'student'
      WHERE c.month_key >= $1 AND c.month_key < $2 AND c.campus_days >= $3
      GROUP BY c.card_no`,
    [fromMonth, beforeMonth, campusDaysMin],
  );
  return new Map(
    rows.map((r) => [String(r.card_no), { meals: Number(r.meals), days: Number(r.campus_days) }]),
  );
}
