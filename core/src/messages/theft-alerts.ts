import type { Notice } from '../contract/notices.ts';
import { formatMinute } from '../time.ts';
import type { MessageService } from './message-service.ts';
import type { MessageEvent } from './message-types.ts';
import { yuan } from './message-words.ts';

/**
 * The student's own abnormal-spending alert outside the app (docs/messages.md § The student's theft
 * alert): for each notice campus insight wrote (AbnormalAlerts, kind insight_abnormal, action freeze),
 * one `theft_alert` message to the card's holder on the app they are bound in, by SMS when they are
 * bound in none. Its key is the notice's (`abnormal:<notice>`, the same as the parents' message, which
 * goes to other recipients), and the outbox keeps one row per key, recipient and channel: a rerun of
 * insight over the same payments, or a retried call, sends nothing twice. Quiet hours do not hold it
 * (urgentKinds). Its page opens 卡片管理 with the alert shown above the one-tap freeze.
 */

export const theftAlertKind = 'theft_alert';

/** The mini-program page the message opens: card actions, with the alert above the freeze button. */
export const theftAlertPage = 'pages/card-actions/index?alert=1';

export class TheftAlerts {
  constructor(private readonly messages: Pick<MessageService, 'sendTo'>) {}

  /** Queues the student's message for each freeze notice; answers the events queued (for tests). */
  async abnormal(notices: readonly Notice[]): Promise<MessageEvent[]> {
    const events: MessageEvent[] = [];
    for (const notice of notices) {
      const data = notice.data ?? {};
      if (data.action !== 'freeze' || typeof data.cardNo !== 'string') continue;
      const evidence: unknown[] = Array.isArray(data.evidence) ? data.evidence : [];
      const total = evidence.reduce<number>(
        (sum, e) => sum + Number((e as { amount?: unknown }).amount ?? 0),
        0,
      );
      const event: MessageEvent = {
        key: `abnormal:${notice.id}`,
        kind: theftAlertKind,
        // A prompt for the PIN left unanswered has no payments of its own to total.
        fields: [
          '你的校园卡有异常消费',
          total > 0 ? `共${evidence.length}笔 ${yuan(total)}` : '要求输入密码未通过',
          formatMinute(notice.createdAtMs),
        ],
        page: theftAlertPage,
        smsFallback: true,
      };
      await this.messages.sendTo(notice.personId, event);
      events.push(event);
    }
    return events;
  }
}
