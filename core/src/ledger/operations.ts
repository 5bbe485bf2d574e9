// The wire schemas of the money operations live in the contract (contract/ledger.ts); re-exported for
// the core's modules that import them here.

export { cardNo, entityId, fen, operationId } from '../contract/fields.ts';
export {
  type AdjustmentRequest,
  adjustmentRequest,
  type BatchedOperation,
  batchedOperation,
  type CloseOutRequest,
  closeOutRequest,
  codeId,
  type HoldRequest,
  holdRequest,
  type OperationKind,
  operationsPerRequestMax,
  type PaymentRequest,
  type PostRequest,
  paymentRequest,
  postRequest,
  type RefundRequest,
  refundRequest,
  type SubsidyClearRequest,
  type SubsidyRequest,
  subsidyClearRequest,
  subsidyRequest,
  type TopUpRequest,
  topUpChannels,
  topUpRequest,
  type VoidRequest,
  voidRequest,
} from '../contract/ledger.ts';

import type { ForeignSaleRequest } from '../contract/federation.ts';
import type {
  AdjustmentRequest,
  CloseOutRequest,
  HoldRequest,
  PaymentRequest,
  PostRequest,
  RefundRequest,
  SubsidyClearRequest,
  SubsidyRequest,
  TopUpRequest,
  topUpChannels,
  VoidRequest,
} from '../contract/ledger.ts';

/** Which system account a top-up channel draws from. */
export const channelAccount: Record<(typeof topUpChannels)[number], string> = {
  wechat: 'SYS-CLEARING-WECHAT',
  alipay: 'SYS-CLEARING-ALIPAY',
  cash: 'SYS-CASH-DESK',
  bank: 'SYS-BANK-TRANSFER',
};
export const systemAccounts = {
  subsidyFund: 'SYS-SUBSIDY-FUND',
  offlineReceivable: 'SYS-OFFLINE-RECEIVABLE',
  adjustment: 'SYS-ADJUSTMENT',
  refundPayable: 'SYS-REFUND-PAYABLE',
} as const;

/** What another centre owes us for its cards' spending at our devices (docs/federation.md). */
export function centreReceivableAccount(centreId: string): string {
  return `SYS-FED-${centreId}`;
}

/** An operation as the ledger executes it: the request, its kind, and facts settled before queueing. */
export type Operation =
  | { kind: 'payment'; request: Omit<PaymentRequest, 'pin'>; pinCheck: 'none' | 'ok' | 'bad' }
  | { kind: 'top_up'; request: TopUpRequest }
  | { kind: 'subsidy'; request: SubsidyRequest }
  | { kind: 'refund'; request: RefundRequest }
  | { kind: 'hold'; request: HoldRequest }
  | { kind: 'post'; request: PostRequest }
  | { kind: 'void'; request: VoidRequest }
  | { kind: 'expire'; request: { id: string; holdId: string } }
  | { kind: 'adjustment'; request: AdjustmentRequest }
  | { kind: 'close_out'; request: CloseOutRequest }
  | { kind: 'subsidy_clear'; request: SubsidyClearRequest }
  | { kind: 'foreign_sale'; request: ForeignSaleRequest };
