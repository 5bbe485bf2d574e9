import Router from 'koa-router';
import { z } from 'zod';
import { cardNo, personNo } from '../contract/fields.ts';
import {
  accessLogQuery,
  calendarDays,
  decisionQuery,
  doorCommand,
  doorDevice,
  gateCheck,
  gateCheckAnswered,
  newDoorGroup,
  newPlace,
  newRule,
  passageId,
  personRole,
  placeChange,
  resident,
} from '../contract/passage.ts';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AccessLog } from './access-log.ts';
import type { GateChecks } from './gate-checks.ts';
import type { PassageService } from './passage-service.ts';

const idPath = z.object({ id: passageId });
const atQuery = z.object({
  atMs: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
const createdRule = z.strictObject({ rule: newRule, createdBy: z.string().min(1).max(64) });
const tableQuery = z.object({ have: z.coerce.number().int().min(0).max(0xffff_ffff).default(0) });
const devicePath = z.object({ deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/) });
/** The rules within a place (at it or under it), e.g. a campus's for its administrator. */
const rulesQuery = z.object({ placeId: passageId.optional() });
const passbackReset = z.strictObject({ personNo, areaId: passageId.nullable() });

/** Campus passage (docs/passage.md): for the backoffice (through the BFF), the gateways and the mini-program. */
export function passageRoutes(passage: PassageService, gateChecks: GateChecks, accessLog: AccessLog): Router {
  const router = new Router({ prefix: '/v1/passage' });
  router.get('/version', async (ctx) => {
    ctx.body = { version: await passage.version() };
  });
  router.get('/places', async (ctx) => {
    ctx.body = { items: await passage.places() };
  });
  router.post('/places', async (ctx) => {
    ctx.status = 201;
    ctx.body = await passage.createPlace(parseBody(ctx, newPlace));
  });
  router.patch('/places/:id', async (ctx) => {
    ctx.body = await passage.changePlace(parseValue(ctx.params, idPath).id, parseBody(ctx, placeChange));
  });
  router.put('/doors/:id/devices', async (ctx) => {
    await passage.setDoorDevice(parseValue(ctx.params, idPath).id, parseBody(ctx, doorDevice));
    ctx.body = { ok: true };
  });
  router.delete('/devices/:deviceId', async (ctx) => {
    await passage.removeDoorDevice(parseValue(ctx.params, devicePath).deviceId);
    ctx.body = { ok: true };
  });
  router.get('/door-devices', async (ctx) => {
    ctx.body = { items: await passage.doorDevices() };
  });
  router.get('/door-groups', async (ctx) => {
    ctx.body = { items: await passage.groups() };
  });
  router.post('/door-groups', async (ctx) => {
    ctx.status = 201;
    ctx.body = await passage.createGroup(parseBody(ctx, newDoorGroup));
  });
  router.get('/rules', async (ctx) => {
    ctx.body = { items: await passage.rules(parseValue(ctx.query, rulesQuery).placeId) };
  });
  router.post('/rules', async (ctx) => {
    const body = parseBody(ctx, createdRule);
    ctx.status = 201;
    ctx.body = await passage.createRule(body.rule, body.createdBy);
  });
  router.delete('/rules/:id', async (ctx) => {
    await passage.deleteRule(parseValue(ctx.params, idPath).id);
    ctx.body = { ok: true };
  });
  router.get('/calendar', async (ctx) => {
    ctx.body = await passage.calendar();
  });
  router.post('/calendar', async (ctx) => {
    const body = parseBody(ctx, calendarDays);
    await passage.setCalendarDays(body.kind, body.days, body.on);
    ctx.body = { ok: true };
  });
  router.put('/residents', async (ctx) => {
    const body = parseBody(ctx, resident);
    await passage.setResident(body.personNo, body.buildingId, body.room);
    ctx.body = { ok: true };
  });
  router.post('/roles', async (ctx) => {
    const body = parseBody(ctx, personRole);
    await passage.setRole(body.personNo, body.role, body.on);
    ctx.body = { ok: true };
  });
  // The gateway's online decision; { passage: null } when the device serves no door.
  router.post('/decisions', async (ctx) => {
    ctx.body = { passage: (await passage.decide(parseBody(ctx, decisionQuery))) ?? null };
  });
  // A gate's IDENTITY_CHECK: card, door rules and access event in one call.
  router.post('/gate-checks', async (ctx) => {
    ctx.body = await gateChecks.check(parseBody(ctx, gateCheck));
  });
  // The same IDENTITY_CHECK retried at another gateway: the answer recorded under (device, sequence), or null.
  router.post('/gate-checks/answer', async (ctx) => {
    const q = parseBody(ctx, gateCheckAnswered);
    ctx.body = { answer: await gateChecks.answered(q.deviceId, q.sequence) };
  });
  router.get('/devices/:deviceId/table', async (ctx) => {
    const { deviceId } = parseValue(ctx.params, devicePath);
    ctx.body = await passage.tableFor(deviceId, parseValue(ctx.query, tableQuery).have);
  });
  router.post('/places/:id/commands', async (ctx) => {
    const body = parseBody(ctx, doorCommand);
    ctx.body = await passage.command(
      parseValue(ctx.params, idPath).id,
      body.command,
      body.seconds ?? 0,
      body.reason,
    );
  });
  router.post('/passback-resets', async (ctx) => {
    const body = parseBody(ctx, passbackReset);
    ctx.body = { reset: await passage.resetPassback(body.personNo, body.areaId) };
  });
  router.get('/doors/:id/who', async (ctx) => {
    const q = parseValue(ctx.query, atQuery);
    ctx.body = {
      items: await passage.whoCanPass(parseValue(ctx.params, idPath).id, q.atMs ?? Date.now(), q.limit),
    };
  });
  router.get('/persons/:personNo/where', async (ctx) => {
    const q = parseValue(ctx.query, atQuery);
    const p = parseValue(ctx.params, z.object({ personNo }));
    ctx.body = { items: await passage.whereCanPass(p.personNo, q.atMs ?? Date.now()) };
  });
  router.get('/persons/:personNo/late-returns', async (ctx) => {
    const p = parseValue(ctx.params, z.object({ personNo }));
    ctx.body = { items: await passage.lateReturns(p.personNo) };
  });
  router.get('/buildings/:id/late-counts', async (ctx) => {
    const q = parseValue(
      ctx.query,
      z.object({ fromDay: z.coerce.number().int().min(0).max(200_000).default(0) }),
    );
    ctx.body = { items: await passage.lateCounts(parseValue(ctx.params, idPath).id, q.fromDay) };
  });
  router.get('/cards/:cardNo/rights', async (ctx) => {
    const q = parseValue(ctx.query, atQuery);
    const p = parseValue(ctx.params, z.object({ cardNo }));
    ctx.body = { items: await passage.rightsOfCard(p.cardNo, q.atMs ?? Date.now()) };
  });
  router.get('/access-log', async (ctx) => {
    ctx.body = { items: await accessLog.page(parseValue(ctx.query, accessLogQuery)) };
  });
  return router;
}
