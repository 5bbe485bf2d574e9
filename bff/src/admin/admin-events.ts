import type { TicketSocketRoute } from '../http/ticket-sockets.ts';
import type { AdminSessions } from './admin-sessions.ts';
import { can } from './rights.ts';
import type { AdminRoute } from './routes.ts';
import { campusOf } from './services/campus-admin.ts';
import type { LiveDashboards } from './services/dashboard.ts';

// The backoffice's events socket: POST /events/ticket (monitor.read) answers a one-time ticket,
// then a WebSocket at /api/admin/v1/events?ticket=… gets the dashboard at once and again after
// activity (see LiveDashboard). The socket closes when the session ends.

export const adminEventsPath = '/api/admin/v1/events';
/** How often an open socket checks that its session is still live (sign-out, expiry). */
const sessionCheckMs = 5_000;
/** Close code for a socket whose session ended: the page signs in again rather than reconnecting. */
export const sessionEndedCode = 4001;

export const adminEventRoutes: readonly AdminRoute[] = [
  {
    method: 'POST',
    path: '/events/ticket',
    right: 'monitor.read',
    handle: async (ctx, _admin, s) => {
      const { ticket, expiresInMs } = await s.sessions.issueTicket(ctx.state.adminToken as string);
      return { ticket, expiresInMs, path: `${adminEventsPath}?ticket=${ticket}` };
    },
  },
];

/**
 * The socket's upgrade: a ticket of a live session whose role may watch the dashboard. A campus admin's
 * socket gets their campus's dashboard (docs/campuses.md), anyone else's the whole centre's.
 */
export function adminEventsRoute(
  sessions: AdminSessions,
  dashboards: LiveDashboards,
): TicketSocketRoute<{ sessionKey: string; campusId: string | null }> {
  return {
    path: adminEventsPath,
    async redeem(ticket) {
      const redeemed = await sessions.redeemTicket(ticket);
      if (!redeemed || !can(redeemed.session.role, 'monitor.read')) return undefined;
      return { sessionKey: redeemed.sessionKey, campusId: campusOf(redeemed.session) };
    },
    open(socket, holder) {
      const unsubscribe = dashboards.of(holder.campusId).subscribe((message) => socket.send(message));
      if (!unsubscribe) return undefined;
      const check = setInterval(() => {
        sessions.getByKey(holder.sessionKey).then(
          (session) => {
            if (!session) socket.close(sessionEndedCode, 'session ended');
          },
          // The kv did not answer: keep the socket; the next check decides.
          () => {},
        );
      }, sessionCheckMs);
      check.unref();
      return () => {
        clearInterval(check);
        unsubscribe();
      };
    },
  };
}
