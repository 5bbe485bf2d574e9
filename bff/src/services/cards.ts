import type { Binding, CardView, CoreClient } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { Sessions } from '../auth/sessions.ts';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';

export type StudentCardAction = 'report_loss' | 'cancel_loss' | 'freeze' | 'unfreeze';

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
    private readonly pinGuard: { failuresMax: number; lockoutMs: number },
  ) {}

  async view(binding: Binding) {
    return studentCard(await this.core.getCard(binding.cardNo));
  }

  /**
   * Reporting the card lost also ends every other session of the account: the lost phone may be
   * signed in, and the report is usually made from a new one.
   */
  async change(binding: Binding, openid: string, sessionId: string, action: StudentCardAction) {
    const change = await this.core.changeCard(binding.cardNo, action, { type: 'self', id: binding.personNo });
    if (action === 'report_loss') await this.sessions.revokeAll(openid, sessionId);
    return { changed: change.changed, status: change.status, version: change.version };
  }

  /**
   * Sets or changes the PIN. Wrong current PINs are counted per card in the kv, so a stolen phone
   * cannot try all million PINs at the user rate limit: after too many, changing is locked a while.
   */
  async setPin(binding: Binding, pin: string, currentPin: string | undefined): Promise<void> {
    const counter = `pin-failures:${binding.cardNo}`;
    if (Number((await this.kv.get(counter)) ?? 0) >= this.pinGuard.failuresMax) throw pinLocked();
    try {
      await this.core.setPin(binding.cardNo, pin, { type: 'self', id: binding.personNo }, currentPin);
    } catch (error) {
      if (error instanceof CoreError && error.code === 'PIN_INVALID') {
        const count = await this.kv.increment(counter, this.pinGuard.lockoutMs);
        if (count >= this.pinGuard.failuresMax) throw pinLocked();
      }
      throw error;
    }
    await this.kv.del(counter);
  }

  async setDailyLimit(binding: Binding, dailyLimit: number) {
    await this.core.setDailyLimit(binding.cardNo, dailyLimit);
    return { dailyLimit };
  }
}

function pinLocked(): BffError {
  return new BffError('LOCKED_OUT', 'too many wrong PINs; changing the PIN is locked for a while');
}
