// Issue 19: a phone signed out by someone else (a parent's loss report) is told why, not silently.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError, createApiClient, type SessionTokens, type TokenStore } from '../src/services/request.ts';
import { strings } from '../src/strings.ts';

function tokenStore(initial?: SessionTokens): TokenStore & { value?: SessionTokens } {
  const store: TokenStore & { value?: SessionTokens } = {
    value: initial,
    get: () => store.value,
    set: (tokens) => {
      store.value = tokens;
    },
  };
  return store;
}

describe('why the session ended', () => {
  test("#19.4 when the BFF ends the session for a parent's loss report, then the app is told the reason once and the login page has its sentence", async () => {
    const lost: (string | undefined)[] = [];
    const api = createApiClient({
      baseUrl: '',
      tokens: tokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
      onSessionLost: (reason) => lost.push(reason),
      transport: async (request) =>
        request.url.endsWith('/session/refresh')
          ? {
              status: 401,
              body: { code: 'SESSION_REVOKED', message: 'this session has ended; sign in again' },
            }
          : {
              status: 401,
              body: {
                code: 'SESSION_REVOKED',
                message: 'this session has ended',
                details: { reason: 'parent_report_loss' },
              },
            },
    });
    await assert.rejects(api.request('GET', '/card'), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'SESSION_EXPIRED');
      return true;
    });
    assert.deepEqual(lost, ['parent_report_loss']);
    assert.match(strings.login.signedOut.parent_report_loss ?? '', /家长已为你的校园卡办理挂失/);
  });

  test('when the session simply expired, then no reason is given', async () => {
    const lost: (string | undefined)[] = [];
    const api = createApiClient({
      baseUrl: '',
      tokens: tokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
      onSessionLost: (reason) => lost.push(reason),
      transport: async () => ({ status: 401, body: { code: 'SESSION_REVOKED', message: 'ended' } }),
    });
    await assert.rejects(api.request('GET', '/card'));
    assert.deepEqual(lost, [undefined]);
  });
});
