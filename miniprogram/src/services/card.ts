import { sixDigitsPattern } from '@campus-card/core/contract/limits';
import type { IdentityProof } from './binding.ts';
import type { ApiClient } from './request.ts';
import type { CardStatus, CardView } from './types.ts';

export function getCard(api: ApiClient): Promise<CardView> {
  return api.request('GET', '/card');
}

export type CardAction = 'report_loss' | 'cancel_loss' | 'freeze' | 'unfreeze';

/** What cancelling a loss or unfreezing may need: the card PIN, and after someone else's report, the identity proof. */
export interface CancelLossProof {
  readonly pin?: string;
  readonly identity?: { readonly name: string } & IdentityProof;
}

export function changeCardStatus(
  api: ApiClient,
  action: CardAction,
  proof: CancelLossProof = {},
): Promise<{ changed: boolean; status: CardStatus }> {
  const reopens = action === 'cancel_loss' || action === 'unfreeze';
  return api.request('POST', '/card/actions', reopens ? { action, ...proof } : { action });
}

/**
 * What setting the PIN takes: the current PIN to change it; the identity proof (name and activation
 * code or ID tail) for the first PIN and for a forgotten one.
 */
export interface PinProof {
  readonly currentPin?: string;
  readonly identity?: { readonly name: string } & IdentityProof;
}

export function setPin(api: ApiClient, pin: string, proof: PinProof = {}): Promise<void> {
  return api.request('PUT', '/card/pin', { pin, ...proof });
}

/** Raising the limit needs the card PIN; lowering it does not. */
export function setDailyLimit(
  api: ApiClient,
  dailyLimit: number,
  pin?: string,
): Promise<{ dailyLimit: number }> {
  return api.request('PUT', '/card/daily-limit', pin ? { dailyLimit, pin } : { dailyLimit });
}

/** Which status actions make sense from a status: the page shows only these. */
export function actionsFor(status: CardStatus): CardAction[] {
  switch (status) {
    case 'active':
      return ['report_loss', 'freeze'];
    case 'lost':
      return ['cancel_loss'];
    case 'frozen':
      return ['unfreeze', 'report_loss'];
    case 'cancelled':
      return [];
  }
}

export function isValidPin(pin: string): boolean {
  return sixDigitsPattern.test(pin);
}
