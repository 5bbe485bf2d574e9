// How a transaction reads in a list: its title, and its amount with a sign and a direction.

import { labelOf, topUpChannelLabels, transactionKindLabels } from '../labels.ts';
import type { Transaction } from '../services/types.ts';
import { formatFen } from './money.ts';

/** A hold the meter still runs on: held aside (预授权), not spent. */
export function isPendingHold(transaction: Transaction): boolean {
  return transaction.kind === 'hold' && (transaction.hold?.status ?? 'pending') === 'pending';
}

/** What the line is: the kind in Chinese (a top-up with its channel). */
export function transactionKindText(transaction: Transaction): string {
  const kind = labelOf(transactionKindLabels, transaction.kind, '其他');
  if (transaction.kind === 'top_up' && transaction.channel)
    return `${kind} · ${labelOf(topUpChannelLabels, transaction.channel, '其他方式')}`;
  return kind;
}

export function transactionTitle(transaction: Transaction): string {
  if (transaction.kind === 'top_up') return transactionKindText(transaction);
  return transaction.merchantName ?? transactionKindText(transaction);
}

/**
 * "+¥50.00" for money in, "-¥12.50" for money out; `incoming` picks the colour. A pending hold shows
 * what is held aside, unsigned and `pending`: it is no spending until the run settles.
 */
export function signedAmount(transaction: Transaction): {
  text: string;
  incoming: boolean;
  pending: boolean;
} {
  if (isPendingHold(transaction))
    return { text: formatFen(transaction.hold?.heldAmount ?? 0), incoming: false, pending: true };
  const incoming = transaction.amount > 0;
  return {
    text: incoming ? `+${formatFen(transaction.amount)}` : formatFen(transaction.amount),
    incoming,
    pending: false,
  };
}

/** Keeps the rows of several pages in order without the duplicates a shifting cursor can bring. */
export function appendPage(rows: readonly Transaction[], page: readonly Transaction[]): Transaction[] {
  const seen = new Set(rows.map((row) => row.id));
  return [...rows, ...page.filter((row) => !seen.has(row.id))];
}
