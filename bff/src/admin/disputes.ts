import { disputeId, disputeNoteCharsMax, disputeStatuses, fen } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// 消费纠错 (#19): the disputes students opened on their payments. The card centre decides for the
// merchant: accept with a refund (at most what is left of the payment; the core books it through the
// ledger once) or reject with a reason. Reading needs merchant.read, deciding merchant.manage
// (services/dispute-admin.ts).

const idPath = z.object({ id: disputeId });
const listQuery = z.object({ status: z.enum(disputeStatuses).optional() });
const note = z.string().trim().min(1).max(disputeNoteCharsMax);
const acceptBody = z.strictObject({ amount: fen, note: note.optional() });
const rejectBody = z.strictObject({ reason: note });

export const disputeAdminRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/disputes',
    right: 'merchant.read',
    handle: (ctx, _admin, s) => s.disputes.list(parseValue({ ...ctx.query }, listQuery).status),
  },
  {
    method: 'POST',
    path: '/disputes/:id/accept',
    right: 'merchant.manage',
    handle: (ctx, admin, s) =>
      s.disputes.accept(admin, parseValue(ctx.params, idPath).id, parseBody(ctx, acceptBody)),
  },
  {
    method: 'POST',
    path: '/disputes/:id/reject',
    right: 'merchant.manage',
    handle: (ctx, admin, s) =>
      s.disputes.reject(admin, parseValue(ctx.params, idPath).id, parseBody(ctx, rejectBody).reason),
  },
];
