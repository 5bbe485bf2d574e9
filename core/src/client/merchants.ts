import type { Merchant, MerchantListItem, MerchantStatement, NewMerchant } from '../contract/merchants.ts';
import { DomainClient } from './transport.ts';

/** Merchants and their daily settlement statements. */
export class MerchantsClient extends DomainClient {
  createMerchant(input: NewMerchant): Promise<Merchant> {
    return this.transport.call('POST', '/v1/merchants', input);
  }
  /** Every merchant in id order: id, name, category, fee rate, status. */
  merchants(): Promise<MerchantListItem[]> {
    return this.transport.call('GET', '/v1/merchants');
  }
  setMerchantStatus(id: string, status: 'active' | 'disabled'): Promise<void> {
    return this.transport.call('PUT', `/v1/merchants/${encodeURIComponent(id)}/status`, { status });
  }
  getMerchant(id: string): Promise<Merchant> {
    return this.transport.call('GET', `/v1/merchants/${encodeURIComponent(id)}`);
  }
  statement(merchantId: string, day: string): Promise<MerchantStatement> {
    return this.transport.call('GET', `/v1/merchants/${encodeURIComponent(merchantId)}/statements/${day}`);
  }
  /** Every merchant's, or one campus's merchants' (docs/campuses.md). */
  settleDay(day: string, campusId?: string): Promise<MerchantStatement[]> {
    const query = campusId === undefined ? '' : `?campusId=${encodeURIComponent(campusId)}`;
    return this.transport.call('POST', `/v1/settlements/${day}${query}`);
  }
  /** The day's statements (recorded or computed) of every merchant, or of one campus's merchants. */
  dayStatements(day: string, campusId?: string): Promise<MerchantStatement[]> {
    const query = campusId === undefined ? '' : `?campusId=${encodeURIComponent(campusId)}`;
    return this.transport.call('GET', `/v1/settlements/${day}${query}`);
  }
}
