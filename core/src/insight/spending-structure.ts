import {
  groupSizeMin,
  type SpendingGroup,
  type SpendingGrouping,
  type SpendingStructureAnswer,
} from '../contract/insight.ts';
import type { InsightStore, MonthFigures } from './insight-store.ts';

/** The group a student's month falls in: the department, or the enrolment year ('' when not on record). */
const groupOf: Record<SpendingGrouping, (f: MonthFigures) => string> = {
  department: (f) => f.department ?? '',
  grade: (f) => (f.enrolYear === null || f.enrolYear === undefined ? '' : String(f.enrolYear)),
};

/**
 * A month's spending per department or grade (the card centre's report, docs/analytics.md). A group
 * with fewer than groupSizeMin students that month is named without figures, and there is no
 * all-groups total, so no figure of a small group can be had by subtracting.
 */
export function spendingStructure(
  figures: readonly MonthFigures[],
  month: string,
  by: SpendingGrouping = 'department',
): SpendingStructureAnswer {
  const groups = new Map<string, MonthFigures[]>();
  for (const f of figures) {
    if (f.month !== month) continue;
    const key = groupOf[by](f);
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  const items: SpendingGroup[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'zh-CN'))
    .map(([group, rows]) => {
      if (rows.length < groupSizeMin) return { group, suppressed: true };
      const sum = (pick: (f: MonthFigures) => number) => rows.reduce((n, f) => n + pick(f), 0);
      const mealSpendFen = sum((f) => f.mealSpend);
      const otherSpendFen = sum((f) => f.otherSpend);
      return {
        group,
        suppressed: false,
        students: rows.length,
        meals: sum((f) => f.meals),
        mealSpendFen,
        otherSpendFen,
        spendPerStudentFen: Math.floor((mealSpendFen + otherSpendFen) / rows.length),
      };
    });
  return { month, by, groupSizeMin, items };
}

/** The month's spending structure from the store. */
export async function spendingStructureOf(
  store: Pick<InsightStore, 'monthFigures'>,
  month: string,
  by: SpendingGrouping = 'department',
): Promise<SpendingStructureAnswer> {
  return spendingStructure(await store.monthFigures(month, month), month, by);
}
