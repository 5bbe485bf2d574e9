import { centrePath, rotateLinkSecretInput } from '@campus-card/core/contract';
import { z } from 'zod';
import { parseBody, parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// A federation link's secret rotated with an overlap (docs/federation.md § Link secret rotation), through
// the core, which audits each step with the signed-in admin: the new secret (agreed with the other centre,
// which enters the same one with the same times) signs from signFromMs, the old one is accepted until
// retireOldAtMs or until an admin retires it.
export const federationLinkSecretRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/federation/centres/:id/link-secret',
    right: 'federation.manage',
    handle: (ctx, admin, s) =>
      s.core.rotateLinkSecret(parseValue(ctx.params, centrePath).id, {
        ...parseBody(ctx, rotateLinkSecretInput),
        adminId: admin.adminId,
      }),
  },
  {
    method: 'POST',
    path: '/federation/centres/:id/link-secret/retire',
    right: 'federation.manage',
    handle: (ctx, admin, s) => {
      parseBody(ctx, z.strictObject({}));
      return s.core.retireLinkSecret(parseValue(ctx.params, centrePath).id, admin.adminId);
    },
  },
];
