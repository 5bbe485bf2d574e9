import { createHash, randomBytes } from 'node:crypto';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import type { Session, Sessions } from './sessions.ts';

/**
 * Rotating refresh tokens. Each is single use: a refresh takes it out of the kv (atomically, so two
 * instances cannot both honour it) and hands out the next one of the same family (the login
 * session). Only the SHA-256 of a token is stored. A used token is remembered until it would have
 * expired; presenting it again means it was copied, and the whole family is revoked.
 */
export class RefreshTokens {
  constructor(
    private readonly kv: Kv,
    private readonly sessions: Sessions,
    private readonly ttlMs: number,
  ) {}

  async issue(sessionId: string, openid: string): Promise<string> {
    const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    await this.kv.set(liveKey(token), JSON.stringify({ sessionId, openid }), this.ttlMs);
    return token;
  }

  /** Trades a refresh token for the next of its family; answers the session it belongs to. */
  async rotate(token: string): Promise<{ sessionId: string; session: Session; refreshToken: string }> {
    const live = await this.kv.take(liveKey(token));
    if (live === null) {
      const usedBy = await this.kv.get(usedKey(token));
      if (usedBy !== null) {
        await this.sessions.revoke(usedBy, 'refresh_reused');
        throw new BffError('REFRESH_REUSED', 'this refresh token was already used; sign in again', {
          reason: 'refresh_reused',
        });
      }
      throw new BffError('UNAUTHENTICATED', 'unknown or expired refresh token');
    }
    const { sessionId, openid } = JSON.parse(live) as { sessionId: string; openid: string };
    await this.kv.set(usedKey(token), sessionId, this.ttlMs);
    const session = await this.sessions.get(sessionId);
    if (!session) {
      // Said why, as for an access token (require-user.ts): the phone's sign-in page names it.
      const reason = await this.sessions.endedBecause(sessionId, openid);
      throw new BffError(
        'SESSION_REVOKED',
        'this session has ended; sign in again',
        reason ? { reason } : undefined,
      );
    }
    await this.sessions.open(sessionId, session);
    return { sessionId, session, refreshToken: await this.issue(sessionId, session.openid) };
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
const liveKey = (token: string) => `refresh:${digest(token)}`;
const usedKey = (token: string) => `refresh-used:${digest(token)}`;
