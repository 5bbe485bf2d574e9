import type { CardActivity, CardActivityFeed } from '../activity/card-activity.ts';
import type { CardService } from '../cards/card-service.ts';
import type { Logger } from '../log.ts';
import { formatMinute } from '../time.ts';
import type { MessageRepository } from './message-repository.ts';
import type { MessageService } from './message-service.ts';
import type { MessageEvent } from './message-types.ts';
import { actorWords, cardChangeWords, yuan } from './message-words.ts';

/** Who made a card change, as the student reads it. */
const actorNames: Record<string, string> = { self: '本人', ...actorWords };
const changeWords = cardChangeWords;

/** Operations a receipt tells of: what the card paid or was given. */
const receiptWords: Record<string, string> = {
  payment: '校园卡消费',
  post: '校园卡消费',
  expire: '预授权扣款',
  top_up: '校园卡充值',
  refund: '退款到账',
};

/** A receipt's title: where the card paid (`一食堂消费`), when the operation paid a merchant. */
function receiptTitle(kind: string, merchantName: string | undefined): string | undefined {
  const word = receiptWords[kind];
  if (word === undefined || merchantName === undefined) return word;
  return kind === 'expire' ? `${merchantName}${word}` : `${merchantName}消费`;
}

/**
 * The card's domains as messages outside the app: every committed card activity (the same feed the
 * live views hear) is turned into the message it means, each under a key made from what happened
 * (operation id, card version, notice id), so a repeat queues nothing.
 * - receipts for payments (naming the merchant), top-ups and refunds (sent only to those who asked);
 * - low balance, once per crossing of the student's own alert (message_preferences.low_balance_fen);
 * - pending holds released (a void);
 * - loss, freeze and unfreeze made by someone else (a parent, the card centre), naming who, with SMS
 *   as the fallback for a student bound in no app;
 * - the monthly statement notice.
 */
export class MessageEvents {
  constructor(
    private readonly messages: MessageService,
    private readonly cards: Pick<CardService, 'get' | 'history'>,
    private readonly repo: Pick<MessageRepository, 'merchantNameOf'>,
    private readonly log: Logger,
  ) {}

  /** Follows the feed; answers the unsubscribe. */
  follow(feed: CardActivityFeed): () => void {
    return feed.on((activity) => {
      this.handle(activity).catch((error: unknown) => {
        this.log.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'message event not queued');
      });
    });
  }

  /** Queues the message(s) one activity means; answers the events queued (for tests). */
  async handle(activity: CardActivity): Promise<MessageEvent[]> {
    const events = await this.eventsOf(activity);
    if (events.length === 0) return events;
    const { personId } = await this.cards.get(activity.cardNo);
    for (const event of events) await this.messages.sendTo(personId, event);
    return events;
  }

  private async eventsOf(a: CardActivity): Promise<MessageEvent[]> {
    const at = formatMinute(a.atMs);
    if (a.type === 'notice')
      return a.kind === 'statement'
        ? [
            {
              key: `statement:${a.noticeId}`,
              kind: 'statement',
              fields: [a.title, '点击查看消费明细', at],
              page: 'pages/notifications/index',
            },
          ]
        : [];
    if (a.type === 'card') return this.cardStatusEvents(a.cardNo, a.status, a.version, at);
    const events: MessageEvent[] = [];
    const paid = a.kind === 'payment' || a.kind === 'post' || a.kind === 'expire';
    const merchant = paid || a.kind === 'void' ? await this.repo.merchantNameOf(a.operationId) : undefined;
    const receipt = receiptTitle(a.kind, merchant);
    if (receipt !== undefined)
      events.push({
        key: `receipt:${a.operationId}`,
        kind: 'receipt',
        fields: [receipt, yuan(a.amount), at],
        page: 'pages/records/index',
      });
    if (a.kind === 'void')
      events.push({
        key: `hold:${a.holdId ?? a.operationId}`,
        kind: 'hold_released',
        fields: [`${merchant ?? ''}预授权已释放`, yuan(a.amount), at],
        page: 'pages/records/index',
      });
    if (paid) {
      const low = await this.lowBalance(a.cardNo, a.operationId, a.amount, a.balance, at);
      if (low) events.push(low);
    }
    return events;
  }

  /** Low balance once per crossing: the balance after is under the alert and the one before was not. */
  private async lowBalance(
    cardNo: string,
    operationId: string,
    amount: number,
    balance: { main: number; subsidy: number } | undefined,
    at: string,
  ): Promise<MessageEvent | undefined> {
    if (balance === undefined) return undefined;
    const { personId } = await this.cards.get(cardNo);
    const alert = (await this.messages.preferences(personId)).lowBalanceFen;
    const after = balance.main + balance.subsidy;
    if (alert === null || after >= alert || after + amount < alert) return undefined;
    return {
      key: `low:${operationId}`,
      kind: 'low_balance',
      fields: ['校园卡余额不足', yuan(after), at],
      page: 'pages/top-up/index',
    };
  }

  /** A loss, freeze or its undoing told to the student when someone else did it. */
  private async cardStatusEvents(
    cardNo: string,
    status: string,
    version: number,
    at: string,
  ): Promise<MessageEvent[]> {
    const last = (await this.cards.history(cardNo)).findLast((e) => e.version === version);
    const word = last && changeWords[last.kind];
    if (last === undefined || word === undefined || last.actorType === 'self') return [];
    return [
      {
        key: `card:${cardNo}:${version}`,
        kind: 'card_status',
        fields: [`${actorNames[last.actorType] ?? '他人'}${word}了你的校园卡`, word, at],
        page: 'pages/card-actions/index',
        smsFallback: status !== 'active',
      },
    ];
  }
}
