import {
  type DailySpending,
  type DeviceFailuresAnswer,
  groupSizeMin,
  type MerchantRankingAnswer,
  priceBandBoundsFen,
  type SubsidyEffectAnswer,
  type SubsidyGroup,
} from '../contract/insight.ts';
import { formatDay, monthKeyRangeMs, shanghaiDay } from '../time.ts';
import {
  deviceOutcomes,
  merchantMonth,
  priceBands,
  refusalPattern,
  type SubsidyWindowSums,
  subsidyWindows,
} from './insight-report-queries.ts';
import type { InsightStore } from './insight-store.ts';

/**
 * The card centre's reports beyond the spending structure (docs/analytics.md): subsidy effectiveness,
 * merchant ranking with price bands, device failure patterns. Every figure that counts people goes
 * through the k ≥ 10 rule (groupSizeMin): a group of fewer students or cards is named without it.
 */

type Store = Pick<InsightStore, 'report'>;

/** The month's first and last Asia/Shanghai day numbers (the route has checked the key). */
function monthDays(month: string): { first: number; last: number } {
  const range = monthKeyRangeMs(month);
  if (!range) throw new Error(`not a month: ${month}`);
  return { first: shanghaiDay(range.fromMs), last: shanghaiDay(range.toMs - 1) };
}

/** Days recipients are read before and from their subsidy. */
export const subsidyWindowDays = 28;

function daily(sums: SubsidyWindowSums['before']): DailySpending {
  const days = sums.days;
  return {
    campusDays: days,
    mealsPerDay: days === 0 ? 0 : Math.round((sums.meals / days) * 100) / 100,
    mealSpendPerDayFen: days === 0 ? 0 : Math.floor(sums.mealSpend / days),
    otherSpendPerDayFen: days === 0 ? 0 : Math.floor(sums.otherSpend / days),
  };
}

function side(sums: SubsidyWindowSums | undefined): SubsidyGroup {
  if (!sums || sums.students < groupSizeMin) return { suppressed: true };
  return { suppressed: false, students: sums.students, before: daily(sums.before), after: daily(sums.after) };
}

/** Spend before and after a month's subsidies, recipients against everyone else over the same days. */
export async function subsidyEffect(store: Store, month: string): Promise<SubsidyEffectAnswer> {
  const { first, last } = monthDays(month);
  const { firstSubsidyDay, sides } = await store.report((select) =>
    subsidyWindows(select, first, last, subsidyWindowDays),
  );
  const recipients = sides.find((s) => s.recipient);
  const shown = recipients !== undefined && recipients.all >= groupSizeMin;
  return {
    month,
    groupSizeMin,
    windowDays: subsidyWindowDays,
    firstDay: firstSubsidyDay === null ? null : formatDay(firstSubsidyDay),
    recipients: shown ? recipients.all : null,
    subsidyFen: shown ? recipients.subsidyFen : null,
    subsidised: side(recipients),
    others: side(sides.find((s) => !s.recipient)),
  };
}

/** Merchants by the month's turnover, and the payments per price band of each category. */
export async function merchantRanking(store: Store, month: string): Promise<MerchantRankingAnswer> {
  const { first, last } = monthDays(month);
  const [merchants, bands] = await Promise.all([
    store.report((select) => merchantMonth(select, first, last)),
    store.report((select) => priceBands(select, first, last)),
  ]);
  const categories = new Map<string, (number | null)[]>();
  for (const b of bands) {
    let row = categories.get(b.category);
    if (!row) {
      row = Array.from({ length: priceBandBoundsFen.length + 1 }, () => 0);
      categories.set(b.category, row);
    }
    row[b.band] = b.cards < groupSizeMin ? null : b.payments;
  }
  return {
    month,
    groupSizeMin,
    items: merchants.map((m) =>
      m.cards < groupSizeMin
        ? { merchantId: m.merchantId, category: m.category, suppressed: true }
        : {
            merchantId: m.merchantId,
            category: m.category,
            suppressed: false,
            payments: m.payments,
            amountFen: m.amount,
            cards: m.cards,
            averageFen: Math.floor(m.amount / m.payments),
          },
    ),
    priceBands: [...categories.entries()].map(([category, payments]) => ({ category, payments })),
  };
}

/**
 * Each device's refusals in the month, the most first, with the codes; a code refused to 1–9 cards at
 * a device is counted in `otherRefused` without its code, and a weekday-hour cell whose refusals name
 * 1–9 cards is null (refusals naming no card, a device's own faults, are always shown).
 */
export async function deviceFailures(store: Store, month: string): Promise<DeviceFailuresAnswer> {
  const { first, last } = monthDays(month);
  const [outcomes, pattern] = await Promise.all([
    store.report((select) => deviceOutcomes(select, first, last)),
    store.report((select) => refusalPattern(select, first, last)),
  ]);
  const small = (cards: number) => cards > 0 && cards < groupSizeMin;
  const devices = new Map<string, DeviceFailuresAnswer['items'][number]>();
  for (const o of outcomes) {
    let d = devices.get(o.deviceId);
    if (!d) {
      d = { deviceId: o.deviceId, operations: 0, refused: 0, codes: [], otherRefused: 0 };
      devices.set(o.deviceId, d);
    }
    d.operations += o.operations;
    if (o.code === 'ok') continue;
    d.refused += o.operations;
    if (small(o.cards)) d.otherRefused += o.operations;
    else d.codes.push({ code: o.code, refused: o.operations });
  }
  const items = [...devices.values()]
    .filter((d) => d.refused > 0)
    .map((d) => ({ ...d, codes: d.codes.sort((a, b) => b.refused - a.refused) }))
    .sort((a, b) => b.refused - a.refused || b.refused / b.operations - a.refused / a.operations);
  return {
    month,
    groupSizeMin,
    items,
    pattern: pattern.map((p) => ({
      weekday: p.weekday,
      hour: p.hour,
      operations: p.operations,
      refused: small(p.cards) ? null : p.refused,
    })),
  };
}
