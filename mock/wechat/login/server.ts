import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { close, listen, readRawBody, sendJson } from '../http.ts';
import { LoginCodes } from './codes.ts';

/**
 * Stand-in for `https://api.weixin.qq.com/sns/jscode2session`. Like the real one it answers 200 with
 * either `{openid, session_key, unionid?}` or `{errcode, errmsg}`, and sends the body as text/plain, so
 * our client must parse the text itself. `POST /__mock/login-code` mints a code for a chosen user.
 */
export interface LoginStandInOptions {
  host?: string;
  port?: number;
  /** The mini-programs this stand-in knows: appid → app secret. */
  apps: Record<string, string>;
  /** Requests per second over all callers before 45011; WeChat's real limit is per app and unpublished. */
  requestsPerSecondMax?: number;
  now?: () => number;
}

export interface LoginStandIn {
  baseUrl: string;
  codes: LoginCodes;
  /** Mints a login code for a user; with no openid a new user is made up. */
  mintCode(appid: string, user?: { openid?: string; unionid?: string }): { code: string; openid: string };
  /** Makes the next `count` code2session calls answer -1 "system busy", as WeChat does under load. */
  failNext(count: number): void;
  close(): Promise<void>;
}

const code2sessionQuery = z.object({
  appid: z.string().min(1),
  secret: z.string().min(1),
  js_code: z.string().min(1),
  grant_type: z.literal('authorization_code'),
});

const mintBody = z.object({
  appid: z.string().min(1),
  openid: z.string().min(1).max(128).optional(),
  unionid: z.string().min(1).max(128).optional(),
});

const errors = {
  busy: { errcode: -1, errmsg: 'system error' },
  invalid: { errcode: 40029, errmsg: 'invalid code' },
  used: { errcode: 40163, errmsg: 'code been used' },
  limited: { errcode: 45011, errmsg: 'api minute-quota reach limit mustslower retry next minute' },
  badSecret: { errcode: 40125, errmsg: 'invalid appsecret' },
  badAppid: { errcode: 40013, errmsg: 'invalid appid' },
  badParams: { errcode: 41008, errmsg: 'missing code' },
} as const;

export async function startLoginStandIn(options: LoginStandInOptions): Promise<LoginStandIn> {
  const now = options.now ?? Date.now;
  const codes = new LoginCodes(now);
  const requestsPerSecondMax = options.requestsPerSecondMax ?? 1000;
  let busyLeft = 0;
  let windowStartMs = 0;
  let windowCount = 0;

  const mintCode: LoginStandIn['mintCode'] = (appid, user = {}) => {
    const openid = user.openid ?? `o${randomBytes(21).toString('base64url')}`;
    const code = codes.mint(
      appid,
      user.unionid === undefined ? { openid } : { openid, unionid: user.unionid },
    );
    return { code, openid };
  };

  const code2session = (url: URL): object => {
    const parsed = code2sessionQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) return errors.badParams;
    const { appid, secret, js_code } = parsed.data;
    const expectedSecret = options.apps[appid];
    if (expectedSecret === undefined) return errors.badAppid;
    if (expectedSecret !== secret) return errors.badSecret;
    const nowMs = now();
    if (nowMs - windowStartMs >= 1000) {
      windowStartMs = nowMs;
      windowCount = 0;
    }
    windowCount += 1;
    if (windowCount > requestsPerSecondMax) return errors.limited;
    if (busyLeft > 0) {
      busyLeft -= 1;
      return errors.busy;
    }
    const result = codes.redeem(appid, js_code);
    if (!result.ok) return errors[result.reason];
    const { openid, unionid } = result.user;
    return unionid === undefined
      ? { openid, session_key: result.sessionKey }
      : { openid, session_key: result.sessionKey, unionid };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method === 'GET' && url.pathname === '/sns/jscode2session') {
      sendJson(response, 200, code2session(url), 'text/plain');
      return;
    }
    if (request.method === 'POST' && url.pathname === '/__mock/login-code') {
      const parsed = mintBody.safeParse(JSON.parse((await readRawBody(request)) || '{}'));
      if (!parsed.success) {
        sendJson(response, 400, { code: 'PARAM_ERROR', message: parsed.error.message });
        return;
      }
      const { appid, ...user } = parsed.data;
      sendJson(response, 200, mintCode(appid, user));
      return;
    }
    sendJson(response, 404, { code: 'NOT_FOUND', message: `no route ${request.method} ${url.pathname}` });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendJson(response, 400, {
        code: 'PARAM_ERROR',
        message: error instanceof Error ? error.message : 'bad request',
      });
    });
  });
  const baseUrl = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    codes,
    mintCode,
    failNext: (count) => {
      busyLeft = count;
    },
    close: () => close(server),
  };
}
