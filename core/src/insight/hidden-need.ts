import type { HiddenNeedCandidate, HiddenNeedReason, HiddenNeedThresholds } from '../contract/insight.ts';
import { addMonthsToKey } from '../time.ts';
import type { EarlierMeals, InsightStore, MonthFigures } from './insight-store.ts';

/**
 * Hidden need (隐形资助), version 1: students who are on campus most days yet take fewer canteen
 * meals than their cohort AND pay less per meal than it. Either alone says little: a student who eats
 * off campus takes few meals at a normal price, a frugal one many cheap meals, and a student who is
 * away (internship, home) is simply not there, which is why days on campus (payments, sign-ins,
 * gate passes) come first. The cohort is the department; a cohort smaller than cohortSizeMin is not
 * compared with itself but with every student that month. Pure: figures in, ranked candidates out.
 */

export const hiddenNeedDefaults: Readonly<HiddenNeedThresholds> = Object.freeze({
  campusDaysMin: 10,
  mealsRatioMax: 0.8,
  spendRatioMax: 0.7,
  cohortSizeMin: 10,
  fallingRatioMax: 0.75,
});

export type { HiddenNeedCandidate, HiddenNeedReason, HiddenNeedThresholds };

interface Assessed {
  f: MonthFigures;
  mealsPerDay: number;
  spendPerMeal: number | undefined;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A cohort's medians the month's figures are compared with. */
export interface HiddenNeedYardstick {
  mealsPerDay: number;
  spendPerMeal: number;
  otherSpend: number;
}

/**
 * One assessed card of the month as the store hands it over (InsightStore.hiddenNeedInput): its
 * figures, the yardstick it is compared with (its department's when `ownCohort`, else every student's)
 * and its earlier months on campus summed, where it has any.
 */
export interface HiddenNeedInput {
  figures: MonthFigures;
  yardstick: HiddenNeedYardstick;
  ownCohort: boolean;
  earlier: EarlierMeals | undefined;
}

function yardstick(group: Assessed[]): HiddenNeedYardstick {
  return {
    mealsPerDay: median(group.map((a) => a.mealsPerDay)),
    spendPerMeal: median(group.flatMap((a) => (a.spendPerMeal === undefined ? [] : [a.spendPerMeal]))),
    otherSpend: median(group.map((a) => a.f.otherSpend)),
  };
}

/**
 * The month's candidates, most pressing first. `figures` holds the month and, for the trend, any
 * earlier months of the same cards (what InsightStore.monthFigures answers for a range).
 */
export function detectHiddenNeed(
  figures: readonly MonthFigures[],
  month: string,
  thresholds: Partial<HiddenNeedThresholds> = {},
): HiddenNeedCandidate[] {
  const t = { ...hiddenNeedDefaults, ...thresholds };
  const assessed: Assessed[] = figures
    .filter((f) => f.month === month && f.campusDays >= t.campusDaysMin)
    .map((f) => ({
      f,
      mealsPerDay: f.meals / f.campusDays,
      spendPerMeal: f.meals === 0 ? undefined : f.mealSpend / f.meals,
    }));
  const byCohort = new Map<string, Assessed[]>();
  for (const a of assessed) {
    const key = a.f.department ?? '';
    const group = byCohort.get(key);
    if (group) group.push(a);
    else byCohort.set(key, [a]);
  }
  const everyone = yardstick(assessed);
  const yardsticks = new Map<string, HiddenNeedYardstick>();
  for (const [key, group] of byCohort)
    if (group.length >= t.cohortSizeMin && key !== '') yardsticks.set(key, yardstick(group));

  // Each card's earlier months on campus, for the trend against itself.
  const earlier = new Map<string, EarlierMeals>();
  for (const f of figures) {
    if (f.month >= month || f.campusDays < t.campusDaysMin) continue;
    const e = earlier.get(f.cardNo) ?? { meals: 0, days: 0 };
    e.meals += f.meals;
    e.days += f.campusDays;
    earlier.set(f.cardNo, e);
  }
  return detectHiddenNeedFromInput(
    assessed.map(({ f }) => {
      const own = yardsticks.get(f.department ?? '');
      return {
        figures: f,
        yardstick: own ?? everyone,
        ownCohort: own !== undefined,
        earlier: earlier.get(f.cardNo),
      };
    }),
    month,
    thresholds,
  );
}

/**
 * The month's candidates, most pressing first, from the assessed cards with their yardsticks: the
 * same as detectHiddenNeed over all the month's figures when the cards given include every card
 * under both ratios (InsightStore.hiddenNeedInput hands over only those; give it the same thresholds).
 */
export function detectHiddenNeedFromInput(
  input: readonly HiddenNeedInput[],
  month: string,
  thresholds: Partial<HiddenNeedThresholds> = {},
): HiddenNeedCandidate[] {
  const t = { ...hiddenNeedDefaults, ...thresholds };
  const candidates: HiddenNeedCandidate[] = [];
  for (const { figures: f, yardstick: y, ownCohort, earlier: past } of input) {
    if (f.month !== month || f.campusDays < t.campusDaysMin) continue;
    // A student with no canteen meal at all eats elsewhere: no price to compare, not assessed here.
    if (f.meals === 0) continue;
    if (y.mealsPerDay <= 0 || y.spendPerMeal <= 0) continue;
    const mealsPerDay = f.meals / f.campusDays;
    const spendPerMeal = f.mealSpend / f.meals;
    const mealsRatio = mealsPerDay / y.mealsPerDay;
    const spendRatio = spendPerMeal / y.spendPerMeal;
    if (mealsRatio > t.mealsRatioMax || spendRatio > t.spendRatioMax) continue;
    const reasons: HiddenNeedReason[] = [
      { code: 'few_meals', mealsPerDay: round2(mealsPerDay), cohortMealsPerDay: round2(y.mealsPerDay) },
      {
        code: 'cheap_meals',
        spendPerMealFen: Math.round(spendPerMeal),
        cohortSpendPerMealFen: Math.round(y.spendPerMeal),
      },
    ];
    let score = 1 - mealsRatio + (1 - spendRatio);
    if (past && past.days > 0 && past.meals > 0) {
      const ownEarlier = past.meals / past.days;
      if (mealsPerDay <= ownEarlier * t.fallingRatioMax) {
        reasons.push({
          code: 'falling',
          mealsPerDay: round2(mealsPerDay),
          ownEarlierMealsPerDay: round2(ownEarlier),
        });
        score += 0.25;
      }
    }
    if (f.otherSpend < y.otherSpend / 2)
      reasons.push({
        code: 'little_other_spending',
        otherSpendFen: f.otherSpend,
        cohortOtherSpendFen: Math.round(y.otherSpend),
      });
    candidates.push({
      cardNo: f.cardNo,
      month,
      score: round2(score),
      campusDays: f.campusDays,
      meals: f.meals,
      mealSpendFen: f.mealSpend,
      cohort: ownCohort ? (f.department as string) : '*',
      reasons,
    });
  }
  return candidates.sort((x, y) => y.score - x.score || x.cardNo.localeCompare(y.cardNo));
}

/**
 * The month's candidates from the store, with up to historyMonths earlier months for the trend. The
 * cohorts' medians and each card's ratios are worked out in DuckDB: only the cards under both ratios
 * reach the detector (InsightStore.hiddenNeedInput).
 */
export async function hiddenNeedCandidates(
  store: Pick<InsightStore, 'hiddenNeedInput'>,
  month: string,
  thresholds: Partial<HiddenNeedThresholds> = {},
  historyMonths = 6,
): Promise<HiddenNeedCandidate[]> {
  const t = { ...hiddenNeedDefaults, ...thresholds };
  const input = await store.hiddenNeedInput(month, addMonthsToKey(month, -historyMonths), t);
  return detectHiddenNeedFromInput(input, month, t);
}
