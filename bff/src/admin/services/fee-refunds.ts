import type { CoreClient, TopUpRefund } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { FeeReceipt } from '@campus-card/core/contract';
import { BffError } from '../../errors.ts';
import type { TopUpRefunds } from './top-up-refunds.ts';

// Fee refunds from the backoffice (#16, docs/funds.md § Fees): a fee paid from the card goes back to the
// card's wallets in the core; a fee paid straight by WeChat Pay or Alipay goes back to that platform
// through the refund of its platform order (the top-up refund path: the fee side reserves it and moves the
// item's money, the platform is asked under the same refund number, its answer or notification settles
// it), so a retried click refunds once and a refusal of the platform changes nothing.

/** A fee refund as the backoffice shows it, whichever way its money went. */
export interface AdminFeeRefund {
  id: string;
  paymentId: string;
  amount: number;
  /** pending: the platform has not answered yet (its notification or the poller settles it). */
  status: 'pending' | 'done' | 'refused';
  failureCode: string | null;
  /** Where the money goes back: the payer's card, or the platform that took it. */
  channel: FeeReceipt['channel'];
}

function fromTopUpRefund(
  refund: TopUpRefund,
  paymentId: string,
  channel: FeeReceipt['channel'],
): AdminFeeRefund {
  return {
    id: refund.id,
    paymentId,
    amount: refund.amount,
    status: refund.status === 'succeeded' ? 'done' : refund.status === 'failed' ? 'refused' : 'pending',
    failureCode: refund.status === 'failed' ? 'PLATFORM_REFUSED' : null,
    channel,
  };
}

export class FeeRefunds {
  constructor(
    private readonly core: CoreClient,
    private readonly topUpRefunds: TopUpRefunds,
  ) {}

  /**
   * Refunds (part of) a paid fee payment under `refundId` (the dialog's request id): to the card, or to
   * the platform that took it (one platform refund per payment, the database's rule).
   */
  async refund(
    paymentId: string,
    input: { refundId: string; amount: number; reason: string },
  ): Promise<AdminFeeRefund> {
    const receipt = await this.core.feeReceipt(paymentId);
    if (receipt.channel === 'card') {
      const refund = await this.core.refundFee(paymentId, {
        id: input.refundId,
        amount: input.amount,
        reason: input.reason,
      });
      return {
        id: refund.id,
        paymentId,
        amount: refund.amount,
        status: refund.status as AdminFeeRefund['status'],
        failureCode: refund.failureCode,
        channel: 'card',
      };
    }
    const topUps = this.topUpRefunds.topUpService();
    try {
      const refund = await topUps.refund(paymentId, {
        refundId: input.refundId,
        amount: input.amount,
        // The platforms take at most 80 characters of reason.
        reason: input.reason.slice(0, 80),
      });
      return fromTopUpRefund(refund, paymentId, receipt.channel);
    } catch (error) {
      // The platform did not answer (or answered in a way no retry of ours settles now): the refund is
      // started in the core and the poller asks again under the same number. Refusals of ours rethrow.
      if (error instanceof CoreError || !(error instanceof BffError)) throw error;
      const started = (await this.core.topUpRefunds(paymentId)).items.find((r) => r.id === input.refundId);
      if (!started) throw error;
      return fromTopUpRefund(started, paymentId, receipt.channel);
    }
  }
}
