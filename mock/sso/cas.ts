import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A CAS 3.0 server stand-in (https://apereo.github.io/cas/7.2.x/protocol/CAS-Protocol-Specification.html)
 * for tests and the demo: /login shows a form (or takes username/password as query parameters) and
 * sends the browser to `service?ticket=ST-…`; /p3/serviceValidate answers the documented XML, or
 * JSON with format=JSON. Tickets are single use (spent on the first validation, right or wrong), bound
 * to the exact service URL, and live 5 minutes. Passwords are the user id itself: a stand-in.
 */
export interface CasUser {
  /** The CAS user id (may start with 0: it is text). */
  user: string;
  attributes: Record<string, string[]>;
}

export interface CasStandIn {
  url: string;
  server: Server;
  /** Services /login accepts (prefix match, like a CAS service registry). */
  allowedServices: string[];
  close(): Promise<void>;
}

const ticketTtlMs = 5 * 60_000;

export async function startCasStandIn(options: {
  users: CasUser[];
  allowedServices?: string[];
  port?: number;
}): Promise<CasStandIn> {
  const tickets = new Map<string, { service: string; user: CasUser; expiresAtMs: number }>();
  const allowedServices = options.allowedServices ?? [];
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      res.writeHead(500).end();
    }
  });
  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://cas.invalid');
    const service = url.searchParams.get('service') ?? '';
    if (url.pathname === '/login') {
      if (!allowedServices.some((allowed) => service.startsWith(allowed))) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('service not allowed');
        return;
      }
      const username = url.searchParams.get('username');
      if (username === null) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(service));
        return;
      }
      const user = options.users.find((u) => u.user === username);
      if (!user || url.searchParams.get('password') !== username) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(service, true));
        return;
      }
      const ticket = `ST-${randomBytes(24).toString('base64url')}`;
      tickets.set(ticket, { service, user, expiresAtMs: Date.now() + ticketTtlMs });
      const back = new URL(service);
      back.searchParams.set('ticket', ticket);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/p3/serviceValidate' || url.pathname === '/serviceValidate') {
      const json = url.searchParams.get('format') === 'JSON';
      const ticket = url.searchParams.get('ticket') ?? '';
      const entry = tickets.get(ticket);
      tickets.delete(ticket); // single use: spent whatever the outcome
      let answer: Answer;
      if (!service || !ticket) answer = { code: 'INVALID_REQUEST', text: 'service and ticket are required' };
      else if (!entry || entry.expiresAtMs < Date.now())
        answer = { code: 'INVALID_TICKET', text: `Ticket '${ticket.slice(0, 40)}' not recognized` };
      else if (entry.service !== service)
        answer = { code: 'INVALID_SERVICE', text: 'ticket was not issued for this service' };
      else answer = { user: entry.user, attributes: url.pathname.startsWith('/p3/') };
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/xml; charset=utf-8' });
      res.end(json ? JSON.stringify(jsonOf(answer)) : xmlOf(answer));
      return;
    }
    res.writeHead(404).end();
  }
  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    allowedServices,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Answer = { code: string; text: string } | { user: CasUser; attributes: boolean };

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

function xmlOf(answer: Answer): string {
  const head = '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">';
  if ('code' in answer)
    return `${head}<cas:authenticationFailure code="${answer.code}">${escapeHtml(answer.text)}</cas:authenticationFailure></cas:serviceResponse>`;
  const attributes = answer.attributes
    ? `<cas:attributes>${Object.entries(answer.user.attributes)
        .flatMap(([k, values]) => values.map((v) => `<cas:${k}>${escapeHtml(v)}</cas:${k}>`))
        .join('')}<cas:isFromNewLogin>true</cas:isFromNewLogin></cas:attributes>`
    : '';
  return `${head}<cas:authenticationSuccess><cas:user>${escapeHtml(answer.user.user)}</cas:user>${attributes}</cas:authenticationSuccess></cas:serviceResponse>`;
}

function jsonOf(answer: Answer) {
  if ('code' in answer)
    return { serviceResponse: { authenticationFailure: { code: answer.code, description: answer.text } } };
  return {
    serviceResponse: {
      authenticationSuccess: {
        user: answer.user.user,
        ...(answer.attributes ? { attributes: answer.user.attributes } : {}),
      },
    },
  };
}

function loginForm(service: string, failed = false): string {
  return `<!doctype html><meta charset="utf-8"><title>统一身份认证（模拟）</title>
<h1>统一身份认证（模拟 CAS）</h1>${failed ? '<p>用户名或密码错误</p>' : ''}
<form method="get" action="/login"><input type="hidden" name="service" value="${escapeHtml(service)}">
<label>学工号 <input name="username"></label> <label>密码 <input name="password" type="password"></label>
<button type="submit">登录</button></form><p>模拟服务器：密码与学工号相同。</p>`;
}
