import type { ApiClient, SessionTokens, TokenStore } from './request.ts';
import type { SessionAnswer } from './types.ts';

/**
 * Where a login code is traded: the Alipay build's codes come from my.getAuthCode and are traded through
 * alipay.system.oauth.token, every other build's from wx.login (or the H5 demo's WeChat stand-in).
 */
export const sessionPath = process.env.TARO_ENV === 'alipay' ? '/session/alipay' : '/session';

/** Trades a wx.login / my.getAuthCode code for our session and keeps its tokens. */
export async function logIn(api: ApiClient, tokens: TokenStore, code: string): Promise<SessionAnswer> {
  const answer = await api.request<SessionAnswer>('POST', sessionPath, { code }, { auth: false });
  const next: SessionTokens = { accessToken: answer.accessToken, refreshToken: answer.refreshToken };
  tokens.set(next);
  return answer;
}

export async function logOut(api: ApiClient, tokens: TokenStore): Promise<void> {
  try {
    await api.request<void>('DELETE', '/session');
  } finally {
    // Logged out on this phone even when the BFF could not be told.
    tokens.set(undefined);
  }
}
