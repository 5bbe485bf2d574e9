import { SocketTickets } from '../http/socket-tickets.ts';
import type { Kv } from '../kv/index.ts';
import type { AudienceProfile } from './news-push.ts';

export interface TicketHolder {
  openid: string;
  cardNos: string[];
  /** A parent's low-balance alerts by card (fen), as they stood when the ticket was made. */
  alerts?: Record<string, number>;
  /** A person's own view: who they are, so news for their audience reaches this socket. */
  audience?: AudienceProfile;
}

/** One-time tickets that open a live-view socket: made with an access token, used once, alive a minute. */
export class PushTickets extends SocketTickets<TicketHolder> {
  constructor(kv: Kv) {
    super(kv, 'push-ticket');
  }
}
