import { createHash, randomBytes } from 'node:crypto';
import type { AdminAccount } from '@campus-card/core/client';
import { SocketTickets } from '../http/socket-tickets.ts';
import type { Kv } from '../kv/index.ts';

/** Who a signed-in admin request is from; kept in the kv under the token's hash. */
export interface AdminSession {
  adminId: string;
  username: string;
  displayName: string;
  role: AdminAccount['role'];
  department: string | null;
  /** The one campus the admin sees and changes (docs/campuses.md); null or absent: the whole centre. */
  campusId?: string | null;
  startedAtMs: number;
}

export interface AdminSessionOptions {
  /** A session ends after this long without a request. */
  idleMs: number;
  /** And after this long in any case. */
  lifetimeMs: number;
  /** How long the password step stays good for its TOTP step. */
  challengeMs: number;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');
const newToken = () => randomBytes(32).toString('base64url');

/**
 * Admin sessions and TOTP challenges in the kv, shared by every BFF instance. Only the token's hash
 * is a key, so a kv dump does not hand out live sessions.
 */
export class AdminSessions {
  readonly #tickets: SocketTickets<{ sessionKey: string }>;

  constructor(
    private readonly kv: Kv,
    private readonly options: AdminSessionOptions,
  ) {
    this.#tickets = new SocketTickets(kv, 'admin-ticket');
  }

  async open(account: AdminAccount): Promise<{ token: string; session: AdminSession }> {
    const token = newToken();
    const session: AdminSession = {
      adminId: account.id,
      username: account.username,
      displayName: account.displayName,
      role: account.role,
      department: account.department,
      campusId: account.campusId ?? null,
      startedAtMs: Date.now(),
    };
    await this.kv.set(`admin:s:${hashOf(token)}`, JSON.stringify(session), this.options.idleMs);
    return { token, session };
  }

  /** The live session of a token, its idle time started again; undefined once ended or expired. */
  get(token: string): Promise<AdminSession | undefined> {
    return this.getByKey(hashOf(token));
  }

  /**
   * The same by the token's hash, which is what a socket ticket carries (never the token itself): an
   * open live view counts as use, as the page's requests would.
   */
  async getByKey(sessionKey: string): Promise<AdminSession | undefined> {
    const key = `admin:s:${sessionKey}`;
    const raw = await this.kv.get(key);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as AdminSession;
    const leftMs = session.startedAtMs + this.options.lifetimeMs - Date.now();
    const endedAtMs = Number((await this.kv.get(`admin:ended:${session.adminId}`)) ?? 0);
    if (leftMs <= 0 || session.startedAtMs <= endedAtMs) {
      await this.kv.del(key);
      return undefined;
    }
    await this.kv.set(key, raw, Math.min(this.options.idleMs, leftMs));
    return session;
  }

  /** A one-time ticket that opens the backoffice's events socket for this session. */
  issueTicket(token: string): Promise<{ ticket: string; expiresInMs: number }> {
    return this.#tickets.issue({ sessionKey: hashOf(token) });
  }

  /** The session a ticket was made for, once, if it is still live. */
  async redeemTicket(ticket: string): Promise<{ sessionKey: string; session: AdminSession } | undefined> {
    const holder = await this.#tickets.redeem(ticket);
    const session = holder && (await this.getByKey(holder.sessionKey));
    return holder && session ? { sessionKey: holder.sessionKey, session } : undefined;
  }

  async end(token: string): Promise<void> {
    await this.kv.del(`admin:s:${hashOf(token)}`);
  }

  /**
   * Ends every session of one admin, on every instance: sessions begun until now stop working (the
   * mark outlives the longest session, then is not needed).
   */
  async endAll(adminId: string): Promise<void> {
    await this.kv.set(`admin:ended:${adminId}`, String(Date.now()), this.options.lifetimeMs);
  }

  async openChallenge(adminId: string): Promise<string> {
    const token = newToken();
    await this.kv.set(`admin:c:${hashOf(token)}`, adminId, this.options.challengeMs);
    return token;
  }

  challenge(token: string): Promise<string | null> {
    return this.kv.get(`admin:c:${hashOf(token)}`);
  }

  async endChallenge(token: string): Promise<void> {
    await this.kv.del(`admin:c:${hashOf(token)}`);
  }
}
