import type { Binding, CoreClient } from '@campus-card/core/client';
import type { Kv } from '../kv/index.ts';

/**
 * One line of the notification list: a money movement, a card status change or a kept notice; on a
 * parent's list each line names the child's card.
 */
export type Notification = (
  | {
      type: 'operation';
      id: string;
      kind: string;
      amount: number;
      merchantId: string | null;
      /** Where the card paid, so a payment's line names the merchant (#19); null where it names none. */
      merchantName: string | null;
      atMs: number;
    }
  | {
      type: 'card';
      id: string;
      status: string;
      version: number;
      /** The change (report_loss, cancel_loss, freeze …) and who made it (self, parent, admin …). */
      kind: string;
      by: string;
      atMs: number;
    }
  | { type: 'notice'; id: string; kind: string; title: string; body: string; atMs: number }
) & { cardNo?: string };

export interface NotificationList {
  items: Notification[];
  unread: number;
  seenUpToMs: number;
}

const listMax = 30;
/**
 * The card changes every linked parent hears of, even from a child who keeps spending private: the
 * status changes, and a PIN reset (forgotten PIN, from the phone or at the card centre).
 */
const parentStatusKinds = new Set(['report_loss', 'cancel_loss', 'freeze', 'unfreeze', 'pin_reset']);
const seenKey = (openid: string) => `notifications-seen:${openid}`;
/** How long the read mark is kept: a phone away longer sees everything as unread again, harmlessly. */
const seenTtlMs = 90 * 24 * 3_600_000;

/**
 * What the live push may have missed while the mini-program was closed: the card's recent
 * operations and status changes, read from the ledger and the card history (the records
 * themselves, so nothing is lost when a push is), and the kept notices (monthly statements,
 * alerts), with a per-user read mark. A parent gets the same for each child who shares spending.
 */
export class Notifications {
  constructor(
    private readonly core: CoreClient,
    private readonly kv: Kv,
  ) {}

  /** The student's own list. */
  async list(openid: string, binding: Pick<Binding, 'cardNo' | 'personId'>): Promise<NotificationList> {
    const [movements, notices] = await Promise.all([
      this.cardMovements(binding.cardNo),
      this.core.personNotices(binding.personId, listMax),
    ]);
    return this.finish(openid, [
      ...movements,
      ...notices.items.map(
        (n): Notification => ({
          type: 'notice',
          id: n.id,
          kind: n.kind,
          title: n.title,
          body: n.body,
          atMs: n.createdAtMs,
        }),
      ),
    ]);
  }

  /**
   * A parent's list: the movements of the children's cards that share spending (cardNos), and the status
   * changes of every linked child's card (statusCardNos: who reported a loss, who cancelled it), each
   * line naming its card.
   */
  async forCards(
    openid: string,
    cardNos: readonly string[],
    statusCardNos: readonly string[] = [],
  ): Promise<NotificationList> {
    const statusOnly = statusCardNos.filter((cardNo) => !cardNos.includes(cardNo));
    const lists = await Promise.all([
      ...cardNos.map(async (cardNo) =>
        (await this.cardMovements(cardNo)).map((n): Notification => ({ ...n, cardNo })),
      ),
      ...statusOnly.map(async (cardNo) =>
        (await this.statusChanges(cardNo))
          .filter((n) => n.type === 'card' && parentStatusKinds.has(n.kind))
          .map((n): Notification => ({ ...n, cardNo })),
      ),
    ]);
    return this.finish(openid, lists.flat());
  }

  /** Marks everything up to a moment as read; the mark only moves forward. */
  async markSeen(openid: string, upToMs: number): Promise<void> {
    const current = Number((await this.kv.get(seenKey(openid))) ?? 0);
    if (upToMs > current) await this.kv.set(seenKey(openid), String(upToMs), seenTtlMs);
  }

  private async statusChanges(cardNo: string): Promise<Notification[]> {
    return (await this.core.cardHistory(cardNo)).map(
      (e): Notification => ({
        type: 'card',
        id: `card-${e.version}`,
        status: e.toStatus,
        version: e.version,
        kind: e.kind,
        by: e.actorType,
        atMs: e.createdAtMs,
      }),
    );
  }

  private async cardMovements(cardNo: string): Promise<Notification[]> {
    const [operations, changes] = await Promise.all([
      this.core.cardOperations(cardNo, { limit: listMax }),
      this.statusChanges(cardNo),
    ]);
    const names = await this.merchantNames(operations.items.map((o) => o.merchantId));
    return [
      ...operations.items.map(
        (o): Notification => ({
          type: 'operation',
          id: o.id,
          kind: o.kind,
          amount: o.amount,
          merchantId: o.merchantId,
          merchantName: o.merchantId === null ? null : (names.get(o.merchantId) ?? null),
          atMs: o.createdAtMs,
        }),
      ),
      ...changes,
    ];
  }

  /** The names of the merchants a page of operations paid: one look-up per merchant, not per line. */
  private async merchantNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
    const distinct = [...new Set(ids.filter((id): id is string => id !== null))];
    const found = await Promise.all(
      distinct.map((id) =>
        this.core.getMerchant(id).then(
          (m) => [id, m.name] as const,
          () => undefined,
        ),
      ),
    );
    return new Map(found.filter((pair) => pair !== undefined));
  }

  private async finish(openid: string, all: Notification[]): Promise<NotificationList> {
    const items = all.sort((a, b) => b.atMs - a.atMs).slice(0, listMax);
    const seenUpToMs = Number((await this.kv.get(seenKey(openid))) ?? 0);
    return { items, unread: items.filter((n) => n.atMs > seenUpToMs).length, seenUpToMs };
  }
}
