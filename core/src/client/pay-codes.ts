import type { PayCodeSecret, PayCodeVerdict } from '../contract/pay-codes.ts';
import { DomainClient } from './transport.ts';

/** Numeric pay codes (the credential domain): secrets and the online check. */
export class PayCodesClient extends DomainClient {
  /** The card's numeric pay code id and secret for its current version, made on first demand (for its phone). */
  payCodeSecret(cardNo: string): Promise<PayCodeSecret> {
    return this.transport.call('PUT', `/v1/cards/${encodeURIComponent(cardNo)}/pay-code`);
  }
  /** The online check of a scanned numeric pay code: the card, or the refusal as a value. */
  verifyPayCode(code: string): Promise<PayCodeVerdict> {
    return this.transport.call('POST', '/v1/pay-codes/verify', { code });
  }
}
