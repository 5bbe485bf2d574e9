import { randomUUID } from 'node:crypto';
import type { RefreshTokens } from '../auth/refresh-tokens.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { AccessTokens } from '../auth/tokens.ts';
import type { BindingService } from './bindings.ts';
import type { WechatLogin } from './wechat-login.ts';

export interface SessionAnswer {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresInS: number;
  /** False until the WeChat account is bound to a campus identity. */
  bound: boolean;
}

/** Login with a wx.login code, refresh with rotation, logout. */
export class SessionService {
  constructor(
    private readonly wechat: WechatLogin,
    private readonly sessions: Sessions,
    private readonly tokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly bindings: BindingService,
  ) {}

  async logIn(code: string): Promise<SessionAnswer> {
    const openid = await this.wechat.openidOf(code);
    const sessionId = randomUUID();
    await this.sessions.open(sessionId, { openid, createdAtMs: Date.now() });
    return {
      accessToken: this.tokens.issue({ sub: openid, sid: sessionId }),
      refreshToken: await this.refreshTokens.issue(sessionId, openid),
      expiresInS: this.tokens.ttlSeconds,
      bound: await this.bindings.isBound(openid),
    };
  }

  async refresh(refreshToken: string): Promise<SessionAnswer> {
    const next = await this.refreshTokens.rotate(refreshToken);
    return {
      accessToken: this.tokens.issue({ sub: next.session.openid, sid: next.sessionId }),
      refreshToken: next.refreshToken,
      expiresInS: this.tokens.ttlSeconds,
      bound: await this.bindings.isBound(next.session.openid),
    };
  }

  logOut(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }
}
