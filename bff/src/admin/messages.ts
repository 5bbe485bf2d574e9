import { messageCountsQuery } from '@campus-card/core/contract';
import { parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// Messages outside the app (docs/messages.md): delivery counts per day, channel, kind and status for
// the backoffice chart, and the latest deliveries that did not arrive (no person data in either).
// Plain reads: the core client's methods are the service.
export const messageAdminRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/messages/daily-counts',
    right: 'messages.read',
    handle: (ctx, _admin, s) => s.core.messageDailyCounts(parseValue(ctx.query, messageCountsQuery).days),
  },
  {
    method: 'GET',
    path: '/messages/failures',
    right: 'messages.read',
    handle: (_ctx, _admin, s) => s.core.messageFailures(),
  },
];
