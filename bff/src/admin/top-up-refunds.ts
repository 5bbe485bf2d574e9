import type { Approval, CoreClient, TopUpOrder, TopUpRefund } from '@campus-card/core/client';
import { cardNo, day, requestId, topUpOrderId } from '@campus-card/core/contract';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { TopUpService } from '../topups/top-up-service.ts';
import type { AdminSession } from './admin-sessions.ts';
import type { Approvals } from './approvals.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { CardAffairs } from './card-affairs.ts';
import type { AdminRoute } from './routes.ts';

// Top-ups (WeChat Pay and Alipay) as the card centre sees them: a card's orders with their refunds, a refund (at once
// or, above the threshold, after a second admin's approval), a poll of unsettled orders and a
// reconciliation against WeChat's bill on demand. The wallet gives the money back first and WeChat is
// asked under the same out_refund_no, so a retry refunds once (bff/src/topups, docs/topups.md).

const cardPath = z.object({ cardNo });
const orderPath = z.object({
  id: topUpOrderId,
});
const dayPath = z.object({ billDate: day });
const refundBody = z.strictObject({
  requestId,
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  reason: z.string().trim().min(1).max(80),
});
const ordersShown = 20;
/** `?channel=wechat|alipay` narrows a list to one payment channel; absent, both are listed. */
export const channelQuery = z.object({ channel: z.enum(['wechat', 'alipay']).optional() });
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

  async request(admin: AdminSession, orderId: string, input: z.infer<typeof refundBody>) {
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
}

export const adminTopUpRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/cards/:cardNo/top-ups',
    right: 'card.read',
    handle: (ctx, admin, s) =>
      s.topUpRefunds.ofCard(
        admin,
        parseValue(ctx.params, cardPath).cardNo,
        parseValue({ ...ctx.query }, channelQuery).channel,
      ),
  },
  {
    method: 'POST',
    path: '/top-ups/:id/refunds',
    right: 'topup.refund',
    handle: (ctx, admin, s) => {
      const body = parseBody(ctx, refundBody);
      return s.topUpRefunds.request(admin, parseValue(ctx.params, orderPath).id, body);
    },
  },
  {
    method: 'POST',
    path: '/top-ups/poll',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      parseBody(ctx, z.strictObject({ confirm: z.literal(true) }));
      const report = await s.topUpRefunds.topUpService().pollOnce();
      await s.audit.record(admin, 'top_up.poll', null, null, { ...report });
      return report;
    },
  },
  {
    method: 'POST',
    path: '/top-up-reconciliations/:billDate',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { billDate } = parseValue(ctx.params, dayPath);
      parseBody(ctx, z.strictObject({ confirm: z.literal(true) }));
      const mismatches = await s.topUpRefunds.topUpService().reconcile(billDate);
      await s.audit.record(admin, 'top_up.reconcile', null, billDate, { mismatches: mismatches.length });
      return { mismatches };
    },
  },
];
