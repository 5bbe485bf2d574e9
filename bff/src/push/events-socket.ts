import type { TicketSocketRoute } from '../http/ticket-sockets.ts';
import type { NewsListeners } from './news-push.ts';
import type { PushHub } from './push-hub.ts';
import type { PushTickets, TicketHolder } from './push-tickets.ts';

export const eventsPath = '/api/v1/events';

/**
 * The live-view WebSocket at /api/v1/events?ticket=…: WeChat and Alipay mini-programs and browsers
 * all speak WebSocket, and none can set an Authorization header on it, so the phone first trades its
 * access token for a one-time ticket (POST /api/v1/events/ticket) and opens the socket with that.
 * The upgrade, the ticket check and the pings are the shared ones (http/ticket-sockets.ts).
 */
export function pushSocketRoute(
  hub: PushHub,
  tickets: PushTickets,
  news?: NewsListeners,
): TicketSocketRoute<TicketHolder> {
  return {
    path: eventsPath,
    redeem: (ticket) => tickets.redeem(ticket),
    open(socket, holder) {
      const remove = hub.add({
        cardNos: holder.cardNos,
        ...(holder.alerts ? { alerts: holder.alerts } : {}),
        send: (message) => socket.send(message),
      });
      if (!remove) return undefined;
      const unwatchNews = watchNews(news, holder, socket);
      socket.send(JSON.stringify({ type: 'hello', cardNos: holder.cardNos }));
      return () => {
        remove();
        unwatchNews?.();
      };
    },
  };
}

/** A person's own view also hears the news for their audience (a parent's view of children does not). */
function watchNews(
  news: NewsListeners | undefined,
  holder: TicketHolder,
  socket: { send(message: string): void },
): (() => void) | undefined {
  if (!news || !holder.audience) return undefined;
  return news.add(holder.audience, (message) => socket.send(message));
}
