import type { CardChange } from '../contract/cards.ts';
import type { KioskCancelLoss, KioskCashBox, KioskCashEntry, KioskCollection } from '../contract/kiosks.ts';
import type { Answer } from '../contract/ledger.ts';
import { DomainClient, query } from './transport.ts';

/** Kiosk banknotes (docs/funds.md § Kiosk cash): the gateway's cash top-ups, the backoffice's collections. */
export class KiosksClient extends DomainClient {
  /** The card an ID number + PIN identify at a kiosk; PIN_INVALID for an unknown number, a wrong or locked PIN. */
  kioskIdentifyById(body: { idNumber: string; pin: string }): Promise<{ cardNo: string }> {
    return this.transport.call('POST', '/v1/kiosks/identify-by-id', body);
  }
  /**
   * 解挂 of a kiosk session's card with its PIN (the app's rules; identifiedBy: how the session's person
   * identified). Answers the card change; changed: false when the card was not lost.
   */
  kioskCancelLoss(body: KioskCancelLoss): Promise<CardChange> {
    return this.transport.call('POST', '/v1/kiosks/cancel-loss', body);
  }
  /** Credits banknotes a kiosk counted; `id` is dev:<device>:<sequence>, so a retry credits once. */
  kioskCashTopUp(body: {
    id: string;
    deviceRef: string;
    cardNo: string;
    amount: number;
    notes: number;
  }): Promise<Answer> {
    return this.transport.call('POST', '/v1/kiosks/cash-top-ups', body);
  }
  kioskCashEntry(id: string): Promise<KioskCashEntry> {
    return this.transport.call('GET', `/v1/kiosks/cash-top-ups/${encodeURIComponent(id)}`);
  }
  kioskCashBoxes(): Promise<{ items: KioskCashBox[] }> {
    return this.transport.call('GET', '/v1/kiosks/cash-boxes');
  }
  collectKioskCash(body: {
    deviceRef: string;
    requestId: string;
    countedAmount: number;
    collectorId: string;
    note?: string;
  }): Promise<KioskCollection> {
    return this.transport.call('POST', '/v1/kiosks/collections', body);
  }
  kioskCollections(
    filter: { status?: KioskCollection['status']; limit?: number } = {},
  ): Promise<{ items: KioskCollection[] }> {
    return this.transport.call('GET', `/v1/kiosks/collections${query(filter)}`);
  }
}
