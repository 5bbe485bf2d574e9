import type { Middleware } from 'koa';
import Router from 'koa-router';
import { z } from 'zod';
import { BffError } from '../errors.ts';
import { parseBody } from '../http/middleware.ts';
import { SSO_STATE_COOKIE, type SsoFailure, SsoLoginError, type SsoService } from '../services/sso.ts';

const providerPath = z.object({ provider: z.string().regex(/^[a-z0-9]{1,16}$/) });
export const exchangeBody = z.strictObject({ code: z.string().min(20).max(64) });

/** What a sign-on flow offers its routes: the H5 app's (SsoService) and the backoffice's (AdminSso). */
export interface SsoFlow {
  providers(): { id: string; kind: string; label: string }[];
  start(providerId: string): Promise<{ location: string; state: string }>;
  callback(providerId: string, query: URLSearchParams, cookieState: string | undefined): Promise<string>;
  landing(result: { code: string } | { failure: SsoFailure }): string;
  exchange(code: string): Promise<unknown>;
}

export interface SsoRouteOptions {
  /** The routes' prefix ('' under a router that has one already). */
  prefix: string;
  /** Where the browser sends the state cookie back: the callback's path, no wider. */
  cookiePath: string;
  secureCookie: boolean;
  /** Counts starts per client address (each keeps a flow in the kv for 10 minutes). */
  limitStarts: Middleware;
  /** Reads the exchange's body, where no earlier middleware has. */
  readBody?: Middleware;
  /** Told to the H5 app with the providers: whether it may offer the demo's one-tap sign-in. */
  demoSignIn?: boolean;
}

/**
 * One campus single sign-on flow over HTTP (docs/sso.md): the providers on offer, the redirect to the
 * identity provider, its callback (which lands the browser back with a one-use code or a failure), and
 * the trade of that code for what the sign-in opened. `sso` is undefined when SSO_PROVIDERS is unset:
 * the list is empty and the rest answers NOT_FOUND.
 */
export function ssoFlowRoutes(sso: SsoFlow | undefined, options: SsoRouteOptions): Router {
  const router = new Router(options.prefix ? { prefix: options.prefix } : {});
  const { cookiePath } = options;
  const need = () => {
    if (!sso) throw new BffError('NOT_FOUND', 'single sign-on is not configured');
    return sso;
  };
  router.get('/sso/providers', (ctx) => {
    ctx.body = {
      providers: sso?.providers() ?? [],
      ...(options.demoSignIn === undefined ? {} : { demoSignIn: options.demoSignIn }),
    };
  });
  // Each start keeps a flow in the kv for 10 minutes: counted per client address, reserved first.
  router.get('/sso/:provider/start', options.limitStarts, async (ctx) => {
    const { provider } = parseProvider(ctx.params);
    const { location, state } = await need().start(provider);
    // Ties the callback to this browser: a callback whose state is not this cookie's is refused.
    ctx.append(
      'Set-Cookie',
      `${SSO_STATE_COOKIE}=${state}; Path=${cookiePath}; Max-Age=600; HttpOnly; SameSite=Lax${options.secureCookie ? '; Secure' : ''}`,
    );
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(location);
  });
  router.get('/sso/:provider/callback', async (ctx) => {
    const { provider } = parseProvider(ctx.params);
    const service = need();
    ctx.append('Set-Cookie', `${SSO_STATE_COOKIE}=; Path=${cookiePath}; Max-Age=0; HttpOnly; SameSite=Lax`);
    ctx.set('Cache-Control', 'no-store');
    const query = new URLSearchParams(ctx.querystring);
    try {
      const code = await service.callback(provider, query, cookieOf(ctx.get('Cookie'), SSO_STATE_COOKIE));
      ctx.redirect(service.landing({ code }));
    } catch (error) {
      if (!(error instanceof SsoLoginError)) throw error;
      ctx.redirect(service.landing({ failure: error.failure }));
    }
  });
  const exchange: Middleware = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await need().exchange(parseBody(ctx, exchangeBody).code);
  };
  if (options.readBody) router.post('/sso/exchange', options.readBody, exchange);
  else router.post('/sso/exchange', exchange);
  return router;
}

/** The H5 build's sign-on, under the public router's /api/v1 prefix. */
export function ssoRoutes(
  sso: SsoService | undefined,
  options: { secureCookie: boolean; limitStarts: Middleware; demoSignIn: boolean },
): Router {
  return ssoFlowRoutes(sso, { prefix: '', cookiePath: '/api/v1/sso', ...options });
}

export function parseProvider(params: unknown): { provider: string } {
  const parsed = providerPath.safeParse(params);
  if (!parsed.success) throw new BffError('NOT_FOUND', 'no such sign-on provider');
  return parsed.data;
}

export function cookieOf(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
