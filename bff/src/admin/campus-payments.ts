import {
  feeCategories,
  feeCode,
  feePaymentId,
  requestId,
  utilityOrderStatuses,
  utilityServices,
} from '@campus-card/core/contract';
import { z } from 'zod';
import { Download } from '../http/download.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';
import { FeeRefunds } from './services/fee-refunds.ts';

// Fees, dorm electricity and the network fee in the backoffice (#16, docs/funds.md): the finance office
// creates or imports fee items, follows each item's collection, exports it, reminds who still owes and
// refunds a payment; it follows electricity and network orders by state and may run their
// reconciliation at once. Finance and the auditor read; finance acts, and every act is audited. A fee
// paid by WeChat Pay or Alipay is refunded to that platform (services/fee-refunds.ts).

const itemPath = z.object({ id: z.string().regex(/^[0-9A-Z]{26}$/) });
const paymentPath = z.object({ id: feePaymentId });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const newItemBody = z.strictObject({
  code: feeCode,
  name: z.string().trim().min(1).max(64),
  category: z.enum(feeCategories),
  amount: z.number().int().positive().max(10_000_000),
  dueDay: day,
  allowPartial: z.boolean().default(false),
  audience: z.union([
    z.strictObject({ department: z.string().min(1).max(64) }),
    z.strictObject({ classCode: z.string().min(1).max(16) }),
    z.strictObject({ grade: z.string().regex(/^\d{4}$/) }),
  ]),
});
const importBody = z.strictObject({ csv: z.string().min(1).max(400_000) });
const refundBody = z.strictObject({
  requestId,
  amount: z.number().int().positive().max(10_000_000),
  reason: z.string().trim().min(1).max(200),
});
const ordersQuery = z.object({
  service: z.enum(utilityServices).default('electricity'),
  status: z.enum(utilityOrderStatuses).optional(),
});

export const campusPaymentRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/fees',
    right: 'funds.read',
    handle: (_ctx, _admin, s) => s.core.feeItems(),
  },
  {
    method: 'POST',
    path: '/fees',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, newItemBody);
      const made = await s.core.createFeeItem({ ...body, source: 'manual', createdBy: admin.adminId });
      await s.audit.record(admin, 'fee.item.create', 'fee_item', made.item.id, {
        code: body.code,
        amount: body.amount,
        bills: made.bills,
      });
      return made;
    },
  },
  {
    method: 'POST',
    path: '/fees/import',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const made = await s.core.importFeeItems(parseBody(ctx, importBody).csv, admin.adminId);
      await s.audit.record(admin, 'fee.item.import', 'fee_item', null, {
        items: made.items.map((i) => ({ code: i.code, bills: i.bills })),
      });
      return made;
    },
  },
  {
    method: 'POST',
    path: '/fees/pull',
    right: 'funds.manage',
    handle: async (_ctx, admin, s) => {
      const pulled = await s.core.pullFeeItems(admin.adminId);
      await s.audit.record(admin, 'fee.item.pull', 'fee_item', null, {
        created: pulled.items.filter((i) => i.created).map((i) => ({ code: i.code, bills: i.bills })),
      });
      return pulled;
    },
  },
  {
    method: 'GET',
    path: '/fees/:id',
    right: 'funds.read',
    handle: (ctx, _admin, s) => s.core.feeItem(parseValue(ctx.params, itemPath).id),
  },
  {
    method: 'GET',
    path: '/fees/:id/bills',
    right: 'funds.read',
    handle: (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, z.object({ status: z.enum(['unpaid', 'paid']).optional() }));
      return s.core.feeItemBills(parseValue(ctx.params, itemPath).id, { ...q, limit: 500 });
    },
  },
  {
    method: 'GET',
    path: '/fees/:id/export',
    right: 'funds.read',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, itemPath);
      const text = await s.core.exportFeeItem(id);
      await s.audit.record(admin, 'fee.item.export', 'fee_item', id, { format: 'csv' });
      return new Download(`fee-${id}.csv`, 'csv', Buffer.from(text, 'utf8'));
    },
  },
  {
    method: 'POST',
    path: '/fees/:id/reminders',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, itemPath);
      const sent = await s.core.remindFeeItem(id);
      await s.audit.record(admin, 'fee.item.remind', 'fee_item', id, sent);
      return sent;
    },
  },
  {
    method: 'GET',
    path: '/fee-payments/:id/receipt',
    right: 'funds.read',
    handle: (ctx, _admin, s) => s.core.feeReceipt(parseValue(ctx.params, paymentPath).id),
  },
  {
    method: 'POST',
    path: '/fee-payments/:id/refunds',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, paymentPath);
      const body = parseBody(ctx, refundBody);
      // The dialog's request id is the refund's idempotency key: a retried click refunds once.
      const refund = await new FeeRefunds(s.core, s.topUpRefunds).refund(id, {
        refundId: `fr-${body.requestId}`.slice(0, 48),
        amount: body.amount,
        reason: body.reason,
      });
      await s.audit.record(admin, 'fee.refund', 'fee_payment', id, {
        amount: body.amount,
        reason: body.reason,
        status: refund.status,
        channel: refund.channel,
      });
      return refund;
    },
  },
  {
    method: 'GET',
    path: '/utility-orders',
    right: 'funds.read',
    handle: async (ctx, _admin, s) => {
      const q = parseValue({ ...ctx.query }, ordersQuery);
      const [orders, summary] = await Promise.all([
        s.core.utilityOrders({ service: q.service, ...(q.status ? { status: q.status } : {}), limit: 100 }),
        s.core.utilityOrderSummary(q.service),
      ]);
      return { items: orders.items, summary: summary.items };
    },
  },
  {
    method: 'POST',
    path: '/utility-orders/reconcile',
    right: 'funds.manage',
    handle: async (_ctx, admin, s) => {
      const result = await s.core.reconcileUtilityOrders();
      await s.audit.record(admin, 'utility.reconcile', 'utility_order', null, result);
      return result;
    },
  },
];
