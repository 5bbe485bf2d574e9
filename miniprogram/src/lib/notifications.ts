// A notification as a line of text: the BFF sends ledger operations and card changes, not sentences.

import type { Notification } from '../services/types.ts';
import { strings } from '../strings.ts';
import { formatFen } from './money.ts';

export function notificationText(item: Notification): { title: string; detail: string } {
  if (item.type === 'card') {
    return {
      title: strings.cardActions.title,
      detail: strings.notifications.cardChanged(strings.card.status[item.status] ?? ''),
    };
  }
  const incoming = item.kind === 'top_up' || item.kind === 'subsidy' || item.kind === 'refund';
  const amount = Math.abs(item.amount);
  return {
    title: strings.bills.kind[item.kind] ?? '',
    detail: incoming ? `+${formatFen(amount)}` : `-${formatFen(amount)}`,
  };
}
