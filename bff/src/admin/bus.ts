import {
  busRouteEditSchema,
  busRunEditSchema,
  day,
  newBusRouteSchema,
  newBusRunSchema,
  rowId,
} from '@campus-card/core/contract';
import { daysBoundsMs } from '@campus-card/core/time';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// 校车管理 for the transport office (docs/visitors-meetings-bus.md): routes with their stops and fare,
// timetabled runs with booked and boarded counts, a run's rides, the no-shows; routes and runs made,
// changed and cancelled by those holding bus.manage, each change audited.

const idPath = z.object({ id: rowId });
const daysQuery = z.object({ from: day, to: day });

export const busRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/bus/routes',
    right: 'bus.read',
    handle: (_ctx, _admin, s) => s.core.busRoutes(),
  },
  {
    method: 'POST',
    path: '/bus/routes',
    right: 'bus.manage',
    handle: async (ctx, admin, s) => {
      const route = await s.core.addBusRoute(parseBody(ctx, newBusRouteSchema));
      await s.audit.record(admin, 'bus.route_create', 'bus_route', route.id, {
        name: route.name,
        stops: route.stops.length,
        fareFen: route.fareFen,
      });
      return route;
    },
  },
  {
    method: 'PUT',
    path: '/bus/routes/:id',
    right: 'bus.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const route = await s.core.editBusRoute(id, parseBody(ctx, busRouteEditSchema));
      await s.audit.record(admin, 'bus.route_edit', 'bus_route', id, {
        name: route.name,
        stops: route.stops.length,
        fareFen: route.fareFen,
      });
      return route;
    },
  },
  {
    method: 'GET',
    path: '/bus/runs',
    right: 'bus.read',
    handle: (ctx, _admin, s) => {
      const { from, to } = parseValue({ ...ctx.query }, daysQuery);
      const { startMs, endMs } = daysBoundsMs(from, to);
      return s.core.busRuns(startMs, endMs);
    },
  },
  {
    method: 'POST',
    path: '/bus/runs',
    right: 'bus.manage',
    handle: async (ctx, admin, s) => {
      const run = await s.core.addBusRun(parseBody(ctx, newBusRunSchema));
      await s.audit.record(admin, 'bus.run_create', 'bus_run', run.id, {
        routeId: run.routeId,
        departsAtMs: run.departsAtMs,
        seats: run.seats,
      });
      return run;
    },
  },
  {
    method: 'PUT',
    path: '/bus/runs/:id',
    right: 'bus.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const run = await s.core.editBusRun(id, parseBody(ctx, busRunEditSchema));
      await s.audit.record(admin, 'bus.run_edit', 'bus_run', id, {
        departsAtMs: run.departsAtMs,
        seats: run.seats,
      });
      return run;
    },
  },
  {
    method: 'POST',
    path: '/bus/runs/:id/cancel',
    right: 'bus.manage',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const cancelled = await s.core.cancelBusRun(id);
      await s.audit.record(admin, 'bus.run_cancel', 'bus_run', id, { told: cancelled.told });
      return cancelled;
    },
  },
  {
    method: 'GET',
    path: '/bus/runs/:id',
    right: 'bus.read',
    handle: async (ctx, _admin, s) => {
      const { id } = parseValue(ctx.params, idPath);
      const [run, counts, rides] = await Promise.all([
        s.core.busRun(id),
        s.core.busRunCounts(id),
        s.core.busRides(id),
      ]);
      return { run, counts, rides: rides.items };
    },
  },
  {
    method: 'GET',
    path: '/bus/no-shows',
    right: 'bus.read',
    handle: (ctx, _admin, s) => {
      const { from, to } = parseValue({ ...ctx.query }, daysQuery);
      const { startMs, endMs } = daysBoundsMs(from, to);
      return s.core.busNoShows(startMs, endMs);
    },
  },
];
