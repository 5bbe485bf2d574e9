// A notification as a line of text: the BFF sends ledger operations and card changes, not sentences.

import { cardChangeActorLabels, cardChangeLabels, labelOf, transactionKindLabels } from '../labels.ts';
import type { Notification } from '../services/types.ts';
import { strings } from '../strings.ts';
import { formatFen } from './money.ts';

export function notificationText(item: Notification): { title: string; detail: string; body?: string } {
  // A kept notice is already a sentence (who reported a loss and who cancelled it, a PIN reset …).
  if (item.type === 'notice') return { title: item.title, detail: '', body: item.body };
  if (item.type === 'card') {
    const change = item.kind === undefined ? undefined : cardChangeLabels[item.kind];
    const by = item.by === undefined ? undefined : cardChangeActorLabels[item.by];
    // The change is the line's title (卡片已挂失, 由家长操作); an unknown one reads as the status it left.
    if (change)
      return { title: change, detail: '', ...(by ? { body: strings.notifications.changedBy(by) } : {}) };
    return {
      title: strings.cardActions.title,
      detail: strings.notifications.cardChanged(strings.card.status[item.status] ?? ''),
    };
  }
  const incoming = item.kind === 'top_up' || item.kind === 'subsidy' || item.kind === 'refund';
  const amount = Math.abs(item.amount);
  const kind = labelOf(transactionKindLabels, item.kind, '其他');
  // A payment names where it was made (消费 · 第一食堂), as the receipts outside the app do.
  const title = item.merchantName ? `${kind} · ${item.merchantName}` : kind;
  // A hold only holds money aside, and a void releases it: neither is money out.
  if (item.kind === 'hold') return { title, detail: `冻结 ${formatFen(amount)}` };
  if (item.kind === 'void') return { title, detail: '已解冻' };
  return { title, detail: incoming ? `+${formatFen(amount)}` : `-${formatFen(amount)}` };
}
