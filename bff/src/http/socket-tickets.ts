import { randomBytes } from 'node:crypto';
import type { Kv } from '../kv/index.ts';

const ticketTtlMs = 60_000;

/**
 * One-time tickets that open a WebSocket: browsers and mini-programs cannot set an Authorization
 * header on a socket, so a signed-in caller trades its credential for a ticket and opens the socket
 * with it in the query. A ticket is random, lives a minute in the kv (shared by every instance, so it
 * may be used at another one), and is taken on use, so it opens one socket.
 */
export class SocketTickets<T> {
  constructor(
    private readonly kv: Kv,
    /** The kv namespace, one per kind of socket, so one kind's ticket never opens another. */
    private readonly namespace: string,
  ) {}

  async issue(holder: T): Promise<{ ticket: string; expiresInMs: number }> {
    const ticket = randomBytes(24).toString('base64url');
    await this.kv.set(`${this.namespace}:${ticket}`, JSON.stringify(holder), ticketTtlMs);
    return { ticket, expiresInMs: ticketTtlMs };
  }

  /** The ticket's holder, once; undefined for an unknown, used or expired ticket. */
  async redeem(ticket: string): Promise<T | undefined> {
    if (!/^[\w-]{32}$/.test(ticket)) return undefined;
    const raw = await this.kv.take(`${this.namespace}:${ticket}`);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }
}
