import { bankTransferStatuses, kioskDeviceRef, requestId } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Bank 圈存 and kiosk cash in the backoffice (#16, docs/funds.md): finance follows bank transfers by
// state, runs the resolve job or a day's reconciliation at once and reads the differences found; it sees
// each kiosk's cash box and records a collection with what was counted, a difference becoming an
// exception. Finance and the auditor read; finance acts, and every act is audited.

const transfersQuery = z.object({ status: z.enum(bankTransferStatuses).optional() });
const reconcileBody = z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
const collectionsQuery = z.object({ status: z.enum(['balanced', 'discrepancy', 'resolved']).optional() });
const collectBody = z.strictObject({
  deviceRef: kioskDeviceRef,
  requestId,
  countedAmount: z.number().int().min(0).max(100_000_000),
  note: z.string().trim().min(1).max(200).optional(),
});

export const bankAdminRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/bank/transfers',
    right: 'funds.read',
    handle: (ctx, _admin, s) =>
      s.core.bankTransfers({ ...parseValue(ctx.query, transfersQuery), limit: 200 }),
  },
  {
    method: 'POST',
    path: '/bank/resolve',
    right: 'funds.manage',
    handle: async (_ctx, admin, s) => {
      const result = await s.core.resolveBankTransfers();
      await s.audit.record(admin, 'bank.resolve', 'bank_transfer', null, result);
      return result;
    },
  },
  {
    method: 'POST',
    path: '/bank/reconciliation',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const { date } = parseBody(ctx, reconcileBody);
      const result = await s.core.reconcileBank(date);
      await s.audit.record(admin, 'bank.reconcile', 'bank_transfer', null, { date, ...result });
      return result;
    },
  },
  {
    method: 'GET',
    path: '/bank/mismatches',
    right: 'funds.read',
    handle: (_ctx, _admin, s) => s.core.bankMismatches(200),
  },
  {
    method: 'GET',
    path: '/kiosks/cash-boxes',
    right: 'funds.read',
    handle: (_ctx, _admin, s) => s.core.kioskCashBoxes(),
  },
  {
    method: 'GET',
    path: '/kiosks/collections',
    right: 'funds.read',
    handle: (ctx, _admin, s) =>
      s.core.kioskCollections({ ...parseValue(ctx.query, collectionsQuery), limit: 200 }),
  },
  {
    method: 'POST',
    path: '/kiosks/collections',
    right: 'funds.manage',
    handle: async (ctx, admin, s) => {
      const body = parseBody(ctx, collectBody);
      const collection = await s.core.collectKioskCash({ ...body, collectorId: admin.adminId });
      // A retried request answers the first collection and is audited once.
      if (!collection.replayed)
        await s.audit.record(admin, 'kiosk.collect', 'kiosk', body.deviceRef, {
          counted: body.countedAmount,
          expected: collection.expectedAmount,
          difference: collection.difference,
        });
      return collection;
    },
  },
];
