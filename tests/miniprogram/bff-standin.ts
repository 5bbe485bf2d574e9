// The slice of the BFF's contract (docs/miniprogram.md) the browser test needs, over the real core, the
// real WeChat login stand-in and the real credential issuer. It exists only because bff/ has not landed
// yet: when bff/test/support.ts starts the real BFF, h5.browser.ts should use that and this file goes.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CoreClient } from '../../core/src/client/index.ts';
import {
  type CampusSigningKey,
  fromHex,
  issueCertificate,
  type PersonType,
  toHex,
} from '../../core/src/credential/index.ts';

export interface StandInPerson {
  readonly personNo: string;
  readonly name: string;
  readonly secret: string;
  readonly cardNo: string;
}

export interface BffStandInOptions {
  readonly core: CoreClient;
  readonly campusKey: CampusSigningKey;
  readonly loginBaseUrl: string;
  readonly appid: string;
  readonly appSecret: string;
  readonly people: readonly StandInPerson[];
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    bytes += (chunk as Buffer).length;
    if (bytes > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

export function createBffStandIn(options: BffStandInOptions): Handler & { readonly calls: string[] } {
  const sessions = new Map<string, string>(); // access token → openid
  const refreshTokens = new Map<string, string>(); // refresh token → openid
  const bindings = new Map<string, StandInPerson>(); // openid → person
  const calls: string[] = [];

  function issueTokens(openid: string) {
    const accessToken = randomBytes(16).toString('hex');
    const refreshToken = randomBytes(16).toString('hex');
    sessions.set(accessToken, openid);
    refreshTokens.set(refreshToken, openid);
    return { accessToken, refreshToken };
  }

  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://bff');
    const route = `${request.method} ${url.pathname}`;
    calls.push(route);
    const body = request.method === 'GET' ? {} : await readJson(request);
    if (route === 'POST /api/v1/session') {
      const query = new URLSearchParams({
        appid: options.appid,
        secret: options.appSecret,
        js_code: String(body.code ?? ''),
        grant_type: 'authorization_code',
      });
      const answer = JSON.parse(
        await (await fetch(`${options.loginBaseUrl}/sns/jscode2session?${query}`)).text(),
      ) as { openid?: string };
      if (answer.openid === undefined)
        return send(response, 401, { code: 'LOGIN_FAILED', message: 'code refused' });
      return send(response, 200, { ...issueTokens(answer.openid), bound: bindings.has(answer.openid) });
    }
    if (route === 'POST /api/v1/session/refresh') {
      const openid = refreshTokens.get(String(body.refreshToken));
      if (openid === undefined)
        return send(response, 401, { code: 'UNAUTHENTICATED', message: 'refresh refused' });
      refreshTokens.delete(String(body.refreshToken));
      return send(response, 200, issueTokens(openid));
    }
    const openid = sessions.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (openid === undefined) return send(response, 401, { code: 'UNAUTHENTICATED', message: 'no session' });
    if (route === 'POST /api/v1/binding') {
      const person = options.people.find(
        (p) => p.personNo === body.personNo && p.name === body.name && p.secret === body.secret,
      );
      if (person === undefined)
        return send(response, 422, { code: 'BINDING_MISMATCH', message: 'no such person' });
      bindings.set(openid, person);
      return send(response, 200, { card: await cardView(person.cardNo) });
    }
    const person = bindings.get(openid);
    if (person === undefined) return send(response, 403, { code: 'NOT_BOUND', message: 'bind first' });
    if (route === 'GET /api/v1/card') return send(response, 200, await cardView(person.cardNo));
    if (route === 'POST /api/v1/credential') {
      const publicKey = fromHex(String(body.publicKey));
      if (publicKey === undefined || publicKey.length !== 32)
        return send(response, 400, { code: 'VALIDATION_FAILED', message: 'publicKey' });
      const card = await options.core.getCard(person.cardNo);
      const nowMs = Date.now();
      const certificate = issueCertificate(options.campusKey, {
        card: { cardNo: card.cardNo, personType: card.personType as PersonType, cardVersion: card.version },
        phonePublicKey: publicKey,
        validFromMs: nowMs,
      });
      return send(response, 200, {
        certificate: toHex(certificate),
        validUntilMs: Math.floor(nowMs / 1000) * 1000 + 7 * 24 * 3_600_000,
        serverTimeMs: Date.now(),
      });
    }
    return send(response, 404, { code: 'NOT_FOUND', message: `no route ${route}` });
  };

  async function cardView(cardNo: string) {
    const card = await options.core.getCard(cardNo);
    return {
      cardNo: card.cardNo,
      name: card.name,
      personType: card.personType,
      status: card.status,
      version: card.version,
      department: card.department ?? undefined,
      balance: {
        main: card.balance.main,
        subsidy: card.balance.subsidy,
        pending: card.balance.mainPending + card.balance.subsidyPending,
      },
      dailyLimit: card.dailyLimit,
      spentToday: card.spentToday,
      hasPin: card.pinSet,
    };
  }

  return Object.assign(handler, { calls });
}
