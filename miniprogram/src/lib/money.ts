// Money is whole fen everywhere; only the screen sees yuan, made here from integers (no floating point).

/** 12345 → "¥123.45", -500 → "-¥5.00". */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`money must be whole fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}¥${yuan}.${String(cents).padStart(2, '0')}`;
}

/** "12.3" → 1230; undefined for anything that is not a positive amount with at most two decimals. */
export function parseYuan(text: string): number | undefined {
  const match = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (match === null) return undefined;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  const fen = whole * 100 + fraction;
  return fen > 0 ? fen : undefined;
}
