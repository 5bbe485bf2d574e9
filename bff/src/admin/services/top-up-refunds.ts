import type { Approval, CoreClient, TopUpOrder, TopUpRefund } from '@campus-card/core/client';
import { BffError } from '../../errors.ts';
import type { TopUpService } from '../../services/top-ups/top-up-service.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { Approvals } from './approvals.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { CardAffairs } from './card-affairs.ts';

// Top-ups (WeChat Pay and Alipay) as the card centre sees them: a card's orders with their refunds, a refund (at once
// or, above the threshold, after a second admin's approval), a poll of unsettled orders and a
// reconciliation against the platforms' bills on demand. The wallet gives the money back first and the
// platform is asked under the same refund number, so a retry refunds once (bff/src/services/top-ups, docs/topups.md).

const ordersShown = 20;
/** How far back (orders) a channel filter looks for its 20: five of the core's pages. */
const channelScanMax = 500;

interface RefundPayload {
  orderId: string;
  amount: number;
  reason: string;
}

export class TopUpRefunds {
  constructor(
    private readonly core: CoreClient,
    private readonly topUps: TopUpService | undefined,
    private readonly cards: CardAffairs,
    private readonly audit: AuditTrail,
    private readonly approvals: Approvals,
  ) {
    approvals.handle('top_up_refund', (approval) => this.refundApproved(approval));
  }

  /**
   * The card's latest top-ups (WeChat Pay and Alipay, each carrying its `channel`), each with its
   * refunds; within the admin's scope. With a channel, the latest 20 of that channel among the card's
   * last 500 orders.
   */
  async ofCard(admin: AdminSession, cardNo: string, channel?: 'wechat' | 'alipay') {
    await this.cards.card(admin, cardNo);
    let items: TopUpOrder[];
    if (channel === undefined) {
      items = (await this.core.topUpOrders(cardNo, { limit: ordersShown })).items;
    } else {
      items = [];
      let beforeId: string | undefined;
      for (let scanned = 0; scanned < channelScanMax && items.length < ordersShown; ) {
        const page = await this.core.topUpOrders(cardNo, { limit: 100, ...(beforeId ? { beforeId } : {}) });
        items.push(...page.items.filter((o) => o.channel === channel));
        scanned += page.items.length;
        if (page.next === null) break;
        beforeId = page.next;
      }
      items = items.slice(0, ordersShown);
    }
    const refunds = await Promise.all(
      items.map((o) => (o.status === 'created' ? { items: [] } : this.core.topUpRefunds(o.id))),
    );
    return { items: items.map((order, i) => ({ ...order, refunds: refunds[i]?.items ?? [] })) };
  }

  async request(
    admin: AdminSession,
    orderId: string,
    input: { requestId: string; amount: number; reason: string },
  ) {
    const order = await this.core.topUpOrder(orderId);
    await this.cards.card(admin, order.cardNo);
    const payload: RefundPayload = { orderId, amount: input.amount, reason: input.reason };
    if ((await this.approvals.route(admin, 'top_up_refund', input.requestId, input.amount)) === 'approval') {
      const approval = await this.approvals.propose(
        admin,
        {
          kind: 'top_up_refund',
          payload: { ...payload },
          amount: input.amount,
          reason: input.reason,
          targetId: orderId,
          requestId: input.requestId,
        },
        { cardNo: order.cardNo, amount: input.amount, reason: input.reason },
      );
      return { status: 'pending_approval' as const, approval };
    }
    const refund = await this.refund(`adm-${input.requestId}`, payload);
    await this.audit.record(admin, 'top_up_refund.start', 'top_up', orderId, {
      refundId: refund.id,
      cardNo: order.cardNo,
      amount: refund.amount,
      status: refund.status,
    });
    return { status: 'refund_started' as const, refund };
  }

  private refundApproved(approval: Approval): Promise<TopUpRefund> {
    return this.refund(`apr-${approval.id}`, approval.payload as unknown as RefundPayload);
  }

  private refund(refundId: string, p: RefundPayload): Promise<TopUpRefund> {
    if (!this.topUps) throw new BffError('UNAVAILABLE', 'top-ups are not configured on this server');
    return this.topUps.refund(p.orderId, { refundId, amount: p.amount, reason: p.reason });
  }

  topUpService(): TopUpService {
    if (!this.topUps) throw new BffError('UNAVAILABLE', 'top-ups are not configured on this server');
    return this.topUps;
  }

  /** One pass of the top-up poller on demand, audited. */
  async poll(admin: AdminSession) {
    const report = await this.topUpService().pollOnce();
    await this.audit.record(admin, 'top_up.poll', null, null, { ...report });
    return report;
  }

  /** One day's reconciliation against the platforms' bills on demand, audited. */
  async reconcile(admin: AdminSession, billDate: string) {
    const mismatches = await this.topUpService().reconcile(billDate);
    await this.audit.record(admin, 'top_up.reconcile', null, billDate, { mismatches: mismatches.length });
    return { mismatches };
  }
}
