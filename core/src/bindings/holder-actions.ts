import { createHash } from 'node:crypto';
import type { CardActivityFeed } from '../activity/card-activity.ts';
import type { CardChange, CardService } from '../cards/card-service.ts';
import type { HolderCardAction, HolderProof, IdentityProof } from '../contract/bindings.ts';
import { CoreError } from '../errors.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import type { BindingService } from './binding-service.ts';

export type { HolderCardAction, HolderProof };

/** The holder's actions that reopen a card, the status each leaves and the change that set it. */
const undoing: Partial<Record<HolderCardAction, { status: 'lost' | 'frozen'; kind: string }>> = {
  cancel_loss: { status: 'lost', kind: 'report_loss' },
  unfreeze: { status: 'frozen', kind: 'freeze' },
};

const actorNames: Record<string, string> = {
  self: '本人',
  parent: '家长',
  admin: '卡务中心',
  system: '系统',
  device: '终端',
};

/**
 * The card holder's own actions, made from the phone bound to the card (the BFF names the account).
 * Whoever holds a lost phone holds this account too, so what could reopen or widen the card asks for
 * more than the phone: cancelling a loss or unfreezing needs the card PIN (or, with no PIN set, an
 * identity proof), and a loss reported or a freeze made by a parent or the card centre also needs the
 * identity proof that binding needs, else IDENTITY_REQUIRED (the card centre can undo it); raising the
 * daily limit needs the PIN.
 * A cancelled loss is told to the student as a kept notice naming who reported and who cancelled,
 * which also reaches the parents' live views of the card.
 */
export class HolderActions {
  constructor(
    private readonly bindings: BindingService,
    private readonly cards: CardService,
    private readonly notices: NoticeRepository,
    private readonly activity: CardActivityFeed,
  ) {}

  async change(openid: string, action: HolderCardAction, proof: HolderProof): Promise<CardChange> {
    const binding = await this.bindings.get(openid);
    const actor = { type: 'self', id: binding.personNo } as const;
    const undoes = undoing[action];
    if (undoes === undefined) return this.cards.change(binding.cardNo, action, actor, null);
    const card = await this.cards.get(binding.cardNo);
    // Nothing to undo: answered as the card service answers a repeat, without asking for proof.
    if (card.status !== undoes.status) return this.cards.change(binding.cardNo, action, actor, null);
    const reporter = await this.lastReporter(binding.cardNo, undoes.kind);
    if (card.pinSet) await this.requirePin(binding.cardNo, proof);
    if (!card.pinSet || reporter !== 'self')
      await this.proveHolder(
        binding,
        proof,
        reporter === 'self'
          ? 'no PIN is set: prove who you are (activation code or ID tail), or ask the card centre'
          : `the card was ${undoes.status} by a parent or the card centre: prove who you are, or ask the card centre`,
        { reportedBy: reporter },
      );
    const change = await this.cards.change(binding.cardNo, action, actor, null);
    if (change.changed && action === 'cancel_loss')
      await this.tellLossCancelled(binding.personId, binding.cardNo, change.version, reporter, 'self');
    return change;
  }

  /**
   * Sets the card PIN from the phone. Changing a PIN takes the current one; the first PIN, and a new
   * one without the current (a forgotten PIN), take the identity proof binding takes, else
   * IDENTITY_REQUIRED: whoever holds an unlocked phone of a card without a PIN could otherwise set one
   * and raise the daily limit or cancel a loss with it. A forgotten-PIN reset is told to the student
   * as a kept notice; the card history's pin_reset line reaches the parents.
   */
  async setPin(openid: string, pin: string, proof: HolderProof & { currentPin?: string | undefined }) {
    const binding = await this.bindings.get(openid);
    const actor = { type: 'self', id: binding.personNo } as const;
    const card = await this.cards.get(binding.cardNo);
    // A PIN is set and no identity proof came: a change, which the current PIN must allow (PIN_INVALID).
    if (card.pinSet && (proof.currentPin !== undefined || !proof.identity)) {
      await this.cards.setPin(binding.cardNo, pin, proof.currentPin, actor);
      return { reset: false };
    }
    await this.proveHolder(
      binding,
      proof,
      'setting the first PIN needs the identity proof (activation code or ID tail)',
      { pinSet: card.pinSet },
    );
    const { replaced } = await this.cards.resetPin(binding.cardNo, pin, actor);
    if (replaced) await this.tellPinReset(binding.personId, binding.cardNo);
    return { reset: replaced };
  }

  /**
   * A loss the card centre cancelled in the backoffice (a status change through the card routes):
   * the student gets the same kept notice as after cancelling it from the phone.
   */
  async cancelledByCardCentre(cardNo: string, version: number): Promise<void> {
    const card = await this.cards.get(cardNo);
    const reporter = await this.lastReporter(cardNo, 'report_loss');
    await this.tellLossCancelled(card.personId, cardNo, version, reporter, 'admin');
  }

  /**
   * The identity proof binding takes (activation code or, where enabled, ID tail), for this
   * binding's own person and card; an activation code is spent. IDENTITY_REQUIRED without one.
   */
  private async proveHolder(
    binding: { personNo: string; cardNo: string },
    proof: HolderProof,
    required: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    if (!proof.identity) throw new CoreError('IDENTITY_REQUIRED', required, details);
    const { name, ...rest } = proof.identity;
    const person = await this.bindings.prove(binding.personNo, name, rest as IdentityProof);
    if (person.cardNo !== binding.cardNo) throw new CoreError('IDENTITY_MISMATCH', 'not this card’s holder');
    await this.bindings.spend(person, rest as IdentityProof);
  }

  /** Lowering the limit is always allowed; raising it needs the card PIN (PIN_REQUIRED with none set). */
  async setDailyLimit(openid: string, dailyLimit: number, proof: HolderProof): Promise<void> {
    const binding = await this.bindings.get(openid);
    const card = await this.cards.get(binding.cardNo);
    if (dailyLimit > card.dailyLimit) {
      if (!card.pinSet) throw new CoreError('PIN_REQUIRED', 'set a card PIN before raising the daily limit');
      await this.requirePin(binding.cardNo, proof);
    }
    await this.cards.setDailyLimit(binding.cardNo, dailyLimit);
  }

  private async requirePin(cardNo: string, proof: HolderProof): Promise<void> {
    if (proof.pin === undefined) throw new CoreError('PIN_REQUIRED', 'this needs the card PIN');
    if ((await this.cards.checkPin(cardNo, proof.pin)) !== 'ok')
      throw new CoreError('PIN_INVALID', 'the card PIN is wrong');
  }

  /** Who made the card's latest change of this kind (the report or the freeze): self, parent, admin … */
  private async lastReporter(cardNo: string, kind: string): Promise<string> {
    const history = await this.cards.history(cardNo);
    return history.findLast((e) => e.kind === kind)?.actorType ?? 'self';
  }

  private async tellLossCancelled(
    personId: string,
    cardNo: string,
    version: number,
    reporter: string,
    cancelledBy: 'self' | 'admin',
  ): Promise<void> {
    const where = cancelledBy === 'self' ? '在小程序' : '';
    await this.keep(personId, cardNo, `loss_cancelled:${version}`, {
      title: '校园卡已解挂',
      body: `校园卡由${actorNames[reporter] ?? reporter}挂失，已由${actorNames[cancelledBy]}${where}解挂。如非本人操作，请立即重新挂失并联系卡务中心。`,
      data: { cardNo, reportedBy: reporter, cancelledBy, version },
    });
  }

  private async tellPinReset(personId: string, cardNo: string): Promise<void> {
    const atMs = Date.now();
    await this.keep(personId, cardNo, `pin_reset:${atMs}`, {
      title: '支付密码已重置',
      body: '校园卡支付密码已在小程序凭身份验证重置。如非本人操作，请立即挂失并联系卡务中心。',
      data: { cardNo, by: 'self' },
    });
  }

  /** A kept notice for the student (one per kind), pushed to the card's live views too. */
  private async keep(
    personId: string,
    cardNo: string,
    kind: string,
    content: { title: string; body: string; data: Record<string, unknown> },
  ): Promise<void> {
    const createdAtMs = Date.now();
    const notice = {
      id: `L${createHash('sha256').update(`${personId}\n${cardNo}\n${kind}`).digest('hex').slice(0, 25)}`,
      personId,
      kind,
      ...content,
      createdAtMs,
    };
    await this.notices.insertMissing([notice]);
    this.activity.emit({
      type: 'notice',
      cardNo,
      noticeId: notice.id,
      kind: kind.slice(0, kind.indexOf(':')),
      title: notice.title,
      atMs: createdAtMs,
    });
  }
}
