import type { Context, Next } from 'koa';
import Router from 'koa-router';
import { z } from 'zod';
import { blacklistChangesQuerySchema } from '../contract/devices.ts';
import {
  centrePath,
  centreStatusBody,
  decideResolutionBody,
  foreignPaymentRequest,
  kidPath,
  linkForwardRequest,
  linkPaymentRequest,
  lookupPath,
  newCentre,
  proposeResolutionBody,
  recordNetBody,
  revokeCentreKey,
  rotateCentreKey,
  settlementDayPath,
  settlementPath,
} from '../contract/federation.ts';
import type { ReplayGuard } from '../credential/replay-guard.ts';
import { CoreError } from '../errors.ts';
import { parseBody, parseValue, rawBody, serviceAuth, serviceAuthBeforeBody } from '../http/middleware.ts';
import { signatureHeaders } from '../http/signature.ts';
import type { FederationBlacklists } from './federation-blacklist.ts';
import type { FederationForwards } from './federation-forwards.ts';
import type { FederationPayments } from './federation-payments.ts';
import type { FederationSettlement } from './federation-settlement.ts';
import type { LinkChecks } from './link-checks.ts';
import { secretSigning } from './link-secrets.ts';
import type { LostAnswers } from './lost-answers.ts';
import type { TrustList } from './trust-list.ts';

/** The federation's services as the routes need them. */
export interface FederationServices {
  trust: TrustList;
  payments: FederationPayments;
  settlement: FederationSettlement;
  blacklists: FederationBlacklists;
  forwards: FederationForwards;
  linkChecks: LinkChecks;
  lostAnswers: LostAnswers;
}

/** The trust list for the backoffice (through the BFF) and the gateway, and foreign cards' payments. */
export function federationRoutes({
  trust,
  payments,
  settlement,
  blacklists,
  forwards,
  linkChecks,
}: FederationServices): Router {
  const router = new Router({ prefix: '/v1/federation' });
  router.get('/centres', async (ctx) => {
    ctx.body = { items: await trust.list() };
  });
  router.post('/centres', async (ctx) => {
    ctx.status = 201;
    ctx.body = await trust.add(parseBody(ctx, newCentre));
  });
  router.get('/centres/:id', async (ctx) => {
    ctx.body = await trust.get(parseValue(ctx.params, centrePath).id);
  });
  router.post('/centres/:id/keys', async (ctx) => {
    const { id } = parseValue(ctx.params, centrePath);
    ctx.body = await trust.rotate(id, parseBody(ctx, rotateCentreKey));
  });
  router.post('/centres/:id/status', async (ctx) => {
    const { id } = parseValue(ctx.params, centrePath);
    ctx.body = await trust.setStatus(id, parseBody(ctx, centreStatusBody));
  });
  router.post('/keys/:kid/revoke', async (ctx) => {
    const { kid } = parseValue(ctx.params, kidPath);
    ctx.body = await trust.revoke(kid, parseBody(ctx, revokeCentreKey));
  });
  // What the gateways trust besides their own campus keys.
  router.get('/keys', async (ctx) => {
    ctx.body = await trust.trustedKeys();
  });
  // For the gateways: a trusted centre's blacklist, asked of it over the link (its versions, its cards).
  router.get('/centres/:id/blacklist', async (ctx) => {
    ctx.body = await blacklists.snapshotOf(parseValue(ctx.params, centrePath).id);
  });
  router.get('/centres/:id/blacklist/changes', async (ctx) => {
    const { id } = parseValue(ctx.params, centrePath);
    const q = parseValue(ctx.query, blacklistChangesQuerySchema);
    ctx.body = await blacklists.changesOf(id, q.since, q.limit);
  });
  // The daily inter-centre settlement: reconcile a day with a centre, read it, record its net as paid.
  router.post('/centres/:id/settlements/:day/reconcile', async (ctx) => {
    const { id, day } = parseValue(ctx.params, settlementPath);
    ctx.body = await settlement.reconcile(id, day);
  });
  router.get('/centres/:id/settlements/:day', async (ctx) => {
    const { id, day } = parseValue(ctx.params, settlementPath);
    ctx.body = await settlement.get(id, day);
  });
  // An exception settled by hand: a resolution proposed by one admin, approved or rejected by another.
  router.post('/centres/:id/settlements/:day/exceptions/propose', async (ctx) => {
    const { id, day } = parseValue(ctx.params, settlementPath);
    ctx.body = await settlement.propose(id, day, parseBody(ctx, proposeResolutionBody));
  });
  router.post('/centres/:id/settlements/:day/exceptions/decide', async (ctx) => {
    const { id, day } = parseValue(ctx.params, settlementPath);
    ctx.body = await settlement.decide(id, day, parseBody(ctx, decideResolutionBody));
  });
  router.post('/centres/:id/settlements/:day/net', async (ctx) => {
    const { id, day } = parseValue(ctx.params, settlementPath);
    ctx.body = await settlement.recordNet(id, day, parseBody(ctx, recordNetBody).adminId);
  });
  router.post('/payments', async (ctx) => {
    ctx.body = await payments.payForeign(parseBody(ctx, foreignPaymentRequest));
  });
  // Is the link to a centre up now: a signed ping over it, and its round trip; the last ones checked here.
  router.post('/centres/:id/link-check', async (ctx) => {
    ctx.body = await linkChecks.check(parseValue(ctx.params, centrePath).id);
  });
  router.get('/link-checks', async (ctx) => {
    ctx.body = { items: linkChecks.list() };
  });
  // Other centres' cards taken under their offline policies, by state (pending: not yet answered).
  router.get('/forwards', async (ctx) => {
    const { status } = parseValue(ctx.query, forwardsQuery);
    ctx.body = { items: await forwards.list(status) };
  });
  return router;
}

const forwardsQuery = z.object({ status: z.enum(['pending', 'accepted', 'refused']).default('pending') });

const linkBodyBytesMax = 16 * 1024;

/**
 * The federation link (`/federation/…`): requests from trusted centres, signed as the core's service
 * requests are, with the centre id as key id and the link secret from the trust list (so a centre added,
 * suspended or re-keyed counts within a second on every instance). Other paths go on to the service API.
 */
export function federationLink(
  { trust, payments, settlement, blacklists, forwards, linkChecks, lostAnswers }: FederationServices,
  nonces: ReplayGuard,
) {
  const router = new Router({ prefix: '/federation/v1' });
  router.post('/payments', async (ctx) => {
    ctx.body = await payments.authorise(ctx.state.caller as string, parseBody(ctx, linkPaymentRequest));
  });
  // What we answered the asking centre's payment of that id, if we had it: its lost answer asked again.
  router.get('/payments/:id', async (ctx) => {
    ctx.body = await lostAnswers.lookup(ctx.state.caller as string, parseValue(ctx.params, lookupPath).id);
  });
  // A link check from the other side: our id, signed back over the link.
  router.get('/ping', async (ctx) => {
    ctx.body = linkChecks.answer();
  });
  // Our offline policy for our cards at the asking centre, and the payments it took under it.
  router.get('/offline-policy', async (ctx) => {
    ctx.body = forwards.policy();
  });
  router.post('/forwards', async (ctx) => {
    ctx.body = await forwards.receive(ctx.state.caller as string, parseBody(ctx, linkForwardRequest));
  });
  router.get('/settlement/:day', async (ctx) => {
    ctx.body = await settlement.file(
      ctx.state.caller as string,
      parseValue(ctx.params, settlementDayPath).day,
    );
  });
  // Our blacklist for the centres that take our cards, as our own gateways get it.
  router.get('/blacklist', async (ctx) => {
    ctx.body = await blacklists.ownSnapshot();
  });
  router.get('/blacklist/changes', async (ctx) => {
    const q = parseValue(ctx.query, blacklistChangesQuerySchema);
    ctx.body = await blacklists.ownChanges(q.since, q.limit);
  });
  const routes = router.routes();
  const body = rawBody(linkBodyBytesMax);
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/federation/')) return next();
    const centreId = ctx.get(signatureHeaders.keyId);
    // During a link secret rotation two secrets are accepted: the one this request was signed with.
    const accepted = /^[A-Z][A-Z0-9]{1,15}$/.test(centreId) ? await trust.linkSecrets(centreId) : [];
    const secret = secretSigning(ctx, accepted);
    if (secret === undefined) throw new CoreError('UNAUTHENTICATED', 'this link needs a trusted centre');
    const keys = new Map([[centreId, secret]]);
    const unmatched = async () => {
      throw new CoreError('NOT_FOUND', 'no such route');
    };
    await serviceAuthBeforeBody(keys)(ctx, () =>
      body(ctx, () => serviceAuth(keys, nonces)(ctx, () => routes(ctx as never, unmatched))),
    );
  };
}
