// How a transaction reads in a list: its title, and its amount with a sign and a direction.

import type { Transaction } from '../services/types.ts';
import { strings } from '../strings.ts';
import { formatFen } from './money.ts';

export function transactionTitle(transaction: Transaction): string {
  return transaction.merchantName ?? strings.bills.kind[transaction.kind] ?? '';
}

/** "+¥50.00" for money in, "-¥12.50" for money out; `incoming` picks the colour. */
export function signedAmount(transaction: Transaction): { text: string; incoming: boolean } {
  const incoming = transaction.amount > 0;
  return { text: incoming ? `+${formatFen(transaction.amount)}` : formatFen(transaction.amount), incoming };
}

/** Keeps the rows of several pages in order without the duplicates a shifting cursor can bring. */
export function appendPage(rows: readonly Transaction[], page: readonly Transaction[]): Transaction[] {
  const seen = new Set(rows.map((row) => row.id));
  return [...rows, ...page.filter((row) => !seen.has(row.id))];
}
