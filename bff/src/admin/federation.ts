import {
  centrePath,
  decideResolutionBody,
  kidPath,
  newCentre,
  proposeResolutionBody,
  revokeCentreKey,
  rotateCentreKey,
  settlementPath,
} from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Federation between card centres in the backoffice (docs/federation.md), all through the core's
// /v1/federation/… API, which appends every change to the audit chain with the admin who made it: the
// trust list (centres, their campus keys with rotation and revocation, suspending a centre's link) and
// the daily inter-centre settlement (reconcile a day with a centre, its exceptions, recording the net).
// The bodies are the core's own schemas without adminId, which is the signed-in admin's. A day's settlement
// carries both files' totals as the core read them: ours and the other centre's from its own file.
// An exception the core's job could not settle by asking again is resolved by two admins: one proposes
// (accept the other centre's line, or write it off at ours, with a reason), a second approves or rejects;
// the core refuses the maker deciding (MAKER_CANNOT_CHECK).

const centreBody = newCentre.omit({ adminId: true });
const rotateBody = rotateCentreKey.omit({ adminId: true });
const revokeBody = revokeCentreKey.omit({ adminId: true });
const statusBody = z.strictObject({ status: z.enum(['active', 'suspended']) });
const proposeBody = proposeResolutionBody.omit({ adminId: true });
const decideBody = decideResolutionBody.omit({ adminId: true });

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
    handle: (ctx, admin, s) =>
      s.core.rotateCentreKey(parseValue(ctx.params, centrePath).id, {
        ...parseBody(ctx, rotateBody),
        adminId: admin.adminId,
      }),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/status',
    right: 'federation.manage',
    handle: (ctx, admin, s) =>
      s.core.setCentreStatus(
        parseValue(ctx.params, centrePath).id,
        parseBody(ctx, statusBody).status,
        admin.adminId,
      ),
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
    handle: async (ctx, _admin, s) => {
      const { id, day } = parseValue(ctx.params, settlementPath);
      return { settlement: await s.core.reconcileCentreDay(id, day) };
    },
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/exceptions/propose',
    right: 'federation.settle',
    handle: async (ctx, admin, s) => {
      const { id, day } = parseValue(ctx.params, settlementPath);
      const body = parseBody(ctx, proposeBody);
      return { settlement: await s.core.proposeResolution(id, day, { ...body, adminId: admin.adminId }) };
    },
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/exceptions/decide',
    right: 'federation.settle',
    handle: async (ctx, admin, s) => {
      const { id, day } = parseValue(ctx.params, settlementPath);
      const body = parseBody(ctx, decideBody);
      return { settlement: await s.core.decideResolution(id, day, { ...body, adminId: admin.adminId }) };
    },
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/settlements/:day/net',
    right: 'federation.settle',
    handle: async (ctx, admin, s) => {
      const { id, day } = parseValue(ctx.params, settlementPath);
      return { settlement: await s.core.recordCentreNet(id, day, admin.adminId) };
    },
  },
];
