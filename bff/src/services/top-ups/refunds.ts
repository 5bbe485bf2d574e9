import type { TopUpOrder, TopUpRefund } from '@campus-card/core/client';
import { AlipayRefused, AlipayUnavailable } from '../alipay-pay.ts';
import { TopUpPart } from './shared.ts';

/** Refunds of top-ups: the wallet gives the money back first, then the order's platform is asked. */
export class TopUpRefunder extends TopUpPart {
  /**
   * Asks Alipay to refund under out_request_no = our refund id, and settles the refund with the
   * answer: taken → succeeded (at Alipay's gmt_refund_pay, the day its bill lists it); refused in a signed answer → failed (the money goes back to the
   * wallet); no answer → still processing, asked again by the poller under the same number.
   */
  async askAlipay(order: TopUpOrder, refund: TopUpRefund): Promise<TopUpRefund> {
    let refundedAtMs: number | undefined;
    try {
      ({ refundedAtMs } = await this.alipayPay().refund({
        outTradeNo: order.id,
        refundId: refund.id,
        amount: refund.amount,
        reason: refund.reason,
      }));
    } catch (error) {
      if (error instanceof AlipayRefused) {
        this.log.warn({ orderId: order.id, err: error.subCode }, 'Alipay refused a top-up refund');
        return this.core.settleTopUpRefund(refund.id, { status: 'failed', wechatRefundId: null });
      }
      if (error instanceof AlipayUnavailable) {
        this.log.warn(
          { orderId: order.id, err: error.reason },
          'Alipay refund not answered; the poller asks again',
        );
        return refund;
      }
      throw error;
    }
    return this.core.settleTopUpRefund(refund.id, {
      status: 'succeeded',
      wechatRefundId: null,
      ...(refundedAtMs !== undefined ? { settledAtMs: refundedAtMs } : {}),
    });
  }

  /**
   * Refunds (part of) a top-up: the core takes the money back from the wallet first, then the
   * order's platform is asked under the same refund number (WeChat's out_refund_no, Alipay's
   * out_request_no), so a retry of this call (same refundId) is safe.
   */
  async refund(
    orderId: string,
    input: { refundId: string; amount: number; reason: string },
  ): Promise<TopUpRefund> {
    const order = await this.core.topUpOrder(orderId);
    const refund = await this.core.startTopUpRefund(orderId, input);
    if (refund.status !== 'processing') return refund;
    if (order.channel === 'alipay') return this.askAlipay(order, refund);
    const asked = await this.wechatPay().refund({
      outTradeNo: order.id,
      outRefundNo: refund.id,
      amount: refund.amount,
      total: order.amount,
      reason: input.reason,
    });
    if (asked.status === 'SUCCESS' || asked.status === 'CLOSED' || asked.status === 'ABNORMAL')
      return this.settleRefund(refund.id, asked.status, asked.refundId, asked.successTime);
    return refund;
  }
}
