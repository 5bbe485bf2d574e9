import type { PayoutChannel, RefundEntry } from '../contract/refunds.ts';
import { DomainClient, query } from './transport.ts';

/** The refund list: close-outs' balances owed to people, and their payout. */
export class RefundsClient extends DomainClient {
  /** The refund list: close-outs' main balances owed to people, newest first, paged by `next`. */
  refundList(
    page: { status?: 'due' | 'paid'; limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: RefundEntry[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.transport.call('GET', `/v1/refund-list${query(page)}`);
  }
  refundEntry(operationId: string): Promise<RefundEntry> {
    return this.transport.call('GET', `/v1/refund-list/${encodeURIComponent(operationId)}`);
  }
  /**
   * Pays a refund out (cash or bank): the money leaves SYS-REFUND-PAYABLE once, the entry is marked
   * paid; a retry through the same channel answers changed = false, another REFUND_ALREADY_PAID.
   */
  payOutRefund(
    operationId: string,
    input: { channel: PayoutChannel; actorId: string; note?: string },
  ): Promise<RefundEntry & { changed: boolean }> {
    return this.transport.call('POST', `/v1/refund-list/${encodeURIComponent(operationId)}/payout`, input);
  }
}
