import type { TopUpRefund } from '@campus-card/core/client';
import { type AlipayPay, type AlipayTrade, beijingMs, outRequestNoOf, tradeOf } from '../alipay-pay.ts';
import { errorName, isFinal, type PaymentChecks, type TopUpDeps, TopUpPart } from './shared.ts';

/** What the Alipay notify route answers: Alipay stops only on the plain text `success`. */
export interface AlipayNotifyAnswer {
  status: number;
  body: 'success' | 'fail';
}

/** Alipay's asynchronous notifications: payments credited once, refunds settled, the rest filed. */
export class AlipayNotifications extends TopUpPart {
  constructor(
    deps: TopUpDeps,
    private readonly checks: PaymentChecks,
  ) {
    super(deps);
  }

  /**
   * An Alipay asynchronous notification (form fields, decoded). Alipay sends it again until it reads
   * the plain text `success`, eight times over about a day. Answered `fail` (401) unless its RSA2
   * signature verifies with Alipay's key, so a forgery changes nothing; `fail` (500) when our side
   * could not apply it (the core unreachable), so Alipay retries. Everything else is answered
   * `success`: a payment credited once under ali:<trade_no> however often it arrives, a status with
   * nothing to do, a refund confirmation, and what can never apply (another app or seller, an
   * unknown order, a different amount), which is filed in the mismatch list instead.
   */
  async notify(fields: Record<string, string>): Promise<AlipayNotifyAnswer> {
    if (!this.alipay) return { status: 503, body: 'fail' };
    if (!this.alipay.verifyNotification(fields)) {
      this.log.warn({ reason: 'signature' }, 'Alipay notification refused');
      return { status: 401, body: 'fail' };
    }
    try {
      await this.applyAlipayNotification(this.alipay, fields);
      return { status: 200, body: 'success' };
    } catch (error) {
      this.log.error({ err: errorName(error) }, 'Alipay notification could not be applied');
      return { status: 500, body: 'fail' };
    }
  }

  private async applyAlipayNotification(alipay: AlipayPay, fields: Record<string, string>): Promise<void> {
    const trade = tradeOf(fields);
    const atMs = trade.paidAtMs ?? Date.now();
    const theirs = `${trade.status} ${trade.totalText} ${trade.tradeNo}`;
    if (fields.app_id !== alipay.appId || fields.seller_id !== alipay.sellerId) {
      await this.checks.alert(
        trade.outTradeNo,
        'missing_ours',
        null,
        `${theirs} app_id=${fields.app_id ?? ''}`,
        atMs,
        {
          source: 'notify',
          why: 'Alipay notification for another app or seller',
        },
      );
      return;
    }
    // A refund's notification (Alipay names our out_request_no as out_biz_no): the refund call already
    // settled it; one still processing here (its answer was lost) is settled now.
    if (fields.out_biz_no !== undefined && fields.refund_fee !== undefined) {
      await this.settleAlipayRefundNotice(fields.out_biz_no, trade, theirs, fields.gmt_refund);
      return;
    }
    if (trade.status === 'WAIT_BUYER_PAY' || trade.status === 'TRADE_CLOSED') return;
    if (trade.status !== 'TRADE_SUCCESS' && trade.status !== 'TRADE_FINISHED') {
      await this.checks.alert(trade.outTradeNo, 'state_differs', null, theirs, atMs, {
        source: 'notify',
        why: 'Alipay notification with an unknown trade_status',
      });
      return;
    }
    await this.checks.applyPaid(this.checks.alipayPaid(trade), 'notify');
  }

  private async settleAlipayRefundNotice(
    outRequestNo: string,
    trade: AlipayTrade,
    theirs: string,
    /** gmt_refund, Beijing time with milliseconds. */
    refundedAt: string | undefined,
  ): Promise<void> {
    let refunds: TopUpRefund[] = [];
    try {
      refunds = (await this.core.topUpRefunds(trade.outTradeNo)).items;
    } catch (error) {
      if (!isFinal(error)) throw error;
    }
    const refund = refunds.find((r) => outRequestNoOf(r.id) === outRequestNo);
    if (!refund) {
      await this.checks.alert(
        trade.outTradeNo,
        'state_differs',
        null,
        `REFUND ${outRequestNo} ${theirs}`,
        Date.now(),
        {
          source: 'notify',
          why: 'Alipay refund notification for a refund we never asked for',
        },
      );
      return;
    }
    const settledAtMs = beijingMs(refundedAt?.replace(/\.\d{1,3}$/, ''));
    if (refund.status === 'processing')
      await this.core.settleTopUpRefund(refund.id, {
        status: 'succeeded',
        wechatRefundId: null,
        ...(settledAtMs !== undefined ? { settledAtMs } : {}),
      });
  }
}
