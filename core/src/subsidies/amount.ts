/** The largest amount one subsidy row may carry, fen (100,000 元): a typo guard, not a policy. */
export const subsidyRowAmountMax = 10_000_000;

/**
 * Yuan as written in a sheet ("12", "12.5", "12.50") to whole fen, exactly: the digits are read as
 * text, never through a float, so "0.29" is 29 fen and not 28.999…. Undefined when it is not a
 * positive amount with at most two decimals within subsidyRowAmountMax.
 */
export function yuanToFen(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  const fen = whole * 100 + cents;
  return fen > 0 && fen <= subsidyRowAmountMax ? fen : undefined;
}

/** Fen as yuan text with two decimals, for exports. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
