import { randomInt, timingSafeEqual } from 'node:crypto';
import type { CoreConfig } from '../config.ts';
import type { Actor, CardAction, CardChange } from '../contract/cards.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import type { Pii } from '../pii.ts';
import type { CardRepository, CardStatus, CardView, NewPerson } from './card-repository.ts';
import { hashPin, verifyPin } from './pin.ts';

export type { Actor, CardAction, CardChange };

/** Which statuses each action starts from, and where it leads. */
const transitions: Record<CardAction, { from: readonly CardStatus[]; to: CardStatus }> = {
  report_loss: { from: ['active', 'frozen'], to: 'lost' },
  cancel_loss: { from: ['lost'], to: 'active' },
  freeze: { from: ['active'], to: 'frozen' },
  unfreeze: { from: ['frozen'], to: 'active' },
  // A new phone: the card number, wallets and history stay; the version bump kills old credentials.
  reissue: { from: ['active', 'lost', 'frozen'], to: 'active' },
};

export type CardListener = (change: CardChange) => void;

/** Card affairs: opening, loss and freeze, reissue, PIN and limits. */
export class CardService {
  private readonly listeners: CardListener[] = [];
  private expiryJob: Job | undefined;

  constructor(
    private readonly cards: CardRepository,
    private readonly pii: Pii,
    private readonly config: CoreConfig,
  ) {}

  /** Called after every committed status change (the gateway's blacklist push hangs here). */
  onChange(listener: CardListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener of a committed card change (status changes made by the ledger too). */
  announce(change: CardChange): void {
    for (const listener of this.listeners) listener(change);
  }

  async open(
    input: Omit<NewPerson, 'idNumberEnc' | 'phoneEnc'> & {
      idNumber?: string;
      phone?: string;
      cardNo?: string;
      dailyLimit?: number;
      expiresAtMs?: number;
    },
    actor: Actor,
  ): Promise<CardView> {
    if (input.expiresAtMs !== undefined && input.expiresAtMs <= Date.now())
      throw new CoreError('VALIDATION_FAILED', 'a card cannot expire in the past');
    const cardNo = input.cardNo ?? newCardNo();
    const person: NewPerson = {
      personNo: input.personNo,
      name: input.name,
      type: input.type,
      department: input.department,
      idNumberEnc: input.idNumber ? this.pii.encrypt(input.idNumber) : null,
      phoneEnc: input.phone ? this.pii.encrypt(input.phone) : null,
    };
    const dailyLimit = input.dailyLimit ?? this.config.dailyLimitDefault;
    if (dailyLimit > this.config.dailyLimitMax)
      throw new CoreError('LIMIT_EXCEEDED', `the daily limit is at most ${this.config.dailyLimitMax} fen`);
    try {
      await this.cards.open(
        person,
        cardNo,
        { dailyLimit, pinFreeLimit: this.config.pinFreeLimitDefault },
        actor,
        input.expiresAtMs ?? null,
      );
    } catch (error) {
      if (isDuplicateKey(error))
        throw new CoreError('ALREADY_EXISTS', 'that person number or card number already has a card');
      throw error;
    }
    return this.get(cardNo);
  }

  async get(cardNo: string): Promise<CardView> {
    const card = await this.cards.find(cardNo);
    if (!card) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    return card;
  }

  /**
   * Applies a card action. Repeating an action whose result already holds (reporting a lost card
   * lost again) answers the current state with changed = false, so retries are harmless.
   */
  async change(cardNo: string, action: CardAction, actor: Actor, reason: string | null): Promise<CardChange> {
    const rule = transitions[action];
    // An expired temporary or visitor card stays out of use: nothing brings it back to active.
    if (rule.to === 'active') {
      const card = await this.get(cardNo);
      if (card.expiresAtMs !== null && card.expiresAtMs <= Date.now())
        throw new CoreError('INVALID_TRANSITION', 'the card has expired', {
          status: card.status,
          expired: true,
        });
    }
    const moved = await this.cards.transition(
      cardNo,
      rule.from,
      rule.to,
      { kind: action, actorType: actor.type, actorId: actor.id, reason },
      action === 'reissue',
    );
    if (moved) {
      const change = { cardNo, status: rule.to, version: moved.version, changed: true };
      this.announce(change);
      return change;
    }
    const card = await this.get(cardNo);
    if (card.status === rule.to && action !== 'reissue')
      return { cardNo, status: card.status, version: card.version, changed: false };
    throw new CoreError(
      'INVALID_TRANSITION',
      `cannot ${action.replace('_', ' ')} a card that is ${card.status}`,
      { status: card.status },
    );
  }

  /**
   * A phone bound to or unbound from an active card: the version moves on so the old phone's
   * credentials stop working, recorded as its own event (bound / unbound), not as a reissue, so
   * reissue counts stay true. A card that is not active keeps its version (its credentials are
   * refused already); the answer is the card's version either way.
   */
  async rekey(cardNo: string, kind: 'bound' | 'unbound', actor: Actor): Promise<CardChange> {
    const moved = await this.cards.transition(
      cardNo,
      ['active'],
      'active',
      { kind, actorType: actor.type, actorId: actor.id, reason: null },
      false,
    );
    if (moved) {
      const change = { cardNo, status: 'active' as const, version: moved.version, changed: true };
      this.announce(change);
      return change;
    }
    const card = await this.get(cardNo);
    return { cardNo, status: card.status, version: card.version, changed: false };
  }

  async setPin(cardNo: string, pin: string, currentPin: string | undefined, actor: Actor): Promise<void> {
    const stored = await this.cards.pinHash(cardNo);
    if (stored === undefined) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    // Changing a PIN needs the old one, except for the card centre (a forgotten PIN).
    if (stored !== null && actor.type !== 'admin' && !(currentPin && (await verifyPin(currentPin, stored)))) {
      throw new CoreError('PIN_INVALID', 'the current PIN is wrong');
    }
    // The card centre replacing a PIN is a reset (the holder forgot it); a holder's change is a set.
    const kind = stored !== null && actor.type === 'admin' ? 'pin_reset' : 'pin_set';
    await this.cards.setPinHash(cardNo, await hashPin(pin), actor, kind);
  }

  /**
   * Sets the PIN without the old one, for a caller that has proven the holder another way (the
   * holder's identity proof, holder-actions.ts); recorded as pin_set for a first PIN, else pin_reset.
   * Answers whether a PIN was replaced.
   */
  async resetPin(cardNo: string, pin: string, actor: Actor): Promise<{ replaced: boolean }> {
    const stored = await this.cards.pinHash(cardNo);
    if (stored === undefined) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    const kind = stored === null ? 'pin_set' : 'pin_reset';
    if (!(await this.cards.setPinHash(cardNo, await hashPin(pin), actor, kind)))
      throw new CoreError('CARD_NOT_FOUND', 'no such card');
    return { replaced: stored !== null };
  }

  /** 'none' when no PIN came with the payment; otherwise whether it matches the card's. */
  /**
   * Checks a card PIN (a till's PAY_WITH_PIN, the holder's routes). Each check first takes a slot of the
   * card's PIN window (pinChecksMax per pinWindowMs) and is 'bad' without comparing when none is left, so
   * a burst of guesses, at one till or many, gets no more than the limit; a right PIN gives its own slot
   * back, never lifting a lock its burst set.
   */
  async checkPin(cardNo: string, pin: string | undefined): Promise<'none' | 'ok' | 'bad'> {
    if (pin === undefined) return 'none';
    const stored = await this.cards.pinHash(cardNo);
    if (!stored) return 'bad';
    if ((await this.cards.takePinCheck(cardNo, pinChecksMax, pinWindowMs, Date.now())) !== 'taken')
      return 'bad';
    const right = await verifyPin(pin, stored);
    await this.cards.settlePinCheck(cardNo, right, pinChecksMax);
    return right ? 'ok' : 'bad';
  }

  /**
   * The counter's reset of a forgotten PIN: the ID number read off the holder's ID card must be the
   * one on file (compared in constant time; a card without one on file cannot be reset this way).
   */
  async resetPinAtCounter(cardNo: string, pin: string, idNumber: string, actor: Actor): Promise<void> {
    const sealed = await this.cards.idNumberSealed(cardNo);
    if (sealed === undefined) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    if (sealed === null) throw new CoreError('IDENTITY_REQUIRED', 'no ID number is on file for this card');
    const onFile = Buffer.from(this.pii.decrypt(sealed).toUpperCase());
    const offered = Buffer.from(idNumber.toUpperCase());
    if (onFile.length !== offered.length || !timingSafeEqual(onFile, offered))
      throw new CoreError('IDENTITY_MISMATCH', 'the ID number is not the one on file');
    await this.cards.setPinHash(cardNo, await hashPin(pin), actor, 'pin_reset');
  }

  /** The card centre's limits: the daily one within DAILY_LIMIT_MAX, the PIN-free one within the daily one. */
  async setLimits(cardNo: string, limits: { dailyLimit: number; pinFreeLimit: number }): Promise<void> {
    if (limits.dailyLimit > this.config.dailyLimitMax)
      throw new CoreError('LIMIT_EXCEEDED', `the daily limit is at most ${this.config.dailyLimitMax} fen`);
    if (limits.pinFreeLimit > limits.dailyLimit)
      throw new CoreError('LIMIT_EXCEEDED', 'the PIN-free limit is at most the daily limit');
    if (!(await this.cards.setLimits(cardNo, limits))) throw new CoreError('CARD_NOT_FOUND', 'no such card');
  }

  async setDailyLimit(cardNo: string, dailyLimit: number): Promise<void> {
    if (dailyLimit > this.config.dailyLimitMax)
      throw new CoreError('LIMIT_EXCEEDED', `the daily limit is at most ${this.config.dailyLimitMax} fen`);
    if (!(await this.cards.setDailyLimit(cardNo, dailyLimit)))
      throw new CoreError('CARD_NOT_FOUND', 'no such card');
  }

  /**
   * Freezes every active card whose expiry has passed (an 'expired' event by the system), announced
   * like any status change so the gateways' blacklists take it; answers how many it froze.
   */
  async expireDue(nowMs: number = Date.now()): Promise<number> {
    let frozen = 0;
    for (const cardNo of await this.cards.dueToExpire(nowMs, expiryBatchMax)) {
      const moved = await this.cards.transition(
        cardNo,
        ['active'],
        'frozen',
        { kind: 'expired', actorType: 'system', actorId: null, reason: null },
        false,
      );
      if (!moved) continue;
      this.announce({ cardNo, status: 'frozen', version: moved.version, changed: true });
      frozen += 1;
    }
    return frozen;
  }

  /** Runs expireDue every `everyMs` (one instance per tick where a lock is given). */
  startExpiry(everyMs: number, log: Logger, lock?: JobLock): void {
    this.expiryJob = schedule({
      name: 'card-expiry',
      everyMs,
      run: () => this.expireDue(),
      log,
      runAtStart: true,
      ...(lock ? { lock } : {}),
    });
  }

  async stopExpiry(): Promise<void> {
    await this.expiryJob?.stop();
  }

  history(cardNo: string) {
    return this.cards.events(cardNo);
  }
}

/** Cards the expiry job freezes per run; the rest wait for the next run. */
const expiryBatchMax = 500;
/** How often expired temporary and visitor cards are frozen: a card may be used this long past its end. */
export const cardExpiryIntervalMs = 60_000;

/** Wrong card PINs per card (all paths together) before the PIN is locked for the rest of the window. */
export const pinChecksMax = 5;
/** The PIN window: starts with its first check. */
export const pinWindowMs = 15 * 60_000;

/** Campus card numbers: 12 digits starting with 8, apart from every bank and wallet prefix range. */
export function newCardNo(): string {
  return `8${String(randomInt(0, 10 ** 11)).padStart(11, '0')}`;
}
