// A notification as a line of text: the BFF sends ledger operations and card changes, not sentences.

import { labelOf, transactionKindLabels } from '../labels.ts';
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
  const title = labelOf(transactionKindLabels, item.kind, '其他');
  // A hold only holds money aside, and a void releases it: neither is money out.
  if (item.kind === 'hold') return { title, detail: `冻结 ${formatFen(amount)}` };
  if (item.kind === 'void') return { title, detail: '已解冻' };
  return { title, detail: incoming ? `+${formatFen(amount)}` : `-${formatFen(amount)}` };
}
