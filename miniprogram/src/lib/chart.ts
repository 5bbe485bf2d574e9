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
