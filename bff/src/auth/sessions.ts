import type { Kv } from '../kv/index.ts';

/** A login session as the kv keeps it: whose it is, alive until revoked or expired. */
export interface Session {
  openid: string;
  createdAtMs: number;
}

const key = (sessionId: string) => `session:${sessionId}`;
/** Sessions of this user made at or before this instant are revoked (unbind, card loss, reuse). */
const revokedBeforeKey = (openid: string) => `sessions-revoked-before:${openid}`;
/** Why the marker above was set, when whoever set it said (`{ reason, atMs }`, atMs = the marker). */
const revokedReasonKey = (openid: string) => `sessions-revoked-reason:${openid}`;
/** Why one session was ended on its own (a refresh token of its family came back: `refresh_reused`). */
const endedReasonKey = (sessionId: string) => `session-ended-reason:${sessionId}`;

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

  /** Ends one session; with a reason, the phone holding it is told why (endedBecause) until it would have expired. */
  async revoke(sessionId: string, reason?: string): Promise<void> {
    if (reason !== undefined) await this.kv.set(endedReasonKey(sessionId), reason, this.ttlMs);
    await this.kv.del(key(sessionId));
  }

  /**
   * Ends every session of a user at once, on every instance: one marker instant that outlives the
   * longest session, instead of a list of sessions to keep in step. The session named in `keep`
   * (the phone that asked, say when reporting its card lost from a new phone) is reopened after
   * the marker and lives on.
   */
  async revokeAll(openid: string, keep?: string, reason?: string): Promise<void> {
    const nowMs = Date.now();
    await this.kv.set(revokedBeforeKey(openid), String(nowMs), this.ttlMs);
    if (reason === undefined) await this.kv.del(revokedReasonKey(openid));
    else await this.kv.set(revokedReasonKey(openid), JSON.stringify({ reason, atMs: nowMs }), this.ttlMs);
    if (keep !== undefined && (await this.kv.get(key(keep))) !== null)
      await this.open(keep, { openid, createdAtMs: nowMs + 1 });
  }

  /**
   * Why this session ended, when what ended it named a reason, so the phone can say so instead of
   * signing out silently (#19): a revokeAll's (`parent_report_loss`, `report_loss` from another phone,
   * `unbound`, `pin_reset`) or a revoke's of this one session (`refresh_reused`); else undefined.
   */
  async endedBecause(sessionId: string, openid: string): Promise<string | undefined> {
    const [raw, marker, why, alone] = await this.kv.getMany([
      key(sessionId),
      revokedBeforeKey(openid),
      revokedReasonKey(openid),
      endedReasonKey(sessionId),
    ]);
    if (alone) return alone;
    if (!raw || !marker || !why) return undefined;
    const session = JSON.parse(raw) as Session;
    const { reason, atMs } = JSON.parse(why) as { reason: string; atMs: number };
    return session.openid === openid && session.createdAtMs <= Number(marker) && atMs === Number(marker)
      ? reason
      : undefined;
  }
}
