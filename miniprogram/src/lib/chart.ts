// Bar lengths for the statement charts, as percentages of the largest value (at least 2% for a value
// above zero, so a small day is still visible next to a big one).

export function barWidths(values: readonly number[]): number[] {
  const max = Math.max(0, ...values);
  if (max === 0) return values.map(() => 0);
  return values.map((value) => (value <= 0 ? 0 : Math.max(2, Math.round((value / max) * 100))));
}

/** Change against last month: the difference in fen and whether it went up; undefined with no history. */
export function monthChange(
  spent: number,
  previousSpent?: number,
): { diff: number; up: boolean } | undefined {
  if (previousSpent === undefined) return undefined;
  return { diff: Math.abs(spent - previousSpent), up: spent > previousSpent };
}

/** Every day of the month, 0 where nothing was spent, so the day chart is a month wide and days line up. */
export function fillDays(
  year: number,
  month: number,
  byDay: readonly { readonly day: number; readonly amount: number }[],
): { day: number; amount: number }[] {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const amounts = new Map(byDay.map((entry) => [entry.day, entry.amount]));
  return Array.from({ length: days }, (_, i) => ({ day: i + 1, amount: amounts.get(i + 1) ?? 0 }));
}
