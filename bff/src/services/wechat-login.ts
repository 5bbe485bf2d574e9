import { z } from 'zod';
import { BffError } from '../errors.ts';

/** What code2session answers: the user's openid (the session key is not kept: we never decrypt user data). */
const answer = z.union([
  z.object({ openid: z.string().min(1).max(64), session_key: z.string(), unionid: z.string().optional() }),
  z.object({ errcode: z.number(), errmsg: z.string().optional() }),
]);

/** Codes WeChat answers when the login code itself is bad: the user should log in again. */
const badCodeErrors = new Set([40029, 40163, 41008]);
/** WeChat's "system busy", and how many times one login asks in all when it gets it. */
const busyErrcode = -1;
const busyAttemptsMax = 2;

/**
 * The client of WeChat's `sns/jscode2session`: trades a wx.login code for the user's openid. WeChat
 * answers 200 with text/plain for success and failure alike, so the body decides.
 */
export class WechatLogin {
  constructor(
    private readonly options: { baseUrl: string; appId: string; appSecret: string; timeoutMs?: number },
  ) {}

  /**
   * WeChat answers -1 ("system busy") before it looks at the code, so the code is still unused
   * and asking once more is safe; a second -1 is passed on as WECHAT_UNAVAILABLE.
   */
  async openidOf(code: string): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      const parsed = await this.ask(code);
      if ('openid' in parsed && !('errcode' in parsed && parsed.errcode !== 0)) return parsed.openid;
      const errcode = (parsed as { errcode: number }).errcode;
      if (errcode === busyErrcode && attempt < busyAttemptsMax) continue;
      if (badCodeErrors.has(errcode))
        throw new BffError('LOGIN_FAILED', 'the login code is invalid or used; log in again');
      // Our appid or secret refused, WeChat busy or rate limiting us: not the user's fault.
      throw new BffError('WECHAT_UNAVAILABLE', 'WeChat login is unavailable, try again', { errcode });
    }
  }

  private async ask(code: string): Promise<z.infer<typeof answer>> {
    const url = new URL('/sns/jscode2session', this.options.baseUrl);
    url.searchParams.set('appid', this.options.appId);
    url.searchParams.set('secret', this.options.appSecret);
    url.searchParams.set('js_code', code);
    url.searchParams.set('grant_type', 'authorization_code');
    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) });
      text = await response.text();
    } catch {
      throw new BffError('WECHAT_UNAVAILABLE', 'WeChat login is unavailable, try again');
    }
    try {
      return answer.parse(JSON.parse(text));
    } catch {
      throw new BffError('WECHAT_UNAVAILABLE', 'WeChat login answered something unexpected');
    }
  }
}
