// How the bench prints: one labelled line a figure, rounded counts, percentiles of sorted samples.

export const line = (label: string, value: string) => console.log(`  ${label.padEnd(52)} ${value}`);
export const fmt = (n: number) => Math.round(n).toLocaleString('en');
/** A CPU figure in µs, '-' when it could not be measured. */
export const us = (n: number) => (Number.isFinite(n) ? `${fmt(n)} µs` : '-');

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] as number;
}

/** p50 / p99 / max of sorted latencies in ms, '-' when there are none. */
export function spread(sorted: readonly number[]): string {
  return sorted.length
    ? `${percentile(sorted, 0.5).toFixed(1)} / ${percentile(sorted, 0.99).toFixed(1)} / ${(sorted.at(-1) as number).toFixed(1)} ms`
    : '-';
}

/** A bar of `width` characters at most, `value` of `most` long. */
export function bar(value: number, most: number, width: number): string {
  return '█'.repeat(Math.round((value / most) * width));
}
