import type { TopUpDeps } from './shared.ts';
import { type Applied, errorName, isFinal, type PaymentChecks, TopUpPart } from './shared.ts';
import { NotificationRefused, refundResourceSchema, transactionSchema } from './wechat-pay.ts';

/**
 * What the notify route answers WeChat. WeChat sends a notification again on anything but 2xx, for
 * about a day: 204 when applied or nothing to do; 200 SUCCESS when it can never apply (the card
 * centre is alerted instead, retrying would change nothing); 401 when it is not proven to come from
 * WeChat; 5xx only when something on our side may recover (the core unreachable).
 */
export interface NotifyAnswer {
  status: number;
  body?: { code: 'FAIL' | 'SUCCESS'; message: string };
}

/** WeChat Pay's notifications: payments credited once, refunds settled, the rest filed for the card centre. */
export class WechatNotifications extends TopUpPart {
  constructor(
    deps: TopUpDeps,
    private readonly checks: PaymentChecks,
  ) {
    super(deps);
  }

  /**
   * A notification from WeChat: refused (non-2xx, WeChat retries) unless fresh, signed and intact;
   * then applied. Crediting is idempotent per transaction id in the core, so a duplicate, a retry
   * or one overtaken by the poller is answered 204 and changes nothing. One that can never apply
   * (another merchant's, an unknown order, a different amount) is kept in the mismatch list for the
   * card centre and answered 200, so WeChat stops sending it.
   */
  async notify(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<NotifyAnswer> {
    try {
      return await this.applyNotification(headers, rawBody);
    } catch (error) {
      // The core or WeChat could not be reached: WeChat keeps the notification and sends it again.
      this.log.error({ err: errorName(error) }, 'WeChat Pay notification could not be applied');
      return fail(500, 'try again later');
    }
  }

  private async applyNotification(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
  ): Promise<NotifyAnswer> {
    if (!this.pay) return fail(503, 'WeChat Pay top-ups are not configured');
    let note: { id: string; eventType: string; resource: unknown };
    try {
      note = await this.wechatPay().verifyNotification(headers, rawBody);
    } catch (error) {
      if (!(error instanceof NotificationRefused)) throw error;
      this.log.warn({ reason: error.reason }, 'WeChat Pay notification refused');
      return fail(401, 'notification refused');
    }
    if (note.eventType === 'TRANSACTION.SUCCESS') {
      const parsed = transactionSchema.safeParse(note.resource);
      if (!parsed.success) return fail(400, 'unreadable transaction');
      return answered(await this.checks.applyTransaction(parsed.data, 'notify'));
    }
    if (note.eventType.startsWith('REFUND.')) {
      const parsed = refundResourceSchema.safeParse(note.resource);
      if (!parsed.success) return fail(400, 'unreadable refund');
      const r = parsed.data;
      const theirs = `REFUND ${r.refund_status} ${r.amount.refund} ${r.refund_id}`;
      if (r.mchid !== this.config.mchid) {
        await this.checks.alert(
          r.out_trade_no,
          'missing_ours',
          null,
          `${theirs} mchid=${r.mchid}`,
          Date.now(),
          {
            source: 'notify',
            why: 'refund notification for another merchant',
          },
        );
        return answered('alerted');
      }
      if (r.refund_status === 'PROCESSING') return { status: 204 };
      try {
        await this.settleRefund(r.out_refund_no, r.refund_status, r.refund_id, r.success_time);
      } catch (error) {
        if (!isFinal(error)) throw error;
        await this.checks.alert(
          r.out_trade_no,
          'state_differs',
          `refund ${r.out_refund_no}`,
          theirs,
          Date.now(),
          {
            source: 'notify',
            why: `refund notification refused (${error.code})`,
          },
        );
        return answered('alerted');
      }
      return { status: 204 };
    }
    return { status: 204 };
  }
}

function fail(status: number, message: string): NotifyAnswer {
  return { status, body: { code: 'FAIL', message } };
}

/** WeChat's answer for a notification handled here: 204, or 200 SUCCESS when the card centre was alerted. */
function answered(applied: Applied): NotifyAnswer {
  if (applied !== 'alerted') return { status: 204 };
  return {
    status: 200,
    body: { code: 'SUCCESS', message: 'recorded for the card centre; do not send again' },
  };
}
