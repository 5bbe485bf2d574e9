import type { RefundEntry } from '@campus-card/core/client';
import {
  operationId,
  payoutChannelSchema,
  refundEntryStatusSchema,
  requestId,
} from '@campus-card/core/contract';
import { formatDateTime } from '@campus-card/core/time';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import { csv } from './merchants.ts';
import type { AdminRoute, AdminServices } from './routes.ts';

// The refund list (退款清单): the main balance of every closed-out card, owed to its person until the card
// centre pays it out in cash or by bank transfer. The core moves the money out of refund payable through
// the ledger and marks the entry paid once (docs/ledger.md); a retry answers changed = false and is not
// audited again, the other channel REFUND_ALREADY_PAID. Finance and the auditor read; finance pays.

const entryPath = z.object({ operationId });
const listQuery = z.object({
  status: refundEntryStatusSchema.default('due'),
  beforeAtMs: z.coerce.number().int().nonnegative().optional(),
  beforeId: operationId.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
const payoutBody = z.strictObject({
  channel: payoutChannelSchema,
  /** The dialog's idempotency key; the payout is idempotent per entry anyway, so it is only recorded. */
  requestId: requestId.optional(),
  note: z.string().trim().min(1).max(200).optional(),
});

const pageSize = 50;
/** The due list exported at most this many rows (one core page each 1,000). */
const exportRowsMax = 20_000;

const yuan = (fen: number) => (fen / 100).toFixed(2);
const reasonText: Record<string, string> = { graduated: '毕业', left: '离职/离校', card_closed: '销户' };

function dueCsv(items: readonly RefundEntry[]): Buffer {
  return csv(
    ['学工号', '卡号', '退款金额(元)', '原因', '销户时间', '销户操作号'],
    items.map((e) => [
      e.personNo,
      e.cardNo,
      yuan(e.mainAmount),
      reasonText[e.reason] ?? e.reason,
      formatDateTime(e.createdAtMs),
      e.operationId,
    ]),
  );
}

function attach(ctx: Context, file: string, bytes: Buffer): Buffer {
  ctx.type = 'text/csv; charset=utf-8';
  ctx.set('content-disposition', `attachment; filename="${file}"`);
  return bytes;
}

/** Who paid each entry out, by display name (the core keeps the admin's id). */
async function withNames<T extends RefundEntry>(
  s: AdminServices,
  items: readonly T[],
): Promise<(T & { paidByName: string | null })[]> {
  const names = new Map<string, string>();
  if (items.some((e) => e.paidBy !== null))
    for (const a of (await s.core.admins()).items) names.set(a.id, a.displayName);
  return items.map((e) => ({
    ...e,
    paidByName: e.paidBy === null ? null : (names.get(e.paidBy) ?? e.paidBy),
  }));
}

export const refundRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/refunds',
    right: 'funds.read',
    handle: async (ctx, admin, s) => {
      const q = parseValue({ ...ctx.query }, listQuery);
      if (q.format === 'csv') {
        const items: RefundEntry[] = [];
        let page = await s.core.refundList({ status: 'due', limit: 1000 });
        items.push(...page.items);
        while (page.next && items.length < exportRowsMax) {
          page = await s.core.refundList({ status: 'due', limit: 1000, ...page.next });
          items.push(...page.items);
        }
        await s.audit.record(admin, 'refund.export', 'refund_list', null, {
          format: 'csv',
          rows: items.length,
        });
        return attach(ctx, 'refunds-due.csv', dueCsv(items));
      }
      const before =
        q.beforeAtMs !== undefined && q.beforeId !== undefined
          ? { beforeAtMs: q.beforeAtMs, beforeId: q.beforeId }
          : {};
      const page = await s.core.refundList({ status: q.status, limit: pageSize, ...before });
      return { ...page, items: await withNames(s, page.items) };
    },
  },
  {
    method: 'POST',
    path: '/refunds/:operationId/payout',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { operationId: id } = parseValue(ctx.params, entryPath);
      const body = parseBody(ctx, payoutBody);
      const paid = await s.core.payOutRefund(id, {
        channel: body.channel,
        actorId: admin.adminId,
        ...(body.note ? { note: body.note } : {}),
      });
      if (paid.changed) {
        await s.audit.record(admin, 'refund.payout', 'refund', id, {
          cardNo: paid.cardNo,
          amount: paid.mainAmount,
          channel: paid.channel,
          operationId: paid.payoutOperationId,
          ...(body.requestId ? { requestId: body.requestId } : {}),
        });
      }
      return (await withNames(s, [paid]))[0];
    },
  },
];
