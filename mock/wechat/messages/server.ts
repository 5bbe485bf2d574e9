import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { close, listen, readRawBody, sendJson } from '../http.ts';

/**
 * Stand-in for WeChat's server API used by subscription messages: `GET /cgi-bin/token`
 * (client_credential → access_token, expires_in 7200) and `POST /cgi-bin/message/subscribe/send?access_token=`
 * (touser, template_id, page, data{key:{value}}) answering `{errcode:0, errmsg:'ok', msgid}` or an error
 * code, as the real one does (HTTP 200 in both cases). Fault switches: tokens expired (42001 until a new
 * token is fetched), a user who refused (43101), a rate limit (45009) and the service down (503).
 */
export interface MessageStandInOptions {
  host?: string;
  port?: number;
  /** appid → app secret. */
  apps: Record<string, string>;
  now?: () => number;
}

export interface DeliveredMessage {
  appid: string;
  touser: string;
  templateId: string;
  page: string | undefined;
  data: Record<string, { value: string }>;
  msgid: string;
}

export interface MessageStandIn {
  baseUrl: string;
  delivered: DeliveredMessage[];
  /** How many times cgi-bin/token handed out a token. */
  tokensIssued(): number;
  faults: {
    /** Every token handed out so far answers 42001 from now on. */
    expireTokens(): void;
    /** The user refused this template (43101) — or every template with none given. */
    refuse(openid: string): void;
    /** The next `count` sends answer 45009 (api quota reached). */
    rateLimit(count: number): void;
    /** While down, every request answers HTTP 503 with no body. */
    down(on: boolean): void;
  };
  close(): Promise<void>;
}

const tokenQuery = z.object({
  grant_type: z.literal('client_credential'),
  appid: z.string().min(1),
  secret: z.string().min(1),
});

const sendBody = z.object({
  touser: z.string().min(1),
  template_id: z.string().min(1),
  page: z.string().optional(),
  data: z.record(z.string(), z.object({ value: z.string().max(20) })),
  miniprogram_state: z.enum(['developer', 'trial', 'formal']).optional(),
  lang: z.string().optional(),
});

const errors = {
  badAppid: { errcode: 40013, errmsg: 'invalid appid' },
  badSecret: { errcode: 40125, errmsg: 'invalid appsecret' },
  badToken: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' },
  expired: { errcode: 42001, errmsg: 'access_token expired' },
  refused: { errcode: 43101, errmsg: 'user refuse to accept the msg' },
  limited: { errcode: 45009, errmsg: 'reach max api daily quota limit' },
  badData: { errcode: 47003, errmsg: 'argument invalid! data.thing1.value invalid' },
} as const;

export async function startMessageStandIn(options: MessageStandInOptions): Promise<MessageStandIn> {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, { appid: string; expiresAtMs: number; revoked: boolean }>();
  const refused = new Set<string>();
  const delivered: DeliveredMessage[] = [];
  let issued = 0;
  let limitedLeft = 0;
  let isDown = false;

  const token = (url: URL): object => {
    const parsed = tokenQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) return errors.badAppid;
    const secret = options.apps[parsed.data.appid];
    if (secret === undefined) return errors.badAppid;
    if (secret !== parsed.data.secret) return errors.badSecret;
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { appid: parsed.data.appid, expiresAtMs: now() + 7_200_000, revoked: false });
    issued += 1;
    return { access_token: accessToken, expires_in: 7200 };
  };

  const send = (url: URL, raw: string): object => {
    const held = tokens.get(url.searchParams.get('access_token') ?? '');
    if (held === undefined) return errors.badToken;
    if (held.revoked || held.expiresAtMs <= now()) return errors.expired;
    if (limitedLeft > 0) {
      limitedLeft -= 1;
      return errors.limited;
    }
    const parsed = sendBody.safeParse(JSON.parse(raw || '{}'));
    if (!parsed.success) return errors.badData;
    const body = parsed.data;
    if (refused.has(body.touser)) return errors.refused;
    const msgid = String(1_000_000_000 + delivered.length + 1);
    delivered.push({
      appid: held.appid,
      touser: body.touser,
      templateId: body.template_id,
      page: body.page,
      data: body.data,
      msgid,
    });
    return { errcode: 0, errmsg: 'ok', msgid };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const raw = await readRawBody(request);
    if (isDown) {
      response.writeHead(503, { 'Content-Length': 0 });
      response.end();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/cgi-bin/token') {
      sendJson(response, 200, token(url));
      return;
    }
    if (request.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send') {
      sendJson(response, 200, send(url, raw));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/__mock/messages') {
      sendJson(response, 200, { delivered: delivered.slice(-50) });
      return;
    }
    sendJson(response, 404, { errcode: 404, errmsg: `no route ${request.method} ${url.pathname}` });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() =>
      sendJson(response, 200, { errcode: 44002, errmsg: 'empty post data' }),
    );
  });
  const baseUrl = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    baseUrl,
    delivered,
    tokensIssued: () => issued,
    faults: {
      expireTokens: () => {
        for (const held of tokens.values()) held.revoked = true;
      },
      refuse: (openid) => {
        refused.add(openid);
      },
      rateLimit: (count) => {
        limitedLeft = count;
      },
      down: (on) => {
        isDown = on;
      },
    },
    close: () => close(server),
  };
}
