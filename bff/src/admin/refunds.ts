import {
  operationId,
  payoutChannelSchema,
  refundEntryStatusSchema,
  requestId,
} from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// The refund list (退款清单): the main balance of every closed-out card, owed to its person until the card
// centre pays it out in cash or by bank transfer. The core moves the money out of refund payable through
// the ledger and marks the entry paid once (docs/ledger.md); a retry answers changed = false and is not
// audited again, the other channel REFUND_ALREADY_PAID. Finance and the auditor read; finance pays
// (services/refund-list.ts).

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

export const refundRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/refunds',
    right: 'funds.read',
    handle: (ctx, admin, s) => {
      const q = parseValue({ ...ctx.query }, listQuery);
      return q.format === 'csv' ? s.refundList.exportDue(admin) : s.refundList.page(q);
    },
  },
  {
    method: 'POST',
    path: '/refunds/:operationId/payout',
    right: 'funds.manage',
    handle: (ctx, admin, s) => {
      const { operationId: id } = parseValue(ctx.params, entryPath);
      return s.refundList.payout(admin, id, parseBody(ctx, payoutBody));
    },
  },
];
