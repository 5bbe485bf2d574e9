import Router from 'koa-router';
import { z } from 'zod';
import type { CampusService } from '../../campuses/campus-service.ts';
import {
  attendanceAnsweredSchema,
  attendanceSessionSchema,
  attendanceSignInSchema,
} from '../../contract/attendance.ts';
import { campusId } from '../../contract/campuses.ts';
import { accessEventSchema, offlineUploadSchema } from '../../contract/device-records.ts';
import { offlineResolutionSchema } from '../../contract/devices.ts';
import { cardNo, deviceNo, rowId } from '../../contract/fields.ts';
import type { AccessEvents } from '../../devices/access-events.ts';
import type { AttendanceService } from '../../devices/attendance-service.ts';
import type { OfflineRecords } from '../../devices/offline-records.ts';
import type { OfflineResolutions } from '../../devices/offline-resolutions.ts';
import { parseBody, parseValue } from '../middleware.ts';

const deviceId = deviceNo;
const cardPath = z.object({ cardNo });
const page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeAtMs: z.coerce.number().int().nonnegative().optional(),
});

/**
 * What devices record through the gateway: offline uploads and their exceptions, access events and
 * attendance; and the per-card lists the BFF shows.
 */
export function deviceRecordRoutes(
  offline: OfflineRecords,
  access: AccessEvents,
  attendance: AttendanceService,
  resolutions: OfflineResolutions,
  campuses: CampusService,
): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/devices/:deviceId/offline-records', async (ctx) => {
    const { deviceId: id } = parseValue(ctx.params, z.object({ deviceId }));
    ctx.body = await offline.upload(id, parseBody(ctx, offlineUploadSchema).records);
  });
  router.get('/offline-exceptions', async (ctx) => {
    const q = parseValue(
      ctx.query,
      z.object({
        status: z.enum(['open', 'closed']).default('open'),
        limit: z.coerce.number().int().min(1).max(100).default(50),
        beforeAtMs: z.coerce.number().int().nonnegative().optional(),
        beforeId: rowId.optional(),
        /** One campus's: the exceptions of the devices whose campus it is (docs/campuses.md). */
        campusId: campusId.optional(),
      }),
    );
    const before =
      q.beforeAtMs !== undefined && q.beforeId !== undefined
        ? { atMs: q.beforeAtMs, id: q.beforeId }
        : undefined;
    const devices = q.campusId === undefined ? undefined : (await campuses.scope(q.campusId)).deviceIds;
    ctx.body = { items: await resolutions.list(q.status, q.limit, before, devices) };
  });
  // Recover, write off or dismiss an open exception (once; a retried request answers the same).
  router.post('/offline-exceptions/:id/resolve', async (ctx) => {
    const { id } = parseValue(ctx.params, z.object({ id: rowId }));
    ctx.body = await resolutions.resolve(id, parseBody(ctx, offlineResolutionSchema));
  });
  router.post('/access-events', async (ctx) => {
    ctx.body = { recorded: await access.record(parseBody(ctx, accessEventSchema)) };
  });
  router.get('/cards/:cardNo/access-events', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const q = parseValue(ctx.query, page);
    ctx.body = { items: await access.of(no, q.limit, q.beforeAtMs) };
  });
  router.put('/attendance/sessions', async (ctx) => {
    await attendance.putSession(parseBody(ctx, attendanceSessionSchema));
    ctx.status = 204;
  });
  router.post('/attendance/sign-ins', async (ctx) => {
    ctx.body = await attendance.signIn(parseBody(ctx, attendanceSignInSchema));
  });
  router.post('/attendance/sign-ins/answer', async (ctx) => {
    const q = parseBody(ctx, attendanceAnsweredSchema);
    ctx.body = { answer: await attendance.answered(q, q.withSeat) };
  });
  router.get('/cards/:cardNo/attendance', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const q = parseValue(ctx.query, page);
    ctx.body = { items: await attendance.recordsOf(no, q.limit, q.beforeAtMs) };
  });
  return router;
}
