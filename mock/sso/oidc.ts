import { createHash, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * An OpenID Connect provider stand-in for tests and the demo: discovery, an authorization endpoint
 * with a login form (or `login_hint` naming the user, for tests), a token endpoint that demands
 * client_secret_basic and PKCE S256, JWKS, and an RS256-signed id_token with nonce, sub and the
 * campus claims. Codes are single use and live 60 seconds. `faults` make it misbehave on purpose.
 * Passwords are the user id itself: a stand-in.
 */
export interface OidcUser {
  sub: string;
  claims: Record<string, string>;
}

export interface OidcFaults {
  /** The id_token carries a nonce other than the one asked for. */
  wrongNonce?: boolean;
  /** Claims overwritten in the id_token after signing (the signature no longer matches). */
  tamperIdToken?: Record<string, string>;
}

export interface OidcStandIn {
  issuer: string;
  server: Server;
  faults: OidcFaults;
  close(): Promise<void>;
}

const codeTtlMs = 60_000;

export async function startOidcStandIn(options: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  users: OidcUser[];
  port?: number;
}): Promise<OidcStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(6).toString('hex');
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const faults: OidcFaults = {};
  const codes = new Map<
    string,
    { user: OidcUser; redirectUri: string; challenge: string; nonce: string | null; expiresAtMs: number }
  >();
  let issuer = '';

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'profile', 'campus'],
        authorization_response_iss_parameter_supported: true,
      });
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/auth') {
      const p = url.searchParams;
      const redirectUri = p.get('redirect_uri') ?? '';
      if (p.get('client_id') !== options.clientId || !options.redirectUris.includes(redirectUri)) {
        res
          .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
          .end('unknown client or redirect_uri');
        return;
      }
      const back = new URL(redirectUri);
      const fail = (error: string) => {
        back.searchParams.set('error', error);
        if (p.get('state') !== null) back.searchParams.set('state', p.get('state') as string);
        back.searchParams.set('iss', issuer);
        res.writeHead(302, { location: back.toString() }).end();
      };
      if (p.get('response_type') !== 'code') return fail('unsupported_response_type');
      if (!(p.get('scope') ?? '').split(' ').includes('openid')) return fail('invalid_scope');
      if (p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge'))
        return fail('invalid_request');
      const username = p.get('login_hint') ?? p.get('username');
      const user = options.users.find((u) => u.sub === username);
      if (!user || (p.get('username') !== null && p.get('password') !== username)) {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(loginForm(p, username !== null));
        return;
      }
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        user,
        redirectUri,
        challenge: p.get('code_challenge') as string,
        nonce: p.get('nonce'),
        expiresAtMs: Date.now() + codeTtlMs,
      });
      back.searchParams.set('code', code);
      if (p.get('state') !== null) back.searchParams.set('state', p.get('state') as string);
      back.searchParams.set('iss', issuer);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (!clientAuthenticated(req.headers.authorization, options.clientId, options.clientSecret))
        return json(401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'authorization_code')
        return json(400, { error: 'unsupported_grant_type' });
      const code = form.get('code') ?? '';
      const entry = codes.get(code);
      codes.delete(code); // single use
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !entry ||
        entry.expiresAtMs < Date.now() ||
        entry.redirectUri !== form.get('redirect_uri') ||
        challenge !== entry.challenge
      )
        return json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: issuer,
        sub: entry.user.sub,
        aud: options.clientId,
        iat: now,
        exp: now + 300,
        auth_time: now,
        ...(entry.nonce !== null ? { nonce: faults.wrongNonce ? `${entry.nonce}x` : entry.nonce } : {}),
        ...entry.user.claims,
      };
      let idToken = jwt({ alg: 'RS256', typ: 'JWT', kid }, payload, privateKey);
      if (faults.tamperIdToken) {
        const [h, , s] = idToken.split('.');
        const forged = Buffer.from(JSON.stringify({ ...payload, ...faults.tamperIdToken })).toString(
          'base64url',
        );
        idToken = `${h}.${forged}.${s}`;
      }
      return json(200, {
        access_token: randomBytes(24).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'openid profile campus',
        id_token: idToken,
      });
    }
    res.writeHead(404).end();
  }

  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    issuer,
    server,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function jwt(header: object, payload: object, key: Parameters<typeof sign>[2]): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function clientAuthenticated(header: string | undefined, id: string, secret: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  // RFC 6749 2.3.1: id and secret are form-urlencoded before they are joined.
  const [user = '', pass = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  const decode = (v: string) => decodeURIComponent(v.replaceAll('+', ' '));
  let offered: Buffer;
  try {
    offered = Buffer.from(`${decode(user)}:${decode(pass)}`);
  } catch {
    return false;
  }
  const expected = Buffer.from(`${id}:${secret}`);
  return offered.length === expected.length && timingSafeEqual(offered, expected);
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

function loginForm(params: URLSearchParams, failed: boolean): string {
  const hidden = [...params]
    .filter(([k]) => k !== 'username' && k !== 'password' && k !== 'login_hint')
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return `<!doctype html><meta charset="utf-8"><title>统一身份认证（模拟）</title>
<h1>统一身份认证（模拟 OIDC）</h1>${failed ? '<p>用户名或密码错误</p>' : ''}
<form method="get" action="/auth">${hidden}
<label>学工号 <input name="username"></label> <label>密码 <input name="password" type="password"></label>
<button type="submit">登录</button></form><p>模拟服务器：密码与学工号相同。</p>`;
}
