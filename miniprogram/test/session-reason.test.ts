// Issue 19: a phone signed out by something done elsewhere (a parent's or its own loss report, unbinding,
// a PIN reset, a reused refresh token) is told why, not silently.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { labelOf } from '../src/labels.ts';
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

  test("#19 when the student's own doing elsewhere ends this phone's session (a loss report, unbinding, a PIN reset, a reused sign-in), then the login page has a Chinese sentence for each reason", async () => {
    for (const [reason, words] of [
      ['report_loss', /另一台设备上为校园卡办理挂失/],
      ['unbound', /解除与本账号的绑定/],
      ['pin_reset', /支付密码已在另一台设备上通过身份验证重置/],
      ['refresh_reused', /登录凭证在另一处被使用/],
    ] as const) {
      const lost: (string | undefined)[] = [];
      const api = createApiClient({
        baseUrl: '',
        tokens: tokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
        onSessionLost: (why) => lost.push(why),
        transport: async () => ({
          status: 401,
          body: { code: 'SESSION_REVOKED', message: 'this session has ended', details: { reason } },
        }),
      });
      await assert.rejects(api.request('GET', '/card'));
      assert.deepEqual(lost, [reason]);
      const sentence = labelOf(strings.login.signedOut, reason);
      assert.match(sentence, words);
      assert.doesNotMatch(sentence, /[A-Za-z_]/, 'no English or codes to the student');
    }
  });

  test('#19 when only the access token had expired and the refresh is refused with a reason (or as a reused token), then that reason is the one given', async () => {
    for (const [refusal, reason] of [
      [{ code: 'SESSION_REVOKED', message: 'ended', details: { reason: 'unbound' } }, 'unbound'],
      [
        { code: 'REFRESH_REUSED', message: 'reused', details: { reason: 'refresh_reused' } },
        'refresh_reused',
      ],
    ] as const) {
      const lost: (string | undefined)[] = [];
      const api = createApiClient({
        baseUrl: '',
        tokens: tokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
        onSessionLost: (why) => lost.push(why),
        transport: async (request) =>
          request.url.endsWith('/session/refresh')
            ? { status: 401, body: refusal }
            : { status: 401, body: { code: 'TOKEN_EXPIRED', message: 'expired' } },
      });
      await assert.rejects(api.request('GET', '/card'));
      assert.deepEqual(lost, [reason]);
    }
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
