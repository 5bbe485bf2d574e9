import type { Middleware } from 'koa';
import Router from 'koa-router';
import { BffError } from '../errors.ts';
import { parseBody } from '../http/middleware.ts';
import { cookieOf, exchangeBody, parseProvider } from '../routes/sso.ts';
import { SSO_STATE_COOKIE, SsoLoginError } from '../services/sso.ts';
import type { AdminSso } from './admin-sso.ts';
import { adminPrefix } from './routes.ts';

const cookiePath = `${adminPrefix}/sso`;

/**
 * The backoffice's campus single sign-on (docs/sso.md): the providers, the redirect, the callback
 * (landing the backoffice with ?sso_code= or ?sso_error=) and the trade of the code for the
 * sign-in's next step. `sso` is undefined when SSO_PROVIDERS is unset: the list is empty.
 */
export function adminSsoRoutes(
  sso: AdminSso | undefined,
  secureCookie: boolean,
  limitStarts: Middleware,
  readBody: Middleware,
): Router {
  const router = new Router({ prefix: adminPrefix });
  const need = () => {
    if (!sso) throw new BffError('NOT_FOUND', 'single sign-on is not configured');
    return sso;
  };
  router.get('/sso/providers', (ctx) => {
    ctx.body = { providers: sso?.providers() ?? [] };
  });
  router.get('/sso/:provider/start', limitStarts, async (ctx) => {
    const { provider } = parseProvider(ctx.params);
    const { location, state } = await need().start(provider);
    ctx.append(
      'Set-Cookie',
      `${SSO_STATE_COOKIE}=${state}; Path=${cookiePath}; Max-Age=600; HttpOnly; SameSite=Lax${secureCookie ? '; Secure' : ''}`,
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
  router.post('/sso/exchange', readBody, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await need().exchange(parseBody(ctx, exchangeBody).code);
  });
  return router;
}
