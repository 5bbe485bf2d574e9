import type { Kv } from '../kv/index.ts';

/** A login session as the kv keeps it: whose it is, alive until revoked or expired. */
export interface Session {
  openid: string;
  createdAtMs: number;
}

const key = (sessionId: string) => `session:${sessionId}`;
/** Sessions of this user made at or before this instant are revoked (unbind, card loss, reuse). */
const revokedBeforeKey = (openid: string) => `sessions-revoked-before:${openid}`;

/** The store of live login sessions; an access token is honoured only while its session lives. */
export class Sessions {
  constructor(
    private readonly kv: Kv,
    private readonly ttlMs: number,
  ) {}

  async open(sessionId: string, session: Session): Promise<void> {
    await this.kv.set(key(sessionId), JSON.stringify(session), this.ttlMs);
  }

  /**
   * The live session, or null when it ended. With the openid the access token names, the session
   * and the user's revocation marker come in one round trip (every signed-in request asks this).
   */
  async get(sessionId: string, openid?: string): Promise<Session | null> {
    const [raw, marker] = await this.kv.getMany(
      openid === undefined ? [key(sessionId)] : [key(sessionId), revokedBeforeKey(openid)],
    );
    if (raw === null || raw === undefined) return null;
    const session = JSON.parse(raw) as Session;
    if (openid !== undefined && session.openid !== openid) return null;
    const revokedBefore = openid === undefined ? await this.kv.get(revokedBeforeKey(session.openid)) : marker;
    if (revokedBefore !== null && revokedBefore !== undefined && session.createdAtMs <= Number(revokedBefore))
      return null;
    return session;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.kv.del(key(sessionId));
  }

  /**
   * Ends every session of a user at once, on every instance: one marker instant that outlives the
   * longest session, instead of a list of sessions to keep in step. The session named in `keep`
   * (the phone that asked, say when reporting its card lost from a new phone) is reopened after
   * the marker and lives on.
   */
  async revokeAll(openid: string, keep?: string): Promise<void> {
    const nowMs = Date.now();
    await this.kv.set(revokedBeforeKey(openid), String(nowMs), this.ttlMs);
    if (keep !== undefined && (await this.kv.get(key(keep))) !== null)
      await this.open(keep, { openid, createdAtMs: nowMs + 1 });
  }
}
