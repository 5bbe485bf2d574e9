import { randomBytes } from 'node:crypto';

/**
 * Login codes the way `wx.login` hands them out: single use, alive five minutes, each bound to one
 * user of one mini-program. The stand-in keeps them in memory; a restart forgets every code, as a
 * real code would be lost to a user who waited too long.
 */
export const CODE_TTL_MS = 5 * 60_000;
export const CODES_MAX = 100_000;

export interface WechatUser {
  openid: string;
  unionid?: string;
}

interface CodeEntry {
  user: WechatUser;
  appid: string;
  expiresAtMs: number;
  usedAtMs?: number;
}

export type Redemption =
  | { ok: true; user: WechatUser; sessionKey: string }
  | { ok: false; reason: 'invalid' | 'used' };

export class LoginCodes {
  readonly #entries = new Map<string, CodeEntry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Mints a code for `user`, as if they had just called wx.login in the mini-program `appid`. */
  mint(appid: string, user: WechatUser): string {
    this.#sweep();
    if (this.#entries.size >= CODES_MAX) throw new Error(`more than ${CODES_MAX} live login codes`);
    // Real codes are 32 printable characters; ours are too, so length checks in our BFF stay honest.
    const code = randomBytes(24).toString('base64url');
    this.#entries.set(code, { user, appid, expiresAtMs: this.#now() + CODE_TTL_MS });
    return code;
  }

  redeem(appid: string, code: string): Redemption {
    const entry = this.#entries.get(code);
    const now = this.#now();
    if (entry === undefined || entry.appid !== appid || entry.expiresAtMs <= now)
      return { ok: false, reason: 'invalid' };
    if (entry.usedAtMs !== undefined) return { ok: false, reason: 'used' };
    entry.usedAtMs = now;
    return { ok: true, user: entry.user, sessionKey: randomBytes(16).toString('base64') };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [code, entry] of this.#entries) if (entry.expiresAtMs <= now) this.#entries.delete(code);
  }
}
