import type { Middleware } from 'koa';
import type Router from 'koa-router';
import { ssoFlowRoutes } from '../routes/sso.ts';
import type { AdminSso } from './admin-sso.ts';
import { adminPrefix } from './routes.ts';

/**
 * The backoffice's campus single sign-on (docs/sso.md): the same routes as the H5 app's
 * (routes/sso.ts) under the admin prefix, the callback landing the backoffice with ?sso_code= or
 * ?sso_error= and the code traded for the sign-in's next step. The admin API reads bodies only after
 * its own checks, so the exchange reads its own. `sso` is undefined when SSO_PROVIDERS is unset.
 */
export function adminSsoRoutes(
  sso: AdminSso | undefined,
  secureCookie: boolean,
  limitStarts: Middleware,
  readBody: Middleware,
): Router {
  return ssoFlowRoutes(sso, {
    prefix: adminPrefix,
    cookiePath: `${adminPrefix}/sso`,
    secureCookie,
    limitStarts,
    readBody,
  });
}
