import { createHmac, randomBytes, randomInt } from 'node:crypto';

/**
 * Authorisation codes the way `my.getAuthCode` hands them out: single use, alive a few minutes, each
 * bound to one person in one app. A person has one 2088… user id across Alipay and an open_id per app,
 * so the same person signing in from two apps gets two open_ids (and one user_id).
 */
export const AUTH_CODE_TTL_MS = 5 * 60_000;
export const AUTH_CODES_MAX = 100_000;
export const ACCESS_TOKEN_TTL_S = 1_296_000;
export const REFRESH_TOKEN_TTL_S = 2_592_000;
const TOKENS_MAX = 100_000;

export interface AlipayPerson {
  userId: string;
}

interface CodeEntry {
  appId: string;
  person: AlipayPerson;
  expiresAtMs: number;
  used: boolean;
}

export type Grant =
  | { ok: true; person: AlipayPerson; accessToken: string; refreshToken: string }
  | { ok: false; subCode: string; subMsg: string };

export function newUserId(): string {
  let digits = '';
  while (digits.length < 12) digits += String(randomInt(0, 10));
  return `2088${digits}`;
}

export class AuthCodes {
  readonly #codes = new Map<string, CodeEntry>();
  readonly #refreshTokens = new Map<string, { appId: string; person: AlipayPerson }>();
  /** Keys the open_id derivation, so open_ids are stable for the stand-in's life and differ per app. */
  readonly #openIdKey = randomBytes(32);
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  mint(appId: string, person: AlipayPerson): string {
    this.#sweep();
    if (this.#codes.size >= AUTH_CODES_MAX) throw new Error(`more than ${AUTH_CODES_MAX} live auth codes`);
    // Real codes are 32 hex characters with an app-specific prefix; the length is what matters to callers.
    const code = randomBytes(16).toString('hex');
    this.#codes.set(code, { appId, person, expiresAtMs: this.#now() + AUTH_CODE_TTL_MS, used: false });
    return code;
  }

  openIdOf(appId: string, person: AlipayPerson): string {
    const digest = createHmac('sha256', this.#openIdKey)
      .update(`${appId}/${person.userId}`)
      .digest('base64url');
    return `0${digest.slice(0, 42)}`;
  }

  redeemCode(appId: string, code: string): Grant {
    const entry = this.#codes.get(code);
    if (entry === undefined || entry.appId !== appId || entry.expiresAtMs <= this.#now() || entry.used)
      return { ok: false, subCode: 'isv.code-invalid', subMsg: '授权码code无效' };
    entry.used = true;
    return this.#grant(appId, entry.person);
  }

  redeemRefreshToken(appId: string, refreshToken: string): Grant {
    const entry = this.#refreshTokens.get(refreshToken);
    if (entry === undefined || entry.appId !== appId)
      return { ok: false, subCode: 'isv.refresh-token-invalid', subMsg: '刷新令牌refresh_token无效' };
    this.#refreshTokens.delete(refreshToken);
    return this.#grant(appId, entry.person);
  }

  #grant(appId: string, person: AlipayPerson): Grant {
    const refreshToken = `authbseB${randomBytes(16).toString('hex')}`;
    if (this.#refreshTokens.size >= TOKENS_MAX) this.#refreshTokens.clear();
    this.#refreshTokens.set(refreshToken, { appId, person });
    return { ok: true, person, accessToken: `authusrB${randomBytes(16).toString('hex')}`, refreshToken };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [code, entry] of this.#codes) if (entry.expiresAtMs <= now) this.#codes.delete(code);
  }
}
