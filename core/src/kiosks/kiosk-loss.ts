import { createHash } from 'node:crypto';
import type { CardActivityFeed } from '../activity/card-activity.ts';
import type { CardChange, CardService } from '../cards/card-service.ts';
import type { KioskCancelLoss } from '../contract/kiosks.ts';
import { CoreError } from '../errors.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';

const reporterNames: Record<string, string> = {
  self: '本人',
  parent: '家长',
  admin: '卡务中心',
  system: '系统',
  device: '本人在自助机',
};

/** Who reported a loss that its holder may undo with the PIN alone: themselves, in the app or at a kiosk. */
const holderReporters = new Set(['self', 'device']);

/**
 * 解挂 at a self-service kiosk (#16, protocol § 7.25, docs/funds.md § Kiosk identification), under the
 * rules the app's cancel follows (HolderActions): the card must be lost (a frozen or cancelled card stays
 * as it is, INVALID_TRANSITION; one not lost answers unchanged), the card's PIN is checked by the card's
 * own PIN counter (PIN_REQUIRED when none is set), and a loss a parent or the card centre reported also
 * needs the identity proof, which at a kiosk is the ID number the session was opened with
 * (IDENTITY_REQUIRED for a session opened by a code). The change is recorded in the card's history with
 * actor device:<kiosk> and reason 自助机解挂, and the student gets the kept notice the app's cancel gives.
 */
export class KioskLoss {
  constructor(
    private readonly cards: CardService,
    private readonly notices: NoticeRepository,
    private readonly activity: CardActivityFeed,
  ) {}

  async cancel(input: KioskCancelLoss): Promise<CardChange> {
    const actor = { type: 'device', id: input.deviceRef } as const;
    const card = await this.cards.get(input.cardNo);
    // Nothing to undo: answered as the card service answers a repeat, without asking for proof.
    if (card.status !== 'lost') return this.cards.change(input.cardNo, 'cancel_loss', actor, '自助机解挂');
    if (!card.pinSet)
      throw new CoreError('PIN_REQUIRED', 'no PIN is set: cancel the loss in the app or at the card centre');
    if ((await this.cards.checkPin(input.cardNo, input.pin)) !== 'ok')
      throw new CoreError('PIN_INVALID', 'the card PIN is wrong');
    const history = await this.cards.history(input.cardNo);
    const reporter = history.findLast((e) => e.kind === 'report_loss')?.actorType ?? 'self';
    if (!holderReporters.has(reporter) && input.identifiedBy !== 'id_number')
      throw new CoreError(
        'IDENTITY_REQUIRED',
        'the card was reported lost by a parent or the card centre: identify with the ID number, or ask the card centre',
        { reportedBy: reporter },
      );
    const change = await this.cards.change(input.cardNo, 'cancel_loss', actor, '自助机解挂');
    if (change.changed) await this.tell(card.personId, input.cardNo, change.version, reporter);
    return change;
  }

  /** The kept notice of a cancelled loss (one per card version, as the app's), pushed to the card's live views. */
  private async tell(personId: string, cardNo: string, version: number, reporter: string): Promise<void> {
    const kind = `loss_cancelled:${version}`;
    const createdAtMs = Date.now();
    const notice = {
      id: `L${createHash('sha256').update(`${personId}\n${cardNo}\n${kind}`).digest('hex').slice(0, 25)}`,
      personId,
      kind,
      title: '校园卡已解挂',
      body: `校园卡由${reporterNames[reporter] ?? reporter}挂失，已由本人在自助机解挂。如非本人操作，请立即重新挂失并联系卡务中心。`,
      data: { cardNo, reportedBy: reporter, cancelledBy: 'kiosk', version },
      createdAtMs,
    };
    await this.notices.insertMissing([notice]);
    this.activity.emit({
      type: 'notice',
      cardNo,
      noticeId: notice.id,
      kind: 'loss_cancelled',
      title: notice.title,
      atMs: createdAtMs,
    });
  }
}
