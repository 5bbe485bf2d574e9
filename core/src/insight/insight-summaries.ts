import type { DuckDBConnection } from '@duckdb/node-api';
import { dayBoundsMs, formatDay, monthKeyRangeMs, shanghaiDay } from '../time.ts';
import { abnormalDefaults } from './abnormal-spending.ts';
import { dayOf, monthOfDay, paymentFilter, sittingOf, slotOf } from './insight-schema.ts';

/**
 * The summaries the pages read (insight-schema.ts: card_days, card_months, slot_counts, and the
 * abnormal-spending profile's pieces card_pay_days and card_key_days), kept up to
 * date from the copied rows. Every load marks the Asia/Shanghai days its rows fall on dirty, in the
 * load's own transaction (markDirty); a refresh recomputes exactly those days from the copied rows,
 * and the months they fall in from the days, then forgets them, one month per transaction. A refresh
 * that stops half way leaves the rest dirty for the next one; refreshing twice changes nothing. A row
 * read twice, a late commit, an offline upload with an old time, a merchant whose category changed
 * or a prune: each only marks days dirty, so the summaries always equal what the copied rows give.
 */

/** SQL that marks the days of the rows in `stage` dirty, per copied table (undefined: no summary reads it). */
export const markDirty: Readonly<Record<string, string | undefined>> = {
  operations: 'INSERT OR IGNORE INTO dirty_days SELECT DISTINCT created_day FROM stage',
  attendance: `INSERT OR IGNORE INTO dirty_days SELECT DISTINCT ${dayOf('recorded_at_ms')} FROM stage`,
  access: `INSERT OR IGNORE INTO dirty_days SELECT DISTINCT ${dayOf('occurred_at_ms')} FROM stage`,
  // A code's day is its payment's (a code copied before its operation marks it when that comes).
  code_uses:
    'INSERT OR IGNORE INTO dirty_days SELECT DISTINCT o.created_day FROM stage s JOIN operations o ON o.id = s.operation_id',
};

/** Marks every day with an operation dirty (a merchant's category changed: meals and slots move). */
export const markAllDirty = 'INSERT OR IGNORE INTO dirty_days SELECT DISTINCT created_day FROM operations';

const spending =
  "o.outcome = 'ok' AND o.kind IN ('payment', 'post', 'expire') AND o.amount > 0 AND o.card_no IS NOT NULL";

/** card_days of the days listed (all within [lo, hi]), from the copied rows. */
function cardDaysSql(days: string, lo: number, hi: number): string {
  const fromMs = dayBoundsMs(lo).startMs;
  const toMs = dayBoundsMs(hi).endMs;
  return `INSERT INTO card_days
    WITH pay AS (
        SELECT o.card_no, o.created_day day_no, o.created_at_ms ms, o.amount,
               coalesce(m.category, 'other') = 'canteen' canteen
          FROM operations o LEFT JOIN merchants m ON m.id = o.merchant_id
         WHERE o.created_day BETWEEN ${lo} AND ${hi} AND o.created_day IN (${days}) AND ${spending}),
      presence AS (
        SELECT card_no, day_no FROM pay
        UNION SELECT card_no, ${dayOf('recorded_at_ms')} FROM attendance
         WHERE recorded_at_ms >= ${fromMs} AND recorded_at_ms < ${toMs}
        UNION SELECT card_no, ${dayOf('occurred_at_ms')} FROM access
         WHERE decision = 'allow' AND card_no IS NOT NULL AND occurred_at_ms >= ${fromMs} AND occurred_at_ms < ${toMs}),
      spend AS (
        SELECT card_no, day_no, count(DISTINCT CASE WHEN canteen THEN ${sittingOf('ms')} END) meals,
               coalesce(sum(amount) FILTER (WHERE canteen), 0) meal_spend,
               coalesce(sum(amount) FILTER (WHERE NOT canteen), 0) other_spend
          FROM pay GROUP BY card_no, day_no)
    SELECT p.card_no, p.day_no, ${monthOfDay('p.day_no')}, coalesce(s.meals, 0), coalesce(s.meal_spend, 0),
           coalesce(s.other_spend, 0)
      FROM presence p LEFT JOIN spend s ON s.card_no = p.card_no AND s.day_no = p.day_no
     WHERE p.day_no IN (${days})`;
}

/** slot_counts of the days listed: accepted canteen payments per window and 15-minute slot. */
function slotCountsSql(days: string, lo: number, hi: number): string {
  return `INSERT INTO slot_counts
    SELECT coalesce(o.device_id, o.merchant_id), o.created_day, ${slotOf('o.created_at_ms')}, count(*)
      FROM operations o JOIN merchants m ON m.id = o.merchant_id AND m.category = 'canteen'
     WHERE o.created_day BETWEEN ${lo} AND ${hi} AND o.created_day IN (${days})
       AND o.outcome = 'ok' AND o.kind = 'payment'
     GROUP BY ALL`;
}

/**
 * Each card's payments per day in the operations that `where` selects (as card_pay_days holds them):
 * count, amounts in order, places, and the last payment (by time, then id). The same select gives
 * the summary's rows and the profile's part of a day the summary does not cover (insight-queries.ts).
 */
export function payDaysSelect(where: string): string {
  return `SELECT o.card_no, o.created_day, count(*)::INTEGER, list(o.amount ORDER BY o.amount),
                 list(DISTINCT o.merchant_id ORDER BY o.merchant_id),
                 max({'at_ms': o.created_at_ms, 'id': o.id, 'merchant_id': o.merchant_id, 'amount': o.amount})
            FROM operations o WHERE ${paymentFilter} AND ${where} GROUP BY o.card_no, o.created_day`;
}

/** Per card, day and phone key the last code made, from the operations `where` selects (card_key_days). */
export function keyDaysSelect(where: string): string {
  return `SELECT o.card_no, o.created_day, c.key_id, max(c.made_at_s), arg_max(c.counter, c.made_at_s)
            FROM operations o JOIN code_uses c ON c.operation_id = o.id
           WHERE ${paymentFilter} AND ${where}
             AND c.key_id IS NOT NULL AND c.made_at_s IS NOT NULL AND c.counter IS NOT NULL
           GROUP BY ALL`;
}

/** The profile tables: a refresh forgets the windows whose profile days include a changed one. */
export const profileTables = ['card_profiles', 'card_key_profiles', 'profile_runs'];

/**
 * The profiles of the windows starting on `day` with profileDays days of profile (card_profiles,
 * card_key_profiles), summed from card_pay_days and card_key_days: computed once, kept until a load
 * changes one of their days (refreshSummaries forgets them then). Call after the days are fresh.
 */
export async function ensureProfiles(con: DuckDBConnection, day: number, profileDays: number): Promise<void> {
  const done = await con.runAndReadAll('SELECT 1 FROM profile_runs WHERE day_no = $1 AND profile_days = $2', [
    day,
    profileDays,
  ]);
  if (done.getRowObjectsJS().length > 0) return;
  const days = `day_no BETWEEN ${day - profileDays} AND ${day - 1}`;
  await con.run('BEGIN TRANSACTION');
  try {
    await con.run(
      `INSERT INTO card_profiles
       SELECT card_no, ${day}, ${profileDays}, sum(payments), list_sort(flatten(list(amounts))),
              list_distinct(flatten(list(merchants))), max(last_payment)
         FROM card_pay_days WHERE ${days} GROUP BY card_no`,
    );
    await con.run(
      `INSERT INTO card_key_profiles
       SELECT card_no, ${day}, ${profileDays}, key_id, max(made_at_s), arg_max(counter, made_at_s)
         FROM card_key_days WHERE ${days} GROUP BY card_no, key_id`,
    );
    await con.run('INSERT INTO profile_runs VALUES ($1, $2)', [day, profileDays]);
    await con.run('COMMIT');
  } catch (error) {
    await con.run('ROLLBACK');
    throw error;
  }
}

/** Recomputes the dirty days and their months; answers how many days were refreshed. */
export async function refreshSummaries(con: DuckDBConnection): Promise<number> {
  const dirty = (await con.runAndReadAll('SELECT day_no FROM dirty_days ORDER BY day_no')).getRowObjectsJS();
  const byMonth = new Map<string, number[]>();
  for (const row of dirty) {
    const day = Number(row.day_no);
    const key = formatDay(day).slice(0, 7);
    const list = byMonth.get(key);
    if (list) list.push(day);
    else byMonth.set(key, [day]);
  }
  for (const [month, monthDays] of byMonth) {
    const days = monthDays.join(', ');
    const lo = monthDays[0] as number;
    const hi = monthDays.at(-1) as number;
    const range = monthKeyRangeMs(month) as { fromMs: number; toMs: number };
    const first = shanghaiDay(range.fromMs);
    const last = shanghaiDay(range.toMs - 1);
    await con.run('BEGIN TRANSACTION');
    try {
      await con.run(`DELETE FROM card_days WHERE day_no IN (${days})`);
      await con.run(cardDaysSql(days, lo, hi));
      await con.run(`DELETE FROM slot_counts WHERE day_no IN (${days})`);
      await con.run(slotCountsSql(days, lo, hi));
      const dayRows = `o.created_day BETWEEN ${lo} AND ${hi} AND o.created_day IN (${days})`;
      await con.run(`DELETE FROM card_pay_days WHERE day_no IN (${days})`);
      await con.run(`INSERT INTO card_pay_days ${payDaysSelect(dayRows)}`);
      await con.run(`DELETE FROM card_key_days WHERE day_no IN (${days})`);
      await con.run(`INSERT INTO card_key_days ${keyDaysSelect(dayRows)}`);
      for (const table of profileTables)
        await con.run(`DELETE FROM ${table} WHERE day_no > ${lo} AND day_no <= ${hi} + profile_days`);
      await con.run(`DELETE FROM card_months WHERE month_key = '${month}'`);
      await con.run(
        `INSERT INTO card_months SELECT card_no, '${month}', count(*), sum(meals), sum(meal_spend), sum(other_spend)
           FROM card_days WHERE day_no BETWEEN ${first} AND ${last} GROUP BY card_no`,
      );
      await con.run(`DELETE FROM dirty_days WHERE day_no IN (${days})`);
      await con.run('COMMIT');
    } catch (error) {
      await con.run('ROLLBACK');
      throw error;
    }
  }
  // The profiles the day's assessments read (today's and the last 24 hours'), ready before they ask.
  const newest = await con.runAndReadAll('SELECT max(day_no) d FROM card_pay_days');
  const day = newest.getRowObjectsJS()[0]?.d;
  if (dirty.length > 0 && day != null)
    for (const d of [Number(day) - 1, Number(day)])
      await ensureProfiles(con, d, abnormalDefaults.profileDays);
  return dirty.length;
}

/** Whether any day waits for a refresh. */
export async function anyDirty(con: DuckDBConnection): Promise<boolean> {
  const rows = (await con.runAndReadAll('SELECT count(*)::DOUBLE n FROM dirty_days')).getRowObjectsJS();
  return Number(rows[0]?.n ?? 0) > 0;
}
