import type {
  FeeBill,
  FeeCardPayment,
  FeeItem,
  FeePayment,
  FeeProgress,
  FeeReceipt,
  NewFeeItem,
} from '../contract/fees.ts';
import { DomainClient, query } from './transport.ts';

export type { FeeBill, FeeCardPayment, FeeItem, FeePayment, FeeProgress, FeeReceipt, NewFeeItem };

export interface FeeRefundView {
  id: string;
  paymentId: string;
  amount: number;
  status: string;
  failureCode: string | null;
}

/** Fees (缴费): items, bills, card payments, receipts, refunds and reminders. */
export class FeesClient extends DomainClient {
  createFeeItem(input: NewFeeItem): Promise<{ item: FeeItem; bills: number; unknownPersons: string[] }> {
    return this.transport.call('POST', '/v1/fee-items', input);
  }
  /** A CSV sheet: 项目编号,项目名称,类别,学号,金额(元),截止日期,允许分期. */
  importFeeItems(
    csv: string,
    createdBy?: string,
  ): Promise<{ items: { code: string; itemId: string; bills: number; unknownPersons: string[] }[] }> {
    return this.transport.call('POST', '/v1/fee-items/import', { csv, ...(createdBy ? { createdBy } : {}) });
  }
  /** Pulls the finance system's fee items (FINANCE_URL): codes not here yet become items. */
  pullFeeItems(createdBy?: string): Promise<{
    items: {
      code: string;
      itemId: string | null;
      bills: number;
      created: boolean;
      unknownPersons: string[];
      problem?: string;
    }[];
  }> {
    return this.transport.call('POST', '/v1/fee-items/pull', createdBy ? { createdBy } : {});
  }
  feeItems(): Promise<{ items: FeeProgress[] }> {
    return this.transport.call('GET', '/v1/fee-items');
  }
  feeItem(id: string): Promise<FeeProgress> {
    return this.transport.call('GET', `/v1/fee-items/${encodeURIComponent(id)}`);
  }
  feeItemBills(
    id: string,
    q: { status?: 'unpaid' | 'paid'; limit?: number } = {},
  ): Promise<{ items: FeeBill[] }> {
    return this.transport.call('GET', `/v1/fee-items/${encodeURIComponent(id)}/bills${query(q)}`);
  }
  async exportFeeItem(id: string): Promise<string> {
    return (await this.transport.download(`/v1/fee-items/${encodeURIComponent(id)}/export`)).toString('utf8');
  }
  remindFeeItem(id: string): Promise<{ reminded: number }> {
    return this.transport.call('POST', `/v1/fee-items/${encodeURIComponent(id)}/reminders`);
  }
  cardFeeBills(cardNo: string): Promise<{ items: FeeBill[] }> {
    return this.transport.call('GET', `/v1/cards/${encodeURIComponent(cardNo)}/fee-bills`);
  }
  feeBill(id: string): Promise<FeeBill & { payments: FeePayment[] }> {
    return this.transport.call('GET', `/v1/fee-bills/${encodeURIComponent(id)}`);
  }
  /** Pays (part of) a bill from the card; the id is the idempotency key. */
  payFeeByCard(billId: string, input: FeeCardPayment): Promise<FeePayment> {
    return this.transport.call('POST', `/v1/fee-bills/${encodeURIComponent(billId)}/payments`, input);
  }
  resolveFeePayments(): Promise<{ looked: number }> {
    return this.transport.call('POST', '/v1/fee-payments/resolve');
  }
  feeReceipt(paymentId: string): Promise<FeeReceipt> {
    return this.transport.call('GET', `/v1/fee-payments/${encodeURIComponent(paymentId)}/receipt`);
  }
  refundFee(
    paymentId: string,
    input: { id: string; amount: number; reason: string },
  ): Promise<FeeRefundView> {
    return this.transport.call('POST', `/v1/fee-payments/${encodeURIComponent(paymentId)}/refunds`, input);
  }
}
