import type { CardActivity, CardActivityFeed } from '../activity/card-activity.ts';
import type { CardService } from '../cards/card-service.ts';
import type { GuardianLink } from '../contract/guardians.ts';
import type { Notice } from '../contract/notices.ts';
import type { GuardianRepository } from '../guardians/guardian-repository.ts';
import type { Logger } from '../log.ts';
import { formatMinute } from '../time.ts';
import { parentMaySee } from './guardian-recipients.ts';
import type { MessageRepository } from './message-repository.ts';
import type { MessageService } from './message-service.ts';
import type { MessageEvent } from './message-types.ts';
import { actorWords, cardChangeWords, yuan } from './message-words.ts';

/** Who changed the card, as a parent reads it. */
const actorNames = actorWords;
const changeWords = cardChangeWords;

const parentPage = 'pages/parents/index';

/** One message for one parent: the link it goes through (null: the guardian on record, by SMS) and the event. */
export interface GuardianMessage {
  linkId: string | null;
  event: MessageEvent;
}

/** The card changes a guardian on record is texted about: the card stopped working, by anyone. */
const onRecordChanges = new Set(['report_loss', 'freeze']);

/**
 * What linked parents are told outside the app (docs/messages.md § Parents), from the same committed
 * card activity the student's messages follow, each under the event's key (the outbox keeps one row
 * per key, recipient and channel, so a repeat queues nothing):
 * - the child's balance under the parent's own alert (the link's low_balance_alert, else the child's
 *   own alert), once per crossing, only where the child shows this parent the balance (naming the
 *   merchant paid only where the child also shows spending);
 * - a loss, freeze or their undoing, naming who did it (not told to the parent who did it);
 * - a top-up the parent paid for the child (that parent only);
 * - an abnormal-spending alert on the child's card, only where the child shows this parent spending.
 * Each is checked against the link again when it is delivered (MessageService.targetOfRow).
 * A child with no parent account linked has their guardian on record (sql/150) texted instead
 * (onRecord): the card reported lost or frozen, by anyone, and the balance under the child's own alert.
 */
export class GuardianMessages {
  constructor(
    private readonly messages: MessageService,
    private readonly cards: Pick<CardService, 'get' | 'history'>,
    private readonly guardians: Pick<GuardianRepository, 'ofPerson'>,
    private readonly repo: Pick<MessageRepository, 'topUpPayer' | 'merchantNameOf'>,
    private readonly log: Logger,
  ) {}

  follow(feed: CardActivityFeed): () => void {
    return feed.on((activity) => {
      this.handle(activity).catch((error: unknown) => {
        this.log.warn({ err: error instanceof Error ? error.name : 'unknown' }, 'parent message not queued');
      });
    });
  }

  /** Queues what one activity means for the child's parents; answers what it queued (for tests). */
  async handle(activity: CardActivity): Promise<GuardianMessage[]> {
    if (activity.type === 'notice') return [];
    const relevant =
      activity.type === 'card' || ['payment', 'post', 'expire', 'top_up'].includes(activity.kind);
    if (!relevant) return [];
    const card = await this.cards.get(activity.cardNo);
    const links = await this.guardians.ofPerson(card.personNo);
    const at = formatMinute(activity.atMs);
    if (links.length === 0) return this.onRecord(activity, card, at);
    const out: GuardianMessage[] = [];
    if (activity.type === 'card') {
      out.push(...(await this.cardStatus(links, activity.cardNo, activity.version, at)));
    } else if (activity.kind === 'top_up') {
      const payer = await this.repo.topUpPayer(activity.operationId);
      const link = links.find((l) => l.parentOpenid === payer);
      if (link)
        out.push({
          linkId: link.id,
          event: {
            key: `receipt:${activity.operationId}`,
            kind: 'receipt',
            fields: [`为${link.name}充值`, yuan(activity.amount), at],
            page: parentPage,
          },
        });
    } else if (activity.balance !== undefined) {
      const after = activity.balance.main + activity.balance.subsidy;
      const before = after + activity.amount;
      const own = links.some((l) => l.lowBalanceAlert === null)
        ? (await this.messages.preferences(card.personId)).lowBalanceFen
        : null;
      let merchant: string | undefined | null = null;
      for (const link of links) {
        const alert = link.lowBalanceAlert ?? own;
        if (alert === null || after >= alert || before < alert) continue;
        // Where the child paid is spending: named only to a parent the child shows spending to.
        if (merchant === null) merchant = await this.repo.merchantNameOf(activity.operationId);
        const title =
          link.showSpending && merchant !== undefined
            ? `${link.name}在${merchant}消费后余额不足`
            : `${link.name}的校园卡余额不足`;
        out.push({
          linkId: link.id,
          event: {
            key: `low:${activity.operationId}`,
            kind: 'low_balance',
            fields: [title, yuan(after), at],
            page: parentPage,
          },
        });
      }
    }
    return this.queue(links, out);
  }

  /** The abnormal-spending alerts campus insight just wrote (AbnormalAlerts), to the parents allowed to see spending. */
  async abnormal(notices: readonly Notice[]): Promise<GuardianMessage[]> {
    const out: GuardianMessage[] = [];
    for (const notice of notices) {
      const data = notice.data ?? {};
      if (typeof data.cardNo !== 'string') continue;
      const card = await this.cards.get(data.cardNo);
      const links = await this.guardians.ofPerson(card.personNo);
      const evidence: unknown[] = Array.isArray(data.evidence) ? data.evidence : [];
      const total = evidence.reduce<number>(
        (sum, e) => sum + Number((e as { amount?: unknown }).amount ?? 0),
        0,
      );
      const these = links.map((link) => ({
        linkId: link.id,
        event: {
          key: `abnormal:${notice.id}`,
          kind: 'spending_alert' as const,
          fields: [`${link.name}的校园卡有异常消费`, yuan(total), formatMinute(notice.createdAtMs)],
          page: parentPage,
        },
      }));
      out.push(...(await this.queue(links, these)));
    }
    return out;
  }

  /**
   * What the guardian on record of a child with no linked parent account is texted (docs/messages.md
   * § Guardians without the app): a loss or freeze by anyone, naming who, and the balance crossing the
   * child's own alert. Nothing else reaches a guardian by SMS. Answers what it queued.
   */
  private async onRecord(
    activity: Exclude<CardActivity, { type: 'notice' }>,
    card: { personId: string; name: string },
    at: string,
  ): Promise<GuardianMessage[]> {
    let event: MessageEvent | undefined;
    if (activity.type === 'card') {
      const last = (await this.cards.history(activity.cardNo)).findLast(
        (e) => e.version === activity.version,
      );
      const word = last && changeWords[last.kind];
      if (last === undefined || word === undefined || !onRecordChanges.has(last.kind)) return [];
      event = {
        key: `card:${activity.cardNo}:${activity.version}`,
        kind: 'card_status',
        fields: [
          last.actorType === 'self'
            ? `${card.name}本人${word}了校园卡`
            : `${actorNames[last.actorType] ?? '他人'}${word}了${card.name}的校园卡`,
          word,
          at,
        ],
      };
    } else if (activity.kind !== 'top_up' && activity.balance !== undefined) {
      const after = activity.balance.main + activity.balance.subsidy;
      const alert = (await this.messages.preferences(card.personId)).lowBalanceFen;
      if (alert === null || after >= alert || after + activity.amount < alert) return [];
      event = {
        key: `low:${activity.operationId}`,
        kind: 'low_balance',
        fields: [`${card.name}的校园卡余额不足`, yuan(after), at],
      };
    }
    if (event === undefined) return [];
    const { queued } = await this.messages.sendToGuardianOnRecord(card.personId, event);
    return queued.length > 0 ? [{ linkId: null, event }] : [];
  }

  /** Queues each message whose kind the child lets its parent see; answers those queued. */
  private async queue(links: GuardianLink[], messages: GuardianMessage[]): Promise<GuardianMessage[]> {
    const queued: GuardianMessage[] = [];
    for (const m of messages) {
      const link = links.find((l) => l.id === m.linkId);
      if (!link || !parentMaySee(link, m.event.kind)) continue;
      await this.messages.sendToGuardian(link, m.event);
      queued.push(m);
    }
    return queued;
  }

  /** A loss, freeze or its undoing, to every linked parent but the one who made it. */
  private async cardStatus(
    links: GuardianLink[],
    cardNo: string,
    version: number,
    at: string,
  ): Promise<GuardianMessage[]> {
    const last = (await this.cards.history(cardNo)).findLast((e) => e.version === version);
    const word = last && changeWords[last.kind];
    if (last === undefined || word === undefined) return [];
    return links
      .filter((link) => !(last.actorType === 'parent' && last.actorId === link.id))
      .map((link) => ({
        linkId: link.id,
        event: {
          key: `card:${cardNo}:${version}`,
          kind: 'card_status' as const,
          fields: [
            last.actorType === 'self'
              ? `${link.name}本人${word}了校园卡`
              : `${actorNames[last.actorType] ?? '他人'}${word}了${link.name}的校园卡`,
            word,
            at,
          ],
          page: parentPage,
        },
      }));
  }
}
