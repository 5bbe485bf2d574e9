import type { HiddenNeedThresholds } from '../contract/insight.ts';
import { dayBoundsMs, shanghaiDay } from '../time.ts';
import type { AbnormalThresholds, CardProfile, KeyUse, PaymentPoint, PinEvent } from './abnormal-spending.ts';
import type { AbsenceSpan } from './absence-spending.ts';
import type { SlotCount } from './canteen-load.ts';
import type { HiddenNeedInput } from './hidden-need.ts';
import type { AbsenceRow, DayKindTotal, HolderRow, MonthFigures, RosterFact } from './insight-rows.ts';
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

/** The approved absences (请假) overlapping [fromMs, toMs), in their start order. */
export async function absences(select: Select, fromMs: number, toMs: number): Promise<AbsenceRow[]> {
  const rows = await select(
    `SELECT id, person_no, card_no, kind, off_campus, from_ms::DOUBLE from_ms, to_ms::DOUBLE to_ms,
            decided_at_ms::DOUBLE decided_at_ms FROM absences
      WHERE from_ms < $2::BIGINT AND to_ms > $1::BIGINT ORDER BY from_ms, id`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    id: String(r.id),
    personNo: String(r.person_no),
    cardNo: String(r.card_no),
    kind: String(r.kind),
    offCampus: Number(r.off_campus) === 1,
    fromMs: Number(r.from_ms),
    toMs: Number(r.to_ms),
    decidedAtMs: Number(r.decided_at_ms),
  }));
}

/** The approved off-campus absences overlapping [fromMs, toMs), one row per card of the holder. */
export async function absenceSpans(select: Select, fromMs: number, toMs: number): Promise<AbsenceSpan[]> {
  const rows = await select(
    `SELECT DISTINCT a.id, c.card_no, a.from_ms::DOUBLE from_ms, a.to_ms::DOUBLE to_ms
       FROM absences a, LATERAL (SELECT a.card_no UNION SELECT h.card_no FROM holders h WHERE h.person_no = a.person_no) c
      WHERE a.off_campus = 1 AND a.from_ms < $2::BIGINT AND a.to_ms > $1::BIGINT
      ORDER BY from_ms, a.id, c.card_no`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    absenceId: String(r.id),
    cardNo: String(r.card_no),
    fromMs: Number(r.from_ms),
    toMs: Number(r.to_ms),
  }));
}

/** The accepted payments of the given cards in [fromMs, toMs). */
export async function cardPayments(
  select: Select,
  cardNos: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<PaymentPoint[]> {
  const rows = await select(
    `SELECT o.id, o.card_no, o.created_at_ms::DOUBLE at_ms, o.merchant_id, o.amount::DOUBLE amount, p.x_m, p.y_m,
            c.key_id, c.made_at_s::DOUBLE made_at_s, c.counter
       FROM operations o LEFT JOIN places p ON p.merchant_id = o.merchant_id
       LEFT JOIN code_uses c ON c.operation_id = o.id
      WHERE ${paymentFilter} AND o.created_day >= $4::INTEGER AND o.created_at_ms >= $1::BIGINT
        AND o.created_at_ms < $2::BIGINT AND o.card_no IN (SELECT unnest(string_split($3, ',')))
      ORDER BY o.card_no, o.created_at_ms, o.id`,
    [fromMs, toMs, cardNos.join(','), shanghaiDay(fromMs)],
  );
  return rows.map(toPoint);
}

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
 * What the payment path's PIN step-up left in [fromMs, toMs), in card and time order (abnormal-spending.ts
 * PinEvent): its card events and the payments refused for the PIN.
 */
export async function pinEvidence(select: Select, fromMs: number, toMs: number): Promise<PinEvent[]> {
  const rows = await select(
    `SELECT card_no, id, created_at_ms::DOUBLE at_ms, CASE kind WHEN 'pin_step_up' THEN 'step_up' ELSE 'cleared' END kind
       FROM card_events
      WHERE kind IN ('pin_step_up', 'pin_step_up_cleared') AND created_at_ms >= $1::BIGINT AND created_at_ms < $2::BIGINT
     UNION ALL
     SELECT card_no, id, created_at_ms::DOUBLE, 'refused' FROM operations
      WHERE kind = 'payment' AND outcome IN ('PIN_REQUIRED', 'PIN_INVALID') AND card_no IS NOT NULL
        AND created_at_ms >= $1::BIGINT AND created_at_ms < $2::BIGINT
      ORDER BY card_no, at_ms, id`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    cardNo: String(r.card_no),
    id: String(r.id),
    atMs: Number(r.at_ms),
    kind: r.kind as PinEvent['kind'],
  }));
}

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
 * The abnormal-spending detector's input: the payments in [fromMs, toMs), and the profile of each card
 * that paid in them (abnormal-spending.ts: the profileDays whole Asia/Shanghai days before fromMs's
 * day, and that day's payments before fromMs). The whole days come from the profiles kept for fromMs's
 * day (card_profiles, card_key_profiles: InsightStore.abnormalInput makes sure they exist), the part of
 * the day before fromMs from the copied rows; so a day's assessment reads one day of payments and one
 * profile row per card, not months of payments. The 90th percentile is the value at 0-based index
 * floor(0.9 n) of the sorted amounts, as abnormal-spending.ts takes it.
 *
 * Only the cards that could be flagged under the thresholds `t` cross into JavaScript, with their
 * payments and profiles: each rule's necessary condition is checked here first (enough high payments
 * close together, enough payments close together, two placed payments far apart for the time, a code
 * made after another of its key with a counter not past it), loosened by a unit where the detector
 * rounds or divides. On an ordinary day that is a few cards in a thousand: moving every card's payments
 * and profile into JavaScript cost far more than the query (bench:insight, docs/benchmarks.md). The
 * detector asks whether a place is known and for a key's last code only for the places and keys of the
 * card's own payments in the window, so a profile's `known` and `keys` hold those only; the alerts are
 * the same as detectAbnormalSpending's over every payment (core/test/insight-abnormal.test.ts).
 * `guarded`: those of the cards that have a PIN (holders.pin_set: the payment path's step-up guards them).
 */
export async function abnormalInput(
  select: Select,
  fromMs: number,
  toMs: number,
  t: AbnormalThresholds,
): Promise<{ profiles: Map<string, CardProfile>; payments: PaymentPoint[]; guarded: Set<string> }> {
  const day = shanghaiDay(fromMs);
  const params = [day, t.profileDays, dayBoundsMs(day).startMs, fromMs, toMs];
  // The thresholds are numbers the detector's own type holds; written into the SQL as numbers.
  const n = (v: number) => {
    if (!Number.isFinite(v)) throw new Error('abnormal thresholds must be finite numbers');
    return String(v);
  };
  const kept = 'day_no = $1 AND profile_days = $2';
  const partDay = `o.created_day = $1 AND o.created_at_ms >= $3::BIGINT AND o.created_at_ms < $4::BIGINT`;
  const rows = await select(
    `WITH win AS (
        SELECT o.id, o.card_no, o.created_at_ms, o.merchant_id, o.amount, c.key_id, c.made_at_s, c.counter
          FROM operations o LEFT JOIN code_uses c ON c.operation_id = o.id
         WHERE ${paymentFilter} AND o.created_at_ms >= $4::BIGINT AND o.created_at_ms < $5::BIGINT),
      part AS (
        SELECT * FROM (${payDaysSelect(partDay)}) t(card_no, day_no, payments, amounts, merchants, last_payment)),
      merged AS (
        SELECT coalesce(k.card_no, p.card_no) card_no, coalesce(k.payments, 0) + coalesce(p.payments, 0) n,
               CASE WHEN p.card_no IS NULL THEN k.amounts
                    ELSE list_sort(list_concat(coalesce(k.amounts, []), p.amounts)) END amounts,
               CASE WHEN p.card_no IS NULL THEN k.known
                    ELSE list_distinct(list_concat(coalesce(k.known, []), p.merchants)) END known,
               greatest(k.last_payment, p.last_payment) lp
          FROM (SELECT * FROM card_profiles WHERE ${kept}) k FULL JOIN part p ON p.card_no = k.card_no),
      prof AS (SELECT card_no, n, amounts[(n * 9 // 10)::INTEGER + 1]::DOUBLE p90, known, lp FROM merged),
      keys AS (
        SELECT card_no, key_id, max(made_at_s) made_at_s, arg_max(counter, made_at_s) counter FROM (
            SELECT card_no, key_id, made_at_s, counter FROM card_key_profiles WHERE ${kept}
            UNION ALL SELECT card_no, key_id, made_at_s, counter
              FROM (${keyDaysSelect(partDay)}) t(card_no, day_no, key_id, made_at_s, counter))
         GROUP BY ALL),
      -- What each rule needs before it can fire (abnormal-spending.ts): a card that meets none is never flagged.
      -- Payments close enough in time fall in one bucket of the rule's window or in two adjacent ones.
      high AS (
        SELECT w.card_no, w.created_at_ms // ${n(t.burstWindowMs)} b, count(*) c FROM win w JOIN prof p ON p.card_no = w.card_no
         WHERE p.n > 0 AND w.amount >= ${n(t.amountMinFen)} AND w.amount::DOUBLE >= floor(p.p90 * ${n(t.amountProfileFactor)}::DOUBLE) - 1
         GROUP BY ALL),
      spend AS (
        SELECT h.card_no FROM high h LEFT JOIN high h2 ON h2.card_no = h.card_no AND h2.b = h.b + 1
         WHERE h.c + coalesce(h2.c, 0) >= ${n(Math.min(t.newPlacePaymentsMin, t.highPaymentsMin))}),
      quick AS (SELECT card_no, created_at_ms // ${n(t.rapidWindowMs)} b, count(*) c FROM win GROUP BY ALL),
      busy AS (
        SELECT q.card_no FROM quick q LEFT JOIN quick q2 ON q2.card_no = q.card_no AND q2.b = q.b + 1
         WHERE q.c + coalesce(q2.c, 0) >= ${n(t.rapidPaymentsMin)}),
      placed AS (
        SELECT w.card_no, w.created_at_ms at_ms, pl.x_m, pl.y_m,
               lag(w.created_at_ms) OVER c before_ms, lag(pl.x_m) OVER c before_x, lag(pl.y_m) OVER c before_y,
               row_number() OVER c nth
          FROM win w LEFT JOIN places pl ON pl.merchant_id = w.merchant_id
         WHERE w.card_no IN (SELECT w2.card_no FROM win w2 JOIN places p2 ON p2.merchant_id = w2.merchant_id)
        WINDOW c AS (PARTITION BY w.card_no ORDER BY w.created_at_ms, w.id)),
      travel AS (
        SELECT s.card_no FROM placed s LEFT JOIN prof p ON p.card_no = s.card_no
          LEFT JOIN places lpl ON lpl.merchant_id = p.lp.merchant_id
         CROSS JOIN LATERAL (SELECT CASE WHEN s.nth = 1 THEN p.lp.at_ms ELSE s.before_ms END b_ms,
                                    CASE WHEN s.nth = 1 THEN lpl.x_m ELSE s.before_x END b_x,
                                    CASE WHEN s.nth = 1 THEN lpl.y_m ELSE s.before_y END b_y) b
         WHERE s.x_m IS NOT NULL AND b.b_x IS NOT NULL AND b.b_y IS NOT NULL
           AND sqrt((s.x_m - b.b_x)::DOUBLE ** 2 + (s.y_m - b.b_y)::DOUBLE ** 2) >= ${n(t.travelDistanceMinM)} - 1
           AND sqrt((s.x_m - b.b_x)::DOUBLE ** 2 + (s.y_m - b.b_y)::DOUBLE ** 2)
               >= ${n(t.travelSpeedMaxMps)} * greatest(1, (s.at_ms - b.b_ms) / 1000) - 1),
      -- A copied key: a code made after another of its key, its counter not past that one's.
      clone AS (
        SELECT w.card_no FROM win w
          JOIN (SELECT card_no, key_id, made_at_s, counter FROM win UNION ALL SELECT card_no, key_id, made_at_s, counter FROM keys) q
            ON q.card_no = w.card_no AND q.key_id = w.key_id AND q.made_at_s < w.made_at_s
         WHERE w.counter IS NOT NULL AND q.counter IS NOT NULL
           AND NOT ((w.counter - q.counter + 65536) % 65536 BETWEEN 1 AND 32767)),
      candidates AS (
        SELECT card_no FROM spend UNION SELECT card_no FROM busy UNION SELECT card_no FROM travel
        UNION SELECT card_no FROM clone),
      rows AS (SELECT * FROM win WHERE card_no IN (SELECT card_no FROM candidates))
     SELECT r.card_no, r.id, r.created_at_ms::DOUBLE at_ms, r.merchant_id, r.amount::DOUBLE amount,
            pl.x_m::DOUBLE x_m, pl.y_m::DOUBLE y_m, r.key_id, r.made_at_s::DOUBLE made_at_s, r.counter::DOUBLE counter,
            p.n::DOUBLE n, p.p90, list_contains(p.known, r.merchant_id) known, p.lp.id last_id,
            p.lp.at_ms::DOUBLE last_at_ms, p.lp.merchant_id last_merchant_id, p.lp.amount::DOUBLE last_amount,
            lpl.x_m::DOUBLE last_x_m, lpl.y_m::DOUBLE last_y_m,
            k.made_at_s::DOUBLE key_made_at_s, k.counter::DOUBLE key_counter, h.pin_set::DOUBLE pin_set
       FROM rows r LEFT JOIN prof p ON p.card_no = r.card_no
       LEFT JOIN holders h ON h.card_no = r.card_no
       LEFT JOIN places pl ON pl.merchant_id = r.merchant_id
       LEFT JOIN places lpl ON lpl.merchant_id = p.lp.merchant_id
       LEFT JOIN keys k ON k.card_no = r.card_no AND k.key_id = r.key_id
      ORDER BY r.card_no, r.created_at_ms, r.id`,
    params,
  );
  const profiles = new Map<string, CardProfile & { known: string[]; keys: Map<string, KeyUse> }>();
  const payments: PaymentPoint[] = [];
  const guarded = new Set<string>();
  for (const r of rows) {
    const point = toPoint(r);
    payments.push(point);
    if (Number(r.pin_set) === 1) guarded.add(point.cardNo);
    if (r.n == null) continue;
    let profile = profiles.get(point.cardNo);
    if (profile === undefined) {
      const last = {
        id: r.last_id,
        card_no: r.card_no,
        at_ms: r.last_at_ms,
        merchant_id: r.last_merchant_id,
        amount: r.last_amount,
        x_m: r.last_x_m,
        y_m: r.last_y_m,
      };
      profile = {
        payments: Number(r.n),
        known: [],
        ownP90: Number(r.p90),
        last: toPoint(last),
        keys: new Map(),
      };
      profiles.set(point.cardNo, profile);
    }
    if (r.known === true && !profile.known.includes(point.merchantId)) profile.known.push(point.merchantId);
    if (point.keyId && r.key_made_at_s != null)
      profile.keys.set(point.keyId, { madeAtS: Number(r.key_made_at_s), counter: Number(r.key_counter) });
  }
  return { profiles, payments, guarded };
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
    `SELECT c.card_no, h.department, h.enrol_year, c.month_key, c.campus_days::INTEGER campus_days, c.meals::INTEGER meals,
            c.meal_spend::DOUBLE meal_spend, c.other_spend::DOUBLE other_spend
       FROM card_months c JOIN holders h ON h.card_no = c.card_no AND h.type = 'student'
      WHERE c.month_key BETWEEN $1 AND $2 ${cardNo === undefined ? '' : 'AND c.card_no = $3'}
      ORDER BY c.month_key, c.card_no`,
    cardNo === undefined ? [fromMonth, toMonth] : [fromMonth, toMonth, cardNo],
  );
  return rows.map((r) => ({
    cardNo: String(r.card_no),
    department: strOrNull(r.department),
    enrolYear: r.enrol_year === null || r.enrol_year === undefined ? null : Number(r.enrol_year),
    month: String(r.month_key),
    campusDays: Number(r.campus_days),
    meals: Number(r.meals),
    mealSpend: Number(r.meal_spend),
    otherSpend: Number(r.other_spend),
  }));
}

/** The median of a sorted DuckDB list as hidden-need.ts takes it (the two middle values' mean, 0 when empty). */
const medianOf = (l: string) =>
  `CASE WHEN len(${l}) = 0 THEN 0::DOUBLE WHEN len(${l}) % 2 = 1 THEN ${l}[len(${l}) // 2 + 1]
        ELSE (${l}[len(${l}) // 2] + ${l}[len(${l}) // 2 + 1]) / 2 END`;

/**
 * Hidden need's input for one month (hidden-need.ts HiddenNeedInput), from the summary card_months:
 * each cohort's medians (the department's where it has cohortSizeMin students assessed, else every
 * student's) are taken here, in the same floating-point steps as the detector, and only the cards
 * whose meals per day and spend per meal are both under the ratios come back, each with its yardstick
 * and its meals and days summed over the months in [fromMonth, month) with campusDaysMin days or
 * more (the trend). The detector applies the thresholds again; the margin here only keeps a card a
 * rounding away from them.
 */
export async function hiddenNeedInput(
  select: Select,
  month: string,
  fromMonth: string,
  t: HiddenNeedThresholds,
): Promise<HiddenNeedInput[]> {
  const rows = await select(
    `WITH m AS (
        SELECT c.card_no, h.department, coalesce(h.department, '') cohort, c.campus_days::INTEGER campus_days,
               c.meals::INTEGER meals, c.meal_spend::DOUBLE meal_spend, c.other_spend::DOUBLE other_spend,
               c.meals::DOUBLE / c.campus_days::DOUBLE meals_per_day,
               CASE WHEN c.meals > 0 THEN c.meal_spend::DOUBLE / c.meals::DOUBLE END spend_per_meal
          FROM card_months c JOIN holders h ON h.card_no = c.card_no AND h.type = 'student'
         WHERE c.month_key = $1 AND c.campus_days >= $3::DOUBLE),
      lists AS (
        SELECT cohort, grouping(cohort) = 1 everyone, count(*) n, list_sort(list(meals_per_day)) mpd,
               list_sort(list(spend_per_meal) FILTER (WHERE spend_per_meal IS NOT NULL)) spm,
               list_sort(list(other_spend)) other
          FROM m GROUP BY GROUPING SETS ((cohort), ())),
      yard AS (
        SELECT cohort, everyone, n, ${medianOf('mpd')} mpd, ${medianOf('spm')} spm,
               ${medianOf('other')} other FROM lists),
      cand AS (
        SELECT m.*, coalesce(own.cohort IS NOT NULL, false) own_cohort,
               coalesce(own.mpd, every.mpd) y_mpd, coalesce(own.spm, every.spm) y_spm,
               coalesce(own.other, every.other) y_other
          FROM m CROSS JOIN (SELECT * FROM yard WHERE everyone) every
          LEFT JOIN (SELECT * FROM yard WHERE NOT everyone AND cohort <> '' AND n >= $4::DOUBLE) own
            ON own.cohort = m.cohort
         WHERE m.meals > 0),
      picked AS (
        SELECT * FROM cand WHERE y_mpd > 0 AND y_spm > 0
           AND meals_per_day / y_mpd <= $5::DOUBLE * (1 + 1e-9)
           AND spend_per_meal / y_spm <= $6::DOUBLE * (1 + 1e-9)),
      earlier AS (
        SELECT c.card_no, sum(c.meals)::DOUBLE meals, sum(c.campus_days)::DOUBLE campus_days FROM card_months c
         WHERE c.month_key >= $2 AND c.month_key < $1 AND c.campus_days >= $3::DOUBLE
           AND c.card_no IN (SELECT card_no FROM picked)
         GROUP BY c.card_no)
     SELECT p.card_no, p.department, p.campus_days, p.meals, p.meal_spend, p.other_spend, p.own_cohort,
            p.y_mpd, p.y_spm, p.y_other, e.meals e_meals, e.campus_days e_days
       FROM picked p LEFT JOIN earlier e ON e.card_no = p.card_no`,
    [month, fromMonth, t.campusDaysMin, t.cohortSizeMin, t.mealsRatioMax, t.spendRatioMax],
  );
  return rows.map((r) => ({
    figures: {
      cardNo: String(r.card_no),
      department: strOrNull(r.department),
      month,
      campusDays: Number(r.campus_days),
      meals: Number(r.meals),
      mealSpend: Number(r.meal_spend),
      otherSpend: Number(r.other_spend),
    },
    yardstick: { mealsPerDay: Number(r.y_mpd), spendPerMeal: Number(r.y_spm), otherSpend: Number(r.y_other) },
    ownCohort: r.own_cohort === true,
    earlier: r.e_days == null ? undefined : { meals: Number(r.e_meals), days: Number(r.e_days) },
  }));
}
