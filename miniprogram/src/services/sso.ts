import { type ApiClient, apiPrefix, type SessionTokens, type TokenStore } from './request.ts';
import type { SessionAnswer } from './types.ts';

/** A campus identity provider the BFF offers (GET /sso/providers; empty where SSO is not configured). */
export interface SsoProvider {
  readonly id: string;
  readonly kind: 'cas' | 'oidc';
  readonly label: string;
}

/**
 * How the H5 app may sign in: the campus providers to offer (single sign-on is a browser redirect flow)
 * and whether the demo's one-tap sign-in is there (never in production: the BFF says so).
 */
export async function h5SignInOptions(
  api: ApiClient,
): Promise<{ providers: readonly SsoProvider[]; demoSignIn: boolean }> {
  const answer = await api.request<{ providers: SsoProvider[]; demoSignIn?: boolean }>(
    'GET',
    '/sso/providers',
    undefined,
    { auth: false },
  );
  return { providers: answer.providers, demoSignIn: answer.demoSignIn === true };
}

/** Where the browser goes to sign in at the campus identity provider (same origin as the H5 page). */
export const ssoStartUrl = (provider: string) => `${apiPrefix}/sso/${encodeURIComponent(provider)}/start`;

/**
 * What the identity provider's round trip left in the address (?sso_code= or ?sso_error=), taken out of
 * it at once so a reload or a shared link does not carry the one-use code.
 */
export function ssoLanding(): { code?: string; error?: string } | undefined {
  if (typeof window === 'undefined') return undefined;
  const url = new URL(window.location.href);
  const code = url.searchParams.get('sso_code') ?? undefined;
  const error = url.searchParams.get('sso_error') ?? undefined;
  if (code === undefined && error === undefined) return undefined;
  url.searchParams.delete('sso_code');
  url.searchParams.delete('sso_error');
  window.history.replaceState(window.history.state, '', url.toString());
  return { ...(code ? { code } : {}), ...(error ? { error } : {}) };
}

/** Trades the callback's one-use code for the session and keeps its tokens. */
export async function finishSso(api: ApiClient, tokens: TokenStore, code: string): Promise<SessionAnswer> {
  const answer = await api.request<SessionAnswer>('POST', '/sso/exchange', { code }, { auth: false });
  const next: SessionTokens = { accessToken: answer.accessToken, refreshToken: answer.refreshToken };
  tokens.set(next);
  return answer;
}
