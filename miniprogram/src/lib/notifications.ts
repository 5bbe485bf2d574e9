// A notification as a line of text: the BFF sends ledger operations and card changes, not sentences.

import { labelOf, transactionKindLabels } from '../labels.ts';
import type { Notification } from '../services/types.ts';
import { strings } from '../strings.ts';
import { formatFen } from './money.ts';

export function notificationText(item: Notification): { title: string; detail: string; body?: string } {
  // A kept notice is already a sentence (who reported a loss and who cancelled it, a PIN reset …).
  if (item.type === 'notice') return { title: item.title, detail: '', body: item.body };
  if (item.type === 'card') {
    const pin = item.kind === undefined ? undefined : strings.notifications.pinChanged[item.kind];
    return {
      title: strings.cardActions.title,
      detail: pin ?? strings.notifications.cardChanged(strings.card.status[item.status] ?? ''),
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
