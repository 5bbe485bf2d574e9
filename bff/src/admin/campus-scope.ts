import {
  type Audience,
  type AudienceOptions,
  type CampusScope,
  campusReports,
  type ReportName,
} from '@campus-card/core/contract';
import type { Context } from 'koa';
import { BffError } from '../errors.ts';
import type { AdminSession } from './admin-sessions.ts';
import type { AdminRoute, AdminServices } from './routes.ts';
import { campusOf } from './services/campus-admin.ts';

// A campus administrator (an account scoped to one campus, docs/campuses.md) sees and changes only
// that campus's merchants, devices, places, passage rules and access log, settlement rows, reports,
// dashboard, offline exceptions, and the news and courses for that campus. The rule is enforced here, by
// the API, for every route that reaches one of them: the table below names each such route and what
// it does for a scoped admin (refuse what is another campus's with CAMPUS_FORBIDDEN, narrow a query to
// the campus, or filter a list). Routes not named are unchanged (a card works on every campus).
// bff/test/admin-campus-scope.test.ts checks every such route is named.

interface Guard {
  /** Before the handler: refuse, or narrow the request to the campus. */
  before?(ctx: Context, campusId: string, s: AdminServices): Promise<void>;
  /** After it: narrow the answer (a list) to the campus. */
  after?(ctx: Context, answer: unknown, campusId: string, s: AdminServices): Promise<unknown>;
}

const refuse = (what: string): never => {
  throw new BffError('CAMPUS_FORBIDDEN', `${what} is not of your campus`);
};

/** The campus's places, merchants and devices, read once per request. */
async function scopeOf(ctx: Context, campusId: string, s: AdminServices): Promise<CampusScope> {
  const known = ctx.state.campusScope as CampusScope | undefined;
  if (known?.campusId === campusId) return known;
  const scope = await s.campuses.scope(campusId);
  ctx.state.campusScope = scope;
  return scope;
}

/** The request's JSON body as sent (the handler parses it again with its own schema). */
function bodyOf(ctx: Context): Record<string, unknown> {
  try {
    const raw = ctx.state.rawBody as Buffer | undefined;
    const json: unknown = raw && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const param = (ctx: Context, name: string): string => String(ctx.params[name] ?? '');

const inScope = (kind: keyof Omit<CampusScope, 'campusId'>, paramName: string, what: string): Guard => ({
  async before(ctx, campusId, s) {
    const scope = await scopeOf(ctx, campusId, s);
    if (!scope[kind].includes(param(ctx, paramName))) refuse(what);
  },
});
const merchantParam = inScope('merchantIds', 'id', 'the merchant');
const deviceParam = inScope('deviceIds', 'deviceId', 'the device');
const placeParam = inScope('placeIds', 'id', 'the place');

/** Centre-wide data or decisions: not for a campus administrator. */
const centreOnly: Guard = {
  async before() {
    refuse('this centre-wide page');
  },
};

/** The core narrows the answer to the campus given as ?campusId=, whatever the request said. */
const narrowQuery: Guard = {
  async before(ctx, campusId) {
    ctx.query = { ...ctx.query, campusId };
  },
};

/** A new merchant or device must name the admin's own campus (never centre-wide, never another). */
const ownCampusInBody: Guard = {
  async before(ctx, campusId) {
    if (bodyOf(ctx).campusId !== campusId) refuse('a merchant or device outside your campus');
  },
};

/** Lists of `{ items }` whose rows carry campusId: only the campus's rows. */
const ownRows: Guard = {
  async after(_ctx, answer, campusId) {
    const list = answer as { items: { campusId?: string | null }[] };
    return { ...list, items: list.items.filter((row) => row.campusId === campusId) };
  },
};

/** The devices list: the campus's devices, and only its merchants to register a new one to. */
const ownDevices: Guard = {
  async after(ctx, answer, campusId, s) {
    const list = (await ownRows.after?.(ctx, answer, campusId, s)) as {
      merchants?: { campusId?: string | null }[];
    };
    return { ...list, merchants: (list.merchants ?? []).filter((m) => m.campusId === campusId) };
  },
};

/** The backoffice's report names (funds.ts) as the core names them. */
const reportsByPath: Record<string, ReportName> = {
  'turnover-daily': 'turnover/daily',
  'turnover-merchants': 'turnover/merchants',
  'turnover-categories': 'turnover/categories',
  'peak-hours': 'peak-hours',
};

const campusReport: Guard = {
  async before(ctx, campusId) {
    const name = reportsByPath[param(ctx, 'name')];
    // Reports of the whole centre (top-up channels, devices, attendance, every campus side by side).
    if (name === undefined || !campusReports.includes(name)) refuse('this centre-wide report');
    ctx.query = { ...ctx.query, campusId };
  },
};

/** The place tree, its door devices: only the campus's subtree. */
const ownPlaces: Guard = {
  async after(ctx, answer, campusId, s) {
    const scope = await scopeOf(ctx, campusId, s);
    const places = new Set(scope.placeIds);
    const list = answer as { items: { id: string }[]; devices: { doorId: string }[] };
    return {
      ...list,
      items: list.items.filter((p) => places.has(p.id)),
      devices: list.devices.filter((d) => places.has(d.doorId)),
    };
  },
};

/** A new place goes under one of the campus's places (a campus admin makes no new campus root). */
const parentInScope: Guard = {
  async before(ctx, campusId, s) {
    const parentId = bodyOf(ctx).parentId;
    const scope = await scopeOf(ctx, campusId, s);
    if (typeof parentId !== 'string' || !scope.placeIds.includes(parentId)) refuse('the parent place');
  },
};

/** A door of the campus, given a device of the campus (binding another's would move it here). */
const doorAndDevice: Guard = {
  async before(ctx, campusId, s) {
    const scope = await scopeOf(ctx, campusId, s);
    if (!scope.placeIds.includes(param(ctx, 'id'))) refuse('the door');
    if (!scope.deviceIds.includes(String(bodyOf(ctx).deviceId))) refuse('the device');
  },
};

/** The campus's root place (its place tree, linked in docs/campuses.md); none linked: nothing to reach. */
async function campusPlace(s: AdminServices, campusId: string): Promise<string> {
  const campus = (await s.campuses.list()).items.find((c) => c.id === campusId);
  return campus?.placeId ?? refuse('a campus without places');
}

/**
 * The access log and the passage rules: within a place of the campus if one is asked for, else within
 * the campus's root place; the core filters by it (everything at or under that place).
 */
const withinCampusPlace: Guard = {
  async before(ctx, campusId, s) {
    const asked = ctx.query.placeId;
    if (asked === undefined || asked === '') {
      ctx.query = { ...ctx.query, placeId: await campusPlace(s, campusId) };
      return;
    }
    if (!(await scopeOf(ctx, campusId, s)).placeIds.includes(String(asked))) refuse('the place');
  },
};

/** A new rule for a place of the campus, or a door group whose doors all are. */
const ruleInScope: Guard = {
  async before(ctx, campusId, s) {
    const where = bodyOf(ctx).where as { kind?: unknown; id?: unknown } | undefined;
    const places = (await scopeOf(ctx, campusId, s)).placeIds;
    if (where?.kind === 'door_group') {
      const group = (await s.core.doorGroups()).items.find((g) => g.id === where.id);
      if (!group || group.doorIds.length === 0 || !group.doorIds.every((d) => places.includes(d)))
        refuse('the door group');
    } else if (!places.includes(String(where?.id))) refuse('the place');
  },
};

/** Deleting one of the campus's rules (as the core lists them within the campus's place). */
const ownRule: Guard = {
  async before(ctx, campusId, s) {
    const rules = await s.core.passageRules(await campusPlace(s, campusId));
    if (!rules.items.some((r) => r.id === param(ctx, 'id'))) refuse('the rule');
  },
};

/** The audience that names the admin's own campus: the only one a campus admin may publish to. */
const ownAudience = (audience: unknown, campusId: string): boolean => {
  const a = audience as Partial<Audience> | undefined;
  return a?.type === 'campus' && 'value' in a && a.value === campusId;
};

/** A new news item or course is for the admin's own campus. */
const ownAudienceInBody: Guard = {
  async before(ctx, campusId) {
    if (!ownAudience(bodyOf(ctx).audience, campusId)) refuse('an audience outside your campus');
  },
};

/** Lists of news or courses: only those for the admin's own campus. */
const ownAudienceRows: Guard = {
  async after(_ctx, answer, campusId) {
    const list = answer as { items: { audience: unknown }[] };
    return { ...list, items: list.items.filter((row) => ownAudience(row.audience, campusId)) };
  },
};

/** An edit of a news item or course for the admin's own campus, that keeps it there. */
const ownItem = (
  items: (s: AdminServices) => Promise<{ items: { id: string; audience: unknown }[] }>,
): Guard => ({
  async before(ctx, campusId, s) {
    const item = (await items(s)).items.find((i) => i.id === param(ctx, 'id'));
    const audience = bodyOf(ctx).audience;
    if (!item || !ownAudience(item.audience, campusId)) refuse('the item');
    if (audience !== undefined && !ownAudience(audience, campusId)) refuse('an audience outside your campus');
  },
});
const ownNews = ownItem((s) => s.content.news());
const ownCourse = ownItem((s) => s.content.courses());

/** A lesson of a course for the admin's own campus. */
const ownLesson: Guard = {
  async before(ctx, campusId, s) {
    const lessonId = param(ctx, 'id');
    const course = (await s.content.courses()).items.find((c) => c.lessons.some((l) => l.id === lessonId));
    if (!course || !ownAudience(course.audience, campusId)) refuse('the lesson');
  },
};

/** The targeting picker: the admin's own campus alone (the other kinds are not theirs to send to). */
const ownAudienceOptions: Guard = {
  async after(_ctx, answer, campusId) {
    const options = answer as AudienceOptions;
    return {
      departments: [],
      classes: [],
      grades: [],
      campuses: options.campuses.filter((c) => c.value === campusId),
    };
  },
};

/** How many an audience reaches: only the admin's own campus may be asked. */
const ownAudienceInQuery: Guard = {
  async before(ctx, campusId) {
    if (!ownAudience({ ...ctx.query }, campusId)) refuse('an audience outside your campus');
  },
};

/**
 * Every route that reaches a merchant, device, place, settlement row, report, news item, course, the
 * dashboard or an offline exception, by "METHOD path".
 */
export const campusGuards: Readonly<Record<string, Guard>> = {
  'GET /merchants': ownRows,
  'POST /merchants': ownCampusInBody,
  'POST /merchants/:id/status': merchantParam,
  'GET /merchants/:id/statements/:day': merchantParam,
  // A canteen window's capacity (the app's canteen levels): a campus admin sets their own campus's only.
  'PUT /window-capacities/:id': merchantParam,
  'PUT /merchants/:id/campus': centreOnly,
  'POST /settlements/:day': narrowQuery,
  'GET /settlements/:day': narrowQuery,
  'GET /top-up-mismatches': centreOnly,
  'GET /devices': ownDevices,
  'POST /devices': ownCampusInBody,
  'POST /devices/:deviceId/key': deviceParam,
  'POST /devices/:deviceId/status': deviceParam,
  'GET /devices/:deviceId/config': deviceParam,
  'PUT /devices/:deviceId/config': deviceParam,
  'PUT /devices/:deviceId/campus': centreOnly,
  'GET /reports/:name': campusReport,
  'GET /passage/places': ownPlaces,
  'POST /passage/places': parentInScope,
  'PATCH /passage/places/:id': placeParam,
  'PUT /passage/doors/:id/devices': doorAndDevice,
  'DELETE /passage/devices/:deviceId': deviceParam,
  'GET /passage/doors/:id/who': placeParam,
  'POST /passage/places/:id/commands': placeParam,
  'GET /passage/rules': withinCampusPlace,
  'POST /passage/rules': ruleInScope,
  'DELETE /passage/rules/:id': ownRule,
  'GET /passage/access-log': withinCampusPlace,
  'GET /passage/access-log/export': withinCampusPlace,
  'POST /campuses': centreOnly,
  'PUT /campuses/:id/place': centreOnly,
  'GET /dashboard': narrowQuery,
  'GET /offline-exceptions': narrowQuery,
  // Recovering or writing off moves money on the card, which is the centre's (as refunds are).
  'POST /offline-exceptions/:id/resolve': centreOnly,
  'GET /content/audiences': ownAudienceOptions,
  'GET /content/audience-count': ownAudienceInQuery,
  'GET /news': ownAudienceRows,
  'POST /news': ownAudienceInBody,
  'PATCH /news/:id': ownNews,
  'POST /news/:id/withdraw': ownNews,
  'GET /courses': ownAudienceRows,
  'POST /courses': ownAudienceInBody,
  'PATCH /courses/:id': ownCourse,
  'POST /courses/:id/lessons': ownCourse,
  'PATCH /lessons/:id': ownLesson,
  'DELETE /lessons/:id': ownLesson,
  // Federation (docs/federation.md): the trust list and the inter-centre settlement are the centre's.
  'GET /federation/centres': centreOnly,
  'POST /federation/centres': centreOnly,
  'POST /federation/centres/:id/keys': centreOnly,
  'POST /federation/centres/:id/status': centreOnly,
  'POST /federation/centres/:id/link-secret': centreOnly,
  'POST /federation/centres/:id/link-secret/retire': centreOnly,
  'POST /federation/keys/:kid/revoke': centreOnly,
  'GET /federation/centres/:id/settlements/:day': centreOnly,
  'POST /federation/centres/:id/settlements/:day/reconcile': centreOnly,
  'POST /federation/centres/:id/settlements/:day/net': centreOnly,
};

/**
 * Runs a route's handler within the admin's campus: unchanged for a centre-wide admin or a route the
 * table does not name.
 */
export async function withinCampus(
  route: AdminRoute,
  ctx: Context,
  admin: AdminSession,
  s: AdminServices,
  handle: () => Promise<unknown>,
): Promise<unknown> {
  const campusId = campusOf(admin);
  const guard = campusId === null ? undefined : campusGuards[`${route.method} ${route.path}`];
  if (campusId === null || guard === undefined) return handle();
  await guard.before?.(ctx, campusId, s);
  const answer = await handle();
  return guard.after ? guard.after(ctx, answer, campusId, s) : answer;
}
