import { windowCapacityMax, windowCapacityMin } from '@campus-card/core/contract/insight';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Canteen window capacities (#17): payments per 15 minutes a window serves, the app's canteen levels'
// yardstick. Read with merchant.read, set with merchant.manage (services/window-capacity-admin.ts audits).

const merchantPath = z.object({ id: z.string().min(1).max(26) });
const setBody = z.strictObject({
  paymentsPer15Min: z.number().int().min(windowCapacityMin).max(windowCapacityMax).nullable(),
});

export const windowCapacityRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/window-capacities',
    right: 'merchant.read',
    handle: (_ctx, _admin, s) => s.windowCapacities.list(),
  },
  {
    method: 'PUT',
    path: '/window-capacities/:id',
    right: 'merchant.manage',
    handle: (ctx, admin, s) =>
      s.windowCapacities.set(
        admin,
        parseValue(ctx.params, merchantPath).id,
        parseBody(ctx, setBody).paymentsPer15Min,
      ),
  },
];
