import type {
  AcceptDispute,
  Dispute,
  DisputeListQuery,
  NewDispute,
  RejectDispute,
} from '../contract/disputes.ts';
import { DomainClient, query } from './transport.ts';

/** 消费纠错 (#19): a holder's disputes of payments and the card centre's decisions. */
export class DisputesClient extends DomainClient {
  /** Opens a dispute (PAYMENT_NOT_FOUND, DISPUTE_ALREADY_OPEN, REFUND_EXCEEDS_PAYMENT refuse it). */
  openDispute(input: NewDispute): Promise<Dispute> {
    return this.transport.call('POST', '/v1/disputes', input);
  }
  disputes(filter: DisputeListQuery = {}): Promise<{ items: Dispute[] }> {
    return this.transport.call('GET', `/v1/disputes${query(filter)}`);
  }
  dispute(id: string): Promise<Dispute> {
    return this.transport.call('GET', `/v1/disputes/${encodeURIComponent(id)}`);
  }
  /** Accepts with a refund through the ledger (DISPUTE_DECIDED, REFUND_EXCEEDS_PAYMENT refuse it). */
  acceptDispute(id: string, input: AcceptDispute): Promise<Dispute> {
    return this.transport.call('POST', `/v1/disputes/${encodeURIComponent(id)}/accept`, input);
  }
  rejectDispute(id: string, input: RejectDispute): Promise<Dispute> {
    return this.transport.call('POST', `/v1/disputes/${encodeURIComponent(id)}/reject`, input);
  }
}
