import type {
  Actor,
  CardAction,
  CardChange,
  CardHistoryEntry,
  CardView,
  OpenCardInput,
} from '../contract/cards.ts';
import type { Answer, CloseOutRequest, OperationView } from '../contract/ledger.ts';
import { DomainClient } from './transport.ts';

/** Cards: opening, status changes, close-out, PIN, daily limit, activation codes. */
export class CardsClient extends DomainClient {
  openCard(input: OpenCardInput): Promise<CardView> {
    return this.transport.call('POST', '/v1/cards', input);
  }
  getCard(cardNo: string): Promise<CardView> {
    return this.transport.call('GET', `/v1/cards/${cardNo}`);
  }
  /** The card's status changes, oldest first: who, when, why. */
  cardHistory(cardNo: string): Promise<CardHistoryEntry[]> {
    return this.transport.call('GET', `/v1/cards/${cardNo}/history`);
  }
  cardOperations(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: OperationView[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    const query = new URLSearchParams(
      Object.entries(page)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]): [string, string] => [k, String(v)]),
    );
    return this.transport.call('GET', `/v1/cards/${cardNo}/operations${query.size ? `?${query}` : ''}`);
  }
  changeCard(
    cardNo: string,
    action: CardAction,
    actor: Actor,
    reason: string | null = null,
  ): Promise<CardChange> {
    return this.transport.call('POST', `/v1/cards/${cardNo}/status`, { action, actor, reason });
  }
  /** Cancels the card and refunds its balance (an operation: answers accepted or rejected). */
  closeOut(cardNo: string, request: Omit<CloseOutRequest, 'cardNo'>): Promise<Answer> {
    return this.transport.operation({ kind: 'close_out', cardNo, ...request });
  }
  setPin(cardNo: string, pin: string, actor: Actor, currentPin?: string): Promise<void> {
    return this.transport.call('PUT', `/v1/cards/${cardNo}/pin`, {
      pin,
      actor,
      ...(currentPin ? { currentPin } : {}),
    });
  }
  /** The counter's reset of a forgotten PIN, with the ID number off the holder's ID card. */
  resetPinAtCounter(cardNo: string, pin: string, idNumber: string, actor: Actor): Promise<void> {
    return this.transport.call('POST', `/v1/cards/${cardNo}/pin-reset`, { pin, idNumber, actor });
  }
  /** The card centre's daily and PIN-free limits, fen. */
  setCardLimits(cardNo: string, limits: { dailyLimit: number; pinFreeLimit: number }): Promise<void> {
    return this.transport.call('PUT', `/v1/cards/${cardNo}/limits`, limits);
  }
  setDailyLimit(cardNo: string, dailyLimit: number): Promise<void> {
    return this.transport.call('PUT', `/v1/cards/${cardNo}/daily-limit`, { dailyLimit });
  }
  /** A new one-time activation code for the card (replacing any earlier one), shown in this answer only. */
  issueActivationCode(
    cardNo: string,
    issuedBy: string | null,
  ): Promise<{ code: string; expiresAtMs: number }> {
    return this.transport.call('POST', `/v1/cards/${cardNo}/activation-code`, { issuedBy });
  }
}
