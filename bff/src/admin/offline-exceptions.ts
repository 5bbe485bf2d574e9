import { campusId, offlineResolutionActions, requestId, rowId } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Offline exceptions: payments devices took offline that the wallets could not pay in full (the rest
// is a receivable on SYS-OFFLINE-RECEIVABLE), and records that could not be applied at all. Device
// admins, finance and auditors read the list; finance recovers a receivable from the card, writes it
// off, or dismisses an exception that owes nothing. The core closes each once and moves its money in
// the same transaction; a retried request (same requestId) answers the same and is not audited again
// (services/offline-exceptions.ts).

const idPath = z.object({ id: rowId });
const listQuery = z.object({
  status: z.enum(['open', 'closed']).default('open'),
  beforeAtMs: z.coerce.number().int().nonnegative().optional(),
  beforeId: rowId.optional(),
  /** One campus's devices' exceptions; a campus admin's list is narrowed to theirs (./campus-scope.ts). */
  campusId: campusId.optional(),
});
const resolveBody = z.strictObject({
  action: z.enum(offlineResolutionActions),
  requestId,
  note: z.string().trim().min(1).max(200),
});

export const offlineExceptionRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/offline-exceptions',
    right: 'offline.read',
    handle: (ctx, _admin, s) => s.offlineExceptions.list(parseValue({ ...ctx.query }, listQuery)),
  },
  {
    method: 'POST',
    path: '/offline-exceptions/:id/resolve',
    right: 'funds.manage',
    handle: (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      return s.offlineExceptions.resolve(admin, id, parseBody(ctx, resolveBody));
    },
  },
];
