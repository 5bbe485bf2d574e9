import Router from 'koa-router';
import { z } from 'zod';
import { attendanceSessionId, deviceRef } from '../../contract/fields.ts';
import { newMeetingSchema } from '../../contract/meetings.ts';
import type { MeetingService } from '../../meetings/meeting-service.ts';
import { parseBody, parseValue } from '../middleware.ts';

const idParam = z.object({ id: attendanceSessionId });
const ms = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Meetings and exams (docs/visitors-meetings-bus.md): made in the backoffice, boards, readers' sessions. */
export function meetingRoutes(meetings: MeetingService): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/meetings', async (ctx) => {
    ctx.body = await meetings.create(parseBody(ctx, newMeetingSchema));
  });
  router.get('/meetings', async (ctx) => {
    const q = parseValue(ctx.query, z.object({ fromMs: ms, toMs: ms }));
    ctx.body = { items: await meetings.between(q.fromMs, q.toMs) };
  });
  router.get('/meetings/:id', async (ctx) => {
    ctx.body = await meetings.get(parseValue(ctx.params, idParam).id);
  });
  router.get('/meetings/:id/board', async (ctx) => {
    const { atMs } = parseValue(ctx.query, z.object({ atMs: ms.optional() }));
    ctx.body = await meetings.board(parseValue(ctx.params, idParam).id, atMs ?? Date.now());
  });
  router.post('/meetings/:id/notices', async (ctx) => {
    parseBody(ctx, z.strictObject({}));
    ctx.body = await meetings.sendNotices(parseValue(ctx.params, idParam).id, Date.now());
  });
  router.get('/devices/:deviceId/current-meeting', async (ctx) => {
    const { deviceId } = parseValue(ctx.params, z.object({ deviceId: deviceRef }));
    ctx.body = { meeting: await meetings.forReader(deviceId, Date.now()) };
  });
  return router;
}
