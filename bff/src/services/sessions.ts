import { randomUUID } from 'node:crypto';
import type { CoreClient } from '@campus-card/core/client';
import type { RefreshTokens } from '../auth/refresh-tokens.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { AccessTokens } from '../auth/tokens.ts';
import { BffError } from '../errors.ts';
import { ALIPAY_SUBJECT_PREFIX } from './alipay-login.ts';
import type { BindingService } from './bindings.ts';
import { SSO_SUBJECT_PREFIX } from './sso.ts';
import type { WechatLogin } from './wechat-login.ts';

export interface SessionAnswer {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresInS: number;
  /** False until the WeChat account is bound to a campus identity. */
  bound: boolean;
  /** Who the account is bound to; null until it is. */
  identity: { personNo: string; name: string; cardNo: string; type: string } | null;
  /** student or staff when bound (by the card's person type); parent when unbound with linked children. */
  role?: 'student' | 'staff' | 'parent';
}

/** Login with a wx.login code, refresh with rotation, logout. */
export class SessionService {
  constructor(
    private readonly wechat: WechatLogin,
    private readonly sessions: Sessions,
    private readonly tokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly bindings: BindingService,
    private readonly core: CoreClient,
  ) {}

  async logIn(code: string): Promise<SessionAnswer> {
    const openid = await this.wechat.openidOf(code);
    // Alipay and single sign-on accounts live under their own prefixes; no WeChat answer may name one.
    if (openid.startsWith(ALIPAY_SUBJECT_PREFIX) || openid.startsWith(SSO_SUBJECT_PREFIX))
      throw new BffError('WECHAT_UNAVAILABLE', 'WeChat login answered something unexpected');
    return this.open(openid);
  }

  /**
   * Opens a session for an account another login has proven (Alipay: `ali-<id>`); the session,
   * binding and parent model is the same for every app.
   */
  async open(openid: string): Promise<SessionAnswer> {
    const sessionId = randomUUID();
    await this.sessions.open(sessionId, { openid, createdAtMs: Date.now() });
    return {
      accessToken: this.tokens.issue({ sub: openid, sid: sessionId }),
      refreshToken: await this.refreshTokens.issue(sessionId, openid),
      expiresInS: this.tokens.ttlSeconds,
      ...(await this.who(openid)),
    };
  }

  async refresh(refreshToken: string): Promise<SessionAnswer> {
    const next = await this.refreshTokens.rotate(refreshToken);
    return {
      accessToken: this.tokens.issue({ sub: next.session.openid, sid: next.sessionId }),
      refreshToken: next.refreshToken,
      expiresInS: this.tokens.ttlSeconds,
      ...(await this.who(next.session.openid)),
    };
  }

  /** What the app needs to choose its first page: bound or not, to whom, and in which role. */
  private async who(openid: string): Promise<Pick<SessionAnswer, 'bound' | 'identity' | 'role'>> {
    if (await this.bindings.isBound(openid)) {
      const binding = await this.bindings.require(openid);
      const card = await this.core.getCard(binding.cardNo);
      return {
        bound: true,
        identity: { personNo: binding.personNo, name: card.name, cardNo: card.cardNo, type: card.personType },
        role: card.personType === 'staff' ? 'staff' : card.personType === 'parent' ? 'parent' : 'student',
      };
    }
    const { items } = await this.core.guardianLinks({ parentOpenid: openid });
    return { bound: false, identity: null, ...(items.length > 0 ? { role: 'parent' as const } : {}) };
  }

  logOut(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }
}
