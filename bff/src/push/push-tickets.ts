import { randomBytes } from 'node:crypto';
import type { Kv } from '../kv/index.ts';

const ticketTtlMs = 60_000;
const key = (ticket: string) => `push-ticket:${ticket}`;

export interface TicketHolder {
  openid: string;
  cardNos: string[];
  /** A parent's low-balance alerts by card (fen), as they stood when the ticket was made. */
  alerts?: Record<string, number>;
}

/** One-time tickets that open a live-view socket: made with an access token, used once, alive a minute. */
export class PushTickets {
  constructor(private readonly kv: Kv) {}

  async issue(holder: TicketHolder): Promise<{ ticket: string; expiresInMs: number }> {
    const ticket = randomBytes(24).toString('base64url');
    await this.kv.set(key(ticket), JSON.stringify(holder), ticketTtlMs);
    return { ticket, expiresInMs: ticketTtlMs };
  }

  /** The ticket's holder, once; undefined for an unknown, used or expired ticket. */
  async redeem(ticket: string): Promise<TicketHolder | undefined> {
    if (!/^[\w-]{32}$/.test(ticket)) return undefined;
    const raw = await this.kv.take(key(ticket));
    return raw === null ? undefined : (JSON.parse(raw) as TicketHolder);
  }
}
