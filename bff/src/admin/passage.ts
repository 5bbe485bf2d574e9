import {
  accessLogQuery,
  doorCommand,
  doorDevice,
  newPlace,
  newRule,
  passageId,
  personNo,
  placeChange,
} from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Campus passage in the backoffice (docs/passage.md): the places tree and its doors (made, renamed and
// given devices here), the rules, who can pass a door now and where a person can pass, remote door
// commands (reason required, audited), and the access log with its export.

const idPath = z.object({ id: passageId });
const atQuery = z.object({ atMs: z.coerce.number().int().nonnegative().optional() });
const devicePath = z.object({ deviceId: z.string().regex(/^[0-9]{1,10}$/, 'a device id is digits') });
const exportQuery = z.object({ format: z.enum(['csv', 'xlsx']) });
/** The rules within a place (a campus administrator's are narrowed to their campus, ./campus-scope.ts). */
const rulesQuery = z.object({ placeId: passageId.optional() });

export const passageRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/passage/places',
    right: 'passage.read',
    handle: async (_ctx, _admin, s) => {
      const [places, devices, groups] = await Promise.all([
        s.core.passagePlaces(),
        s.core.doorDevices(),
        s.core.doorGroups(),
      ]);
      return { items: places.items, devices: devices.items, groups: groups.items };
    },
  },
  {
    method: 'POST',
    path: '/passage/places',
    right: 'passage.manage',
    handle: (ctx, admin, s) => s.passage.createPlace(admin, parseBody(ctx, newPlace)),
  },
  {
    method: 'PATCH',
    path: '/passage/places/:id',
    right: 'passage.manage',
    handle: (ctx, admin, s) =>
      s.passage.changePlace(admin, parseValue(ctx.params, idPath).id, parseBody(ctx, placeChange)),
  },
  {
    method: 'PUT',
    path: '/passage/doors/:id/devices',
    right: 'passage.manage',
    handle: (ctx, admin, s) =>
      s.passage.setDoorDevice(admin, parseValue(ctx.params, idPath).id, parseBody(ctx, doorDevice)),
  },
  {
    method: 'DELETE',
    path: '/passage/devices/:deviceId',
    right: 'passage.manage',
    handle: (ctx, admin, s) => s.passage.removeDoorDevice(admin, parseValue(ctx.params, devicePath).deviceId),
  },
  {
    method: 'GET',
    path: '/passage/access-log',
    right: 'passage.log',
    handle: (ctx, _admin, s) => s.accessLog.page(parseValue({ ...ctx.query }, accessLogQuery)),
  },
  {
    method: 'GET',
    path: '/passage/access-log/export',
    right: 'passage.log',
    handle: (ctx, admin, s) => {
      const { format, ...q } = { ...ctx.query };
      return s.accessLog.export(
        admin,
        parseValue(q, accessLogQuery),
        parseValue({ format }, exportQuery).format,
      );
    },
  },
  {
    method: 'GET',
    path: '/passage/rules',
    right: 'passage.read',
    handle: (ctx, _admin, s) => s.core.passageRules(parseValue({ ...ctx.query }, rulesQuery).placeId),
  },
  {
    method: 'POST',
    path: '/passage/rules',
    right: 'passage.manage',
    handle: (ctx, admin, s) => s.passage.createRule(admin, parseBody(ctx, newRule)),
  },
  {
    method: 'DELETE',
    path: '/passage/rules/:id',
    right: 'passage.manage',
    handle: (ctx, admin, s) => s.passage.deleteRule(admin, parseValue(ctx.params, idPath).id),
  },
  {
    method: 'GET',
    path: '/passage/doors/:id/who',
    right: 'passage.read',
    handle: (ctx, _admin, s) =>
      s.core.whoCanPass(parseValue(ctx.params, idPath).id, parseValue({ ...ctx.query }, atQuery).atMs, 500),
  },
  {
    method: 'GET',
    path: '/passage/persons/:personNo/where',
    right: 'passage.read',
    handle: (ctx, _admin, s) =>
      s.core.whereCanPass(
        parseValue(ctx.params, z.object({ personNo })).personNo,
        parseValue({ ...ctx.query }, atQuery).atMs,
      ),
  },
  {
    method: 'POST',
    path: '/passage/places/:id/commands',
    right: 'passage.command',
    handle: (ctx, admin, s) =>
      s.passage.command(admin, parseValue(ctx.params, idPath).id, parseBody(ctx, doorCommand)),
  },
];
