import {
  centrePath,
  decideResolutionBody,
  kidPath,
  newCentre,
  proposeResolutionBody,
  revokeCentreKey,
  rotateCentreKey,
  rotateLinkSecretInput,
  settlementPath,
} from '@campus-card/core/contract';
import { type ZodType, z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute, AdminServices } from './routes.ts';

// Federation between card centres in the backoffice (docs/federation.md), all through the core's
// /v1/federation/… API, which appends every change to the audit chain with the admin who made it: the
// trust list (centres, their campus keys with rotation and revocation, suspending a centre's link) and
// the daily inter-centre settlement (reconcile a day with a centre, its exceptions, recording the net).
// The bodies are the core's own schemas without adminId, which is the signed-in admin's. A day's settlement
// carries both files' totals as the core read them: ours and the other centre's from its own file.
// An exception the core's job could not settle by asking again is resolved by two admins: one proposes
// (accept the other centre's line, or write it off at ours, with a reason), a second approves or rejects;
// the core refuses the maker deciding (MAKER_CANNOT_CHECK). A link's secret is rotated with an overlap
// (docs/federation.md § Link secret rotation): the new secret (agreed with the other centre, which enters
// the same one with the same times) signs from signFromMs, the old one is accepted until retireOldAtMs or
// until an admin retires it.

const centreBody = newCentre.omit({ adminId: true });
const rotateBody = rotateCentreKey.omit({ adminId: true });
const revokeBody = revokeCentreKey.omit({ adminId: true });
const statusBody = z.strictObject({ status: z.enum(['active', 'suspended']) });
const proposeBody = proposeResolutionBody.omit({ adminId: true });
const decideBody = decideResolutionBody.omit({ adminId: true });
const noBody = z.strictObject({});

type Change<B> = B & { adminId: string };

/** A change to the centre in the path: its id and the body, the signed-in admin added, passed to the core. */
function centreChange<B>(
  body: ZodType<B>,
  change: (s: AdminServices, id: string, input: Change<B>) => Promise<unknown>,
): AdminRoute['handle'] {
  return (ctx, admin, s) =>
    change(s, parseValue(ctx.params, centrePath).id, { ...parseBody(ctx, body), adminId: admin.adminId });
}

/** The same for a centre's settlement day; the answer is the day's settlement as the core has it now. */
function settlementChange<B>(
  body: ZodType<B>,
  change: (s: AdminServices, id: string, day: string, input: Change<B>) => Promise<unknown>,
): AdminRoute['handle'] {
  return async (ctx, admin, s) => {
    const { id, day } = parseValue(ctx.params, settlementPath);
    const input = { ...parseBody(ctx, body), adminId: admin.adminId };
    return { settlement: await change(s, id, day, input) };
  };
}

export const federationRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/federation/centres',
    right: 'federation.read',
    handle: (_ctx, _admin, s) => s.core.centres(),
  },
  {
    method: 'POST',
    path: '/federation/centres',
    right: 'federation.manage',
    handle: async (ctx, admin, s) => {
      const centre = await s.core.addCentre({ ...parseBody(ctx, centreBody), adminId: admin.adminId });
      ctx.status = 201;
      return centre;
    },
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/keys',
    right: 'federation.manage',
    handle: centreChange(rotateBody, (s, id, input) => s.core.rotateCentreKey(id, input)),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/status',
    right: 'federation.manage',
    handle: centreChange(statusBody, (s, id, input) =>
      s.core.setCentreStatus(id, input.status, input.adminId),
    ),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/link-secret',
    right: 'federation.manage',
    handle: centreChange(rotateLinkSecretInput, (s, id, input) => s.core.rotateLinkSecret(id, input)),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/link-secret/retire',
    right: 'federation.manage',
    handle: centreChange(noBody, (s, id, input) => s.core.retireLinkSecret(id, input.adminId)),
  },
  {
    method: 'POST',
    path: '/federation/keys/:kid/revoke',
    right: 'federation.manage',
    handle: (ctx, admin, s) =>
      s.core.revokeCentreKey(parseValue(ctx.params, kidPath).kid, {
        ...parseBody(ctx, revokeBody),
        adminId: admin.adminId,
      }),
  },
  {
    // Is the link up now, and its round trip: a signed ping over it (changes nothing).
    method: 'POST',
    path: '/federation/centres/:id/link-check',
    right: 'federation.read',
    handle: (ctx, _admin, s) => s.core.checkCentreLink(parseValue(ctx.params, centrePath).id),
  },
  {
    method: 'GET',
    path: '/federation/centres/:id/settlements/:day',
    right: 'federation.read',
    handle: async (ctx, _admin, s) => {
      const { id, day } = parseValue(ctx.params, settlementPath);
      try {
        return { settlement: await s.core.centreSettlement(id, day) };
      } catch (error) {
        // A day not reconciled yet is a state the page shows, not a failure.
        if ((error as { code?: string }).code === 'NOT_FOUND') return { settlement: null };
        throw error;
      }
    },
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/reconcile',
    right: 'federation.settle',
    handle: settlementChange(noBody, (s, id, day) => s.core.reconcileCentreDay(id, day)),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/exceptions/propose',
    right: 'federation.settle',
    handle: settlementChange(proposeBody, (s, id, day, input) => s.core.proposeResolution(id, day, input)),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/exceptions/decide',
    right: 'federation.settle',
    handle: settlementChange(decideBody, (s, id, day, input) => s.core.decideResolution(id, day, input)),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/net',
    right: 'federation.settle',
    handle: settlementChange(noBody, (s, id, day, input) => s.core.recordCentreNet(id, day, input.adminId)),
  },
];
