import { groupSizeMin, type SpendingGroup, type SpendingStructureAnswer } from '../contract/insight.ts';
import type { InsightStore, MonthFigures } from './insight-store.ts';

/**
 * A month's spending per department (the card centre's report, docs/analytics.md). A department
 * with fewer than groupSizeMin students that month is named without figures, and there is no
 * all-departments total, so no figure of a small group can be had by subtracting.
 */
export function spendingStructure(figures: readonly MonthFigures[], month: string): SpendingStructureAnswer {
  const groups = new Map<string, MonthFigures[]>();
  for (const f of figures) {
    if (f.month !== month) continue;
    const department = f.department ?? '未分院系';
    const group = groups.get(department);
    if (group) group.push(f);
    else groups.set(department, [f]);
  }
  const items: SpendingGroup[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'zh-CN'))
    .map(([department, rows]) => {
      if (rows.length < groupSizeMin) return { department, suppressed: true };
      const sum = (pick: (f: MonthFigures) => number) => rows.reduce((n, f) => n + pick(f), 0);
      const mealSpendFen = sum((f) => f.mealSpend);
      const otherSpendFen = sum((f) => f.otherSpend);
      return {
        department,
        suppressed: false,
        students: rows.length,
        meals: sum((f) => f.meals),
        mealSpendFen,
        otherSpendFen,
        spendPerStudentFen: Math.floor((mealSpendFen + otherSpendFen) / rows.length),
      };
    });
  return { month, groupSizeMin, items };
}

/** The month's spending structure from the store. */
export async function spendingStructureOf(
  store: Pick<InsightStore, 'monthFigures'>,
  month: string,
): Promise<SpendingStructureAnswer> {
  return spendingStructure(await store.monthFigures(month, month), month);
}
