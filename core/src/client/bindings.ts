import type {
  Binding,
  BindRequest,
  BindResult,
  HolderCardAction,
  HolderProof,
} from '../contract/bindings.ts';
import type { CardChange } from '../contract/cards.ts';
import { DomainClient } from './transport.ts';

/** WeChat bindings and the bound holder's own card actions. */
export class BindingsClient extends DomainClient {
  /** Binds a WeChat account to a person who proves who they are; IDENTITY_MISMATCH otherwise. */
  bind(request: BindRequest): Promise<BindResult> {
    return this.transport.call('POST', '/v1/bindings', request);
  }
  /** The bound holder's own card action; cancelling a loss checks the PIN and, where needed, an identity proof. */
  holderCardAction(openid: string, action: HolderCardAction, proof: HolderProof = {}): Promise<CardChange> {
    return this.transport.call('POST', `/v1/bindings/${encodeURIComponent(openid)}/card-actions`, {
      action,
      ...proof,
    });
  }
  /** The bound holder sets the card's daily limit; raising it checks the PIN. */
  holderDailyLimit(openid: string, dailyLimit: number, proof: HolderProof = {}): Promise<void> {
    return this.transport.call('PUT', `/v1/bindings/${encodeURIComponent(openid)}/daily-limit`, {
      dailyLimit,
      ...proof,
    });
  }
  /**
   * The bound holder sets the card PIN: with the current PIN to change it, with the identity proof
   * for the first PIN or a forgotten one (reset: a PIN was replaced without the current one).
   */
  holderSetPin(
    openid: string,
    pin: string,
    proof: HolderProof & { currentPin?: string } = {},
  ): Promise<{ reset: boolean }> {
    return this.transport.call('PUT', `/v1/bindings/${encodeURIComponent(openid)}/pin`, { pin, ...proof });
  }
  binding(openid: string): Promise<Binding> {
    return this.transport.call('GET', `/v1/bindings/${encodeURIComponent(openid)}`);
  }
  unbind(openid: string): Promise<{ unbound: boolean; cardNo: string | null }> {
    return this.transport.call('DELETE', `/v1/bindings/${encodeURIComponent(openid)}`);
  }
}
