import { cardNo, day, requestId, topUpOrderId } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// The card centre's top-up routes: a card's orders, a refund, the poller and the reconciliation on
// demand; the rules are in services/top-up-refunds.ts.

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
/** `?channel=wechat|alipay` narrows a list to one payment channel; absent, both are listed. */
export const channelQuery = z.object({ channel: z.enum(['wechat', 'alipay']).optional() });

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
    handle: (ctx, admin, s) => {
      parseBody(ctx, z.strictObject({ confirm: z.literal(true) }));
      return s.topUpRefunds.poll(admin);
    },
  },
  {
    method: 'POST',
    path: '/top-up-reconciliations/:billDate',
    right: 'funds.manage',
    handle: (ctx, admin, s) => {
      const { billDate } = parseValue(ctx.params, dayPath);
      parseBody(ctx, z.strictObject({ confirm: z.literal(true) }));
      return s.topUpRefunds.reconcile(admin, billDate);
    },
  },
];
