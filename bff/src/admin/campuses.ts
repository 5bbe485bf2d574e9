import {
  campusAssignmentSchema,
  campusIdPath,
  campusPlaceSchema,
  day,
  deviceNo,
  merchantId,
  newCampusSchema,
} from '@campus-card/core/contract';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminSession } from './admin-sessions.ts';
import type { AdminRoute, AdminServices } from './routes.ts';
import { campusOf } from './services/campus-admin.ts';

// Campuses (校区) within one centre (docs/campuses.md): the list for every page's 校区 picker, making a
// campus and linking its place tree (super admin), moving merchants and devices between campuses, and
// the settlement rows of a day per campus. What a campus-scoped admin reaches is ./campus-scope.ts.

const merchantPath = z.object({ id: merchantId });
const devicePath = z.object({ deviceId: deviceNo });
const dayPath = z.object({ day });
const campusQuery = z.object({ campusId: campusIdPath.shape.id.optional() });

/** Moves a merchant or device to a campus that exists (null: centre-wide), audited by the service. */
function moveRoute(
  path: string,
  right: AdminRoute['right'],
  move: (ctx: Context, admin: AdminSession, s: AdminServices, campusId: string | null) => Promise<unknown>,
): AdminRoute {
  return {
    method: 'PUT',
    path,
    right,
    handle: async (ctx, admin, s) => {
      const { campusId } = parseBody(ctx, campusAssignmentSchema);
      await s.campuses.known(campusId);
      return move(ctx, admin, s, campusId);
    },
  };
}

export const campusRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/campuses',
    right: null,
    // Every admin's pickers read it; a campus admin's own campus is answered as `mine`.
    handle: async (_ctx, admin, s) => ({ ...(await s.campuses.list()), mine: campusOf(admin) }),
  },
  {
    method: 'POST',
    path: '/campuses',
    right: 'campus.manage',
    handle: async (ctx, admin, s) => {
      const campus = await s.campuses.create(admin, parseBody(ctx, newCampusSchema));
      ctx.status = 201;
      return campus;
    },
  },
  {
    method: 'PUT',
    path: '/campuses/:id/place',
    right: 'campus.manage',
    handle: (ctx, admin, s) =>
      s.campuses.linkPlace(
        admin,
        parseValue(ctx.params, campusIdPath).id,
        parseBody(ctx, campusPlaceSchema).placeId,
      ),
  },
  moveRoute('/merchants/:id/campus', 'merchant.manage', (ctx, admin, s, campusId) =>
    s.campuses.assignMerchant(admin, parseValue(ctx.params, merchantPath).id, campusId),
  ),
  moveRoute('/devices/:deviceId/campus', 'device.manage', (ctx, admin, s, campusId) =>
    s.campuses.assignDevice(admin, parseValue(ctx.params, devicePath).deviceId, campusId),
  ),
  {
    method: 'GET',
    path: '/settlements/:day',
    right: 'settlement.read',
    handle: async (ctx, _admin, s) => {
      const { campusId } = parseValue({ ...ctx.query }, campusQuery);
      const items = await s.core.dayStatements(parseValue(ctx.params, dayPath).day, campusId);
      return { items };
    },
  },
];
