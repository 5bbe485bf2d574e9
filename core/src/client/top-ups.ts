import type {
  BillRow,
  NewTopUpOrder,
  PaymentConfirmation,
  RefundBillRow,
  TopUpMismatch,
  TopUpOrder,
  TopUpRefund,
} from '../contract/top-ups.ts';
import { DomainClient } from './transport.ts';

/** Online top-up orders, their refunds and the daily reconciliation. */
export class TopUpsClient extends DomainClient {
  /** A top-up order for a card (or the one this openid already made with this key); TOP_UP_DAILY_CAP past the cap. */
  createTopUpOrder(input: NewTopUpOrder): Promise<TopUpOrder> {
    return this.transport.call('POST', '/v1/top-up-orders', input);
  }
  topUpOrder(id: string): Promise<TopUpOrder> {
    return this.transport.call('GET', `/v1/top-up-orders/${encodeURIComponent(id)}`);
  }
  topUpOrders(
    cardNo: string,
    page: { limit?: number; beforeId?: string } = {},
  ): Promise<{ items: TopUpOrder[]; next: string | null }> {
    const params = new URLSearchParams({ cardNo });
    if (page.limit !== undefined) params.set('limit', String(page.limit));
    if (page.beforeId !== undefined) params.set('beforeId', page.beforeId);
    return this.transport.call('GET', `/v1/top-up-orders?${params}`);
  }
  /** Orders still created or paid, created more than olderThanMs ago, oldest first: the poller's work. */
  unsettledTopUpOrders(olderThanMs: number, limit = 100, afterId?: string): Promise<{ items: TopUpOrder[] }> {
    const after = afterId ? `&afterId=${afterId}` : '';
    return this.transport.call(
      'GET',
      `/v1/top-up-orders-unsettled?olderThanMs=${olderThanMs}&limit=${limit}${after}`,
    );
  }
  setTopUpPrepayId(id: string, prepayId: string): Promise<TopUpOrder> {
    return this.transport.call('PUT', `/v1/top-up-orders/${encodeURIComponent(id)}/prepay`, { prepayId });
  }
  /** WeChat says paid: credits the card once per transaction id, however often it is called. */
  confirmTopUpPayment(id: string, payment: PaymentConfirmation): Promise<TopUpOrder> {
    return this.transport.call('POST', `/v1/top-up-orders/${encodeURIComponent(id)}/payment`, payment);
  }
  closeTopUpOrder(id: string): Promise<TopUpOrder> {
    return this.transport.call('POST', `/v1/top-up-orders/${encodeURIComponent(id)}/close`, {});
  }
  startTopUpRefund(
    id: string,
    input: { refundId: string; amount: number; reason: string },
  ): Promise<TopUpRefund> {
    return this.transport.call('POST', `/v1/top-up-orders/${encodeURIComponent(id)}/refunds`, input);
  }
  topUpRefunds(id: string): Promise<{ items: TopUpRefund[] }> {
    return this.transport.call('GET', `/v1/top-up-orders/${encodeURIComponent(id)}/refunds`);
  }
  /** Refunds still processing, created more than olderThanMs ago, oldest first: the poller's other work. */
  processingTopUpRefunds(olderThanMs: number, limit = 100): Promise<{ items: TopUpRefund[] }> {
    return this.transport.call(
      'GET',
      `/v1/top-up-refunds-processing?olderThanMs=${olderThanMs}&limit=${limit}`,
    );
  }
  settleTopUpRefund(
    refundId: string,
    outcome: { status: 'succeeded' | 'failed'; wechatRefundId: string | null; settledAtMs?: number },
  ): Promise<TopUpRefund> {
    return this.transport.call('POST', `/v1/top-up-refunds/${encodeURIComponent(refundId)}/settle`, outcome);
  }
  /** Records one finding outside a reconciliation (a notification that can never apply), once per day, order and kind. */
  noteTopUpMismatch(mismatch: Omit<TopUpMismatch, 'foundAtMs'>): Promise<TopUpMismatch> {
    return this.transport.call('POST', '/v1/top-up-mismatches', mismatch);
  }
  /**
   * Compares a day's bill of one channel (WeChat's when absent), its payments and, when given, its
   * refunds, with our orders and refunds and stores the differences once.
   */
  reconcileTopUps(
    billDate: string,
    rows: readonly BillRow[],
    channel?: 'wechat' | 'alipay',
    refunds?: readonly RefundBillRow[],
  ): Promise<{ mismatches: TopUpMismatch[] }> {
    return this.transport.call('POST', `/v1/top-up-reconciliations/${billDate}`, {
      rows,
      ...(channel ? { channel } : {}),
      ...(refunds ? { refunds } : {}),
    });
  }
  topUpMismatches(query: { billDate?: string; limit?: number } = {}): Promise<{ items: TopUpMismatch[] }> {
    const params = new URLSearchParams();
    if (query.billDate !== undefined) params.set('billDate', query.billDate);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    return this.transport.call('GET', `/v1/top-up-mismatches${params.size ? `?${params}` : ''}`);
  }
}
