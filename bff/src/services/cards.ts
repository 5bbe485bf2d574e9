import type { Binding, CardView, CoreClient, HolderProof } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { Sessions } from '../auth/sessions.ts';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import type { BindingService } from './bindings.ts';

export type StudentCardAction = 'report_loss' | 'cancel_loss' | 'freeze' | 'unfreeze';

/** The PIN and identity proof a holder may send with cancelling a loss. */
export interface HolderProofInput {
  pin?: string | undefined;
  identity?: ({ name: string } & ({ secret: string } | { activationCode: string })) | undefined;
}

/** The card as its holder sees it: balances available now, and what running holds keep aside. */
export function studentCard(card: CardView) {
  return {
    cardNo: card.cardNo,
    name: card.name,
    personType: card.personType,
    department: card.department,
    status: card.status,
    version: card.version,
    balance: {
      main: card.balance.main,
      subsidy: card.balance.subsidy,
      pending: card.balance.mainPending + card.balance.subsidyPending,
      mainPending: card.balance.mainPending,
      subsidyPending: card.balance.subsidyPending,
    },
    dailyLimit: card.dailyLimit,
    spentToday: card.spentToday,
    pinFreeLimit: card.pinFreeLimit,
    hasPin: card.pinSet,
  };
}

/** The holder's own card actions, each through the core's card routes with the holder as actor. */
export class CardActions {
  constructor(
    private readonly core: CoreClient,
    private readonly sessions: Sessions,
    private readonly kv: Kv,
    private readonly bindings: BindingService,
    private readonly pinGuard: { failuresMax: number; lockoutMs: number },
  ) {}

  async view(binding: Binding) {
    return studentCard(await this.core.getCard(binding.cardNo));
  }

  /**
   * The holder's card action, through the core's binding-scoped route (the core resolves the card
   * from the account and checks the PIN and identity proof itself). Cancelling a loss or unfreezing
   * asks for the card PIN, and after a parent's or the card centre's report or freeze also an identity
   * proof (activation code or ID tail): each is counted here like a guess, the PIN per card and the
   * proof as binding is. Reporting the card lost also ends every other session of the account: the lost phone may be
   * signed in, and the report is usually made from a new one.
   */
  async change(
    binding: Binding,
    user: { openid: string; sessionId: string; address: string },
    action: StudentCardAction,
    proof: HolderProofInput = {},
  ) {
    const forward: HolderProof = action === 'cancel_loss' || action === 'unfreeze' ? proof : {};
    const identity = forward.identity;
    if (identity) this.bindings.allowProof(identity);
    const call = () => this.core.holderCardAction(user.openid, action, forward);
    const checked = identity
      ? () => this.bindings.guarded(user.openid, binding.personNo, user.address, call)
      : call;
    const change = await (forward.pin === undefined ? checked() : this.pinGuarded(binding.cardNo, checked));
    // The account's other phones are signed out and told why (a lost phone, say): SESSION_REVOKED report_loss.
    if (action === 'report_loss') await this.sessions.revokeAll(user.openid, user.sessionId, 'report_loss');
    return { changed: change.changed, status: change.status, version: change.version };
  }

  /**
   * Sets the PIN through the core's binding-scoped route, which checks what it takes: the current
   * PIN to change it (counted against the card's PIN failures), the identity proof for the first PIN
   * or a forgotten one (counted as binding is: per person, account and address, reserved before the
   * core checks). A forgotten-PIN reset ends the account's other sessions (whoever reset it keeps
   * this one) and tells the student and the linked parents (a kept notice; the card history).
   */
  async setPin(
    binding: Binding,
    user: { openid: string; sessionId: string; address: string },
    pin: string,
    proof: { currentPin?: string | undefined; identity?: HolderProofInput['identity'] },
  ): Promise<{ reset: boolean }> {
    const { currentPin, identity } = proof;
    if (currentPin !== undefined || identity === undefined) {
      // A change: the current PIN is checked (a card with none set answers IDENTITY_REQUIRED).
      const set = () =>
        this.core.holderSetPin(user.openid, pin, currentPin === undefined ? {} : { currentPin });
      return { reset: (await this.pinGuarded(binding.cardNo, set)).reset };
    }
    this.bindings.allowProof(identity);
    const set = () => this.core.holderSetPin(user.openid, pin, { identity });
    const done = await this.bindings.guarded(user.openid, binding.personNo, user.address, set);
    if (done.reset) await this.sessions.revokeAll(user.openid, user.sessionId, 'pin_reset');
    return { reset: done.reset };
  }

  /** Lowering the limit needs nothing more; raising it needs the card PIN (checked by the core, counted here). */
  async setDailyLimit(binding: Binding, openid: string, dailyLimit: number, pin: string | undefined) {
    const set = () => this.core.holderDailyLimit(openid, dailyLimit, pin === undefined ? {} : { pin });
    await (pin === undefined ? set() : this.pinGuarded(binding.cardNo, set));
    return { dailyLimit };
  }

  /**
   * Wrong PINs are counted per card in the kv, whatever the action that checked them, so a stolen
   * phone cannot try all million PINs at the user rate limit. The attempt is reserved before the
   * core checks the PIN (a burst cannot pass the limit), kept when the PIN was wrong, and given back
   * otherwise; after too many, every PIN check of the card is locked for a while.
   */
  private async pinGuarded<T>(cardNo: string, check: () => Promise<T>): Promise<T> {
    const counter = `pin-failures:${cardNo}`;
    const counters = [{ key: counter, max: this.pinGuard.failuresMax }];
    const reserved = await this.kv.reserveAttempt(counters, this.pinGuard.lockoutMs);
    if (!reserved.allowed) throw pinLocked();
    let result: T;
    try {
      result = await check();
    } catch (error) {
      if (error instanceof CoreError && error.code === 'PIN_INVALID') {
        if ((await this.kv.failAttempt(counters)).locked) throw pinLocked();
        throw error;
      }
      await this.kv.releaseAttempt([counter]);
      throw error;
    }
    await this.kv.releaseAttempt([counter]);
    return result;
  }
}

function pinLocked(): BffError {
  return new BffError('LOCKED_OUT', 'too many wrong PINs; the card PIN is locked for a while');
}
