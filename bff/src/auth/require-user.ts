import type { Context, Next } from 'koa';
import { BffError } from '../errors.ts';
import type { Sessions } from './sessions.ts';
import type { AccessTokens } from './tokens.ts';

/** Who is calling, once requireUser has let the request through. */
export interface UserState {
  openid: string;
  sessionId: string;
}

/** Lets a request through only with a valid bearer access token of a live session. */
export function requireUser(tokens: AccessTokens, sessions: Sessions) {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header);
    if (!match?.[1]) throw new BffError('UNAUTHENTICATED', 'sign in first');
    const claims = tokens.verify(match[1]);
    const session = await sessions.get(claims.sid, claims.sub);
    if (!session || session.openid !== claims.sub) {
      // Said why when the revocation named it (a parent reported the card lost): not a silent sign-out.
      const reason = await sessions.endedBecause(claims.sid, claims.sub);
      throw new BffError('SESSION_REVOKED', 'this session has ended', reason ? { reason } : undefined);
    }
    ctx.state.user = { openid: claims.sub, sessionId: claims.sid } satisfies UserState;
    await next();
  };
}
