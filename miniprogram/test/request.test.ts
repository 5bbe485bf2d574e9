import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApiError,
  createApiClient,
  type HttpRequest,
  type HttpResponse,
  queryString,
  type SessionTokens,
  type TokenStore,
} from '../src/services/request.ts';
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

/** A transport that answers from a function and records every request. */
function fakeBff(answer: (request: HttpRequest) => HttpResponse | Promise<HttpResponse>) {
  const seen: HttpRequest[] = [];
  return {
    seen,
    transport: async (request: HttpRequest) => {
      seen.push(request);
      return answer(request);
    },
  };
}

describe('request wrapper', () => {
  test('when a call succeeds, then it goes to /api/v1 under the base with the bearer token and answers the body', async () => {
    // Goal: pages get plain data and never build URLs or headers themselves.
    const bff = fakeBff(() => ({ status: 200, body: { cardNo: '2024000137' } }));
    const api = createApiClient({
      baseUrl: 'https://card.example.edu.cn',
      transport: bff.transport,
      tokens: tokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
    });
    const card = await api.request<{ cardNo: string }>('GET', '/card', undefined, {
      query: { month: '2026-03' },
    });
    assert.equal(card.cardNo, '2024000137');
    assert.equal(bff.seen[0]?.url, 'https://card.example.edu.cn/api/v1/card?month=2026-03');
    assert.equal(bff.seen[0]?.headers.authorization, 'Bearer a1');
  });

  test('when the access token has expired, then one refresh serves every waiting call and each is retried once', async () => {
    // Goal: five pages loading at once after a long pause do not burn the rotating refresh token five times.
    let refreshes = 0;
    const bff = fakeBff(async (request) => {
      if (request.url.endsWith('/session/refresh')) {
        refreshes += 1;
        assert.deepEqual(request.body, { refreshToken: 'r1' });
        await new Promise((resolve) => setTimeout(resolve, 10));
        return { status: 200, body: { accessToken: 'a2', refreshToken: 'r2' } };
      }
      return request.headers.authorization === 'Bearer a2'
        ? { status: 200, body: { ok: request.url } }
        : { status: 401, body: { code: 'UNAUTHENTICATED', message: 'expired' } };
    });
    const tokens = tokenStore({ accessToken: 'a1', refreshToken: 'r1' });
    const api = createApiClient({ baseUrl: '', transport: bff.transport, tokens });
    const answers = await Promise.all(
      ['/card', '/transactions', '/statements/2026-03'].map((path) =>
        api.request<{ ok: string }>('GET', path),
      ),
    );
    assert.equal(refreshes, 1);
    assert.deepEqual(
      answers.map((answer) => answer.ok),
      ['/api/v1/card', '/api/v1/transactions', '/api/v1/statements/2026-03'],
    );
    assert.deepEqual(tokens.value, { accessToken: 'a2', refreshToken: 'r2' });
  });

  test('when the refresh token is refused, then the tokens are forgotten, the app is told once and the error says log in again', async () => {
    // Goal: a revoked session (logout elsewhere, card reported lost) ends at the login page, not in a loop.
    const bff = fakeBff(() => ({ status: 401, body: { code: 'UNAUTHENTICATED', message: 'no' } }));
    const tokens = tokenStore({ accessToken: 'a1', refreshToken: 'r1' });
    let lost = 0;
    const api = createApiClient({
      baseUrl: '',
      transport: bff.transport,
      tokens,
      onSessionLost: () => lost++,
    });
    await assert.rejects(api.request('GET', '/card'), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'SESSION_EXPIRED');
      assert.equal(error.userMessage, strings.errors.sessionExpired);
      return true;
    });
    assert.equal(tokens.value, undefined);
    assert.equal(lost, 1);
    assert.equal(bff.seen.length, 2, 'the call and one refresh, no retry without a new token');
  });

  test('when the BFF refuses with a code, then the message is a Chinese sentence that does not show the code', async () => {
    // Goal: no raw error codes in front of people.
    const bff = fakeBff(() => ({
      status: 409,
      body: { code: 'INVALID_TRANSITION', message: 'card is lost' },
    }));
    const api = createApiClient({ baseUrl: '', transport: bff.transport, tokens: tokenStore() });
    const error = await api
      .request('POST', '/card/actions', { action: 'freeze' })
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof ApiError);
    assert.equal(error.userMessage, strings.errors.invalidTransition);
    assert.doesNotMatch(error.userMessage, /[A-Z_]{4,}/);
    assert.equal(bff.seen[0]?.headers['content-type'], 'application/json');
  });

  test('when binding is locked out, then the message says how many minutes to wait', async () => {
    const bff = fakeBff(() => ({
      status: 429,
      body: { code: 'BINDING_LOCKED', message: 'locked', details: { retryAfterMs: 14 * 60_000 + 1 } },
    }));
    const api = createApiClient({ baseUrl: '', transport: bff.transport, tokens: tokenStore() });
    const error = await api.request('POST', '/binding', {}).catch((caught: unknown) => caught);
    assert.ok(error instanceof ApiError);
    assert.equal(error.userMessage, strings.errors.bindingLocked(15));
  });

  test('when an unknown code comes with a 5xx, then the message is the generic server sentence', async () => {
    const bff = fakeBff(() => ({ status: 503, body: { code: 'SOMETHING_NEW' } }));
    const api = createApiClient({ baseUrl: '', transport: bff.transport, tokens: tokenStore() });
    const error = await api.request('GET', '/news').catch((caught: unknown) => caught);
    assert.ok(error instanceof ApiError);
    assert.equal(error.userMessage, strings.errors.server);
    assert.equal(error.offline, false);
  });

  test('when no answer comes back, then the error is marked offline with the network sentence', async () => {
    // Goal: the card page tells "offline" (keep showing the cached code) apart from a refusal.
    const api = createApiClient({
      baseUrl: '',
      transport: () => Promise.reject(new Error('request:fail')),
      tokens: tokenStore(),
    });
    const error = await api.request('GET', '/card').catch((caught: unknown) => caught);
    assert.ok(error instanceof ApiError);
    assert.equal(error.offline, true);
    assert.equal(error.userMessage, strings.errors.network);
  });

  test('when a query has empty values, then they are left out and the rest is encoded', () => {
    assert.equal(
      queryString({ month: '2026-03', kind: undefined, cursor: '', q: '食堂 a&b' }),
      '?month=2026-03&q=%E9%A3%9F%E5%A0%82%20a%26b',
    );
    assert.equal(queryString({ kind: undefined }), '');
  });
});

describe('request options', () => {
  test('when a call carries extra headers, then they are sent on the first try and on the retry after a refresh', async () => {
    // Goal: a top-up retried after a token refresh keeps its Idempotency-Key, so it stays one order.
    const bff = fakeBff((request) => {
      if (request.url.endsWith('/session/refresh'))
        return { status: 200, body: { accessToken: 'a2', refreshToken: 'r2' } };
      return request.headers.authorization === 'Bearer a2'
        ? { status: 201, body: { id: 'T1' } }
        : { status: 401, body: { code: 'TOKEN_EXPIRED' } };
    });
    const api = createApiClient({
      baseUrl: '',
      transport: bff.transport,
      tokens: tokenStore({ accessToken: 'a1', refreshToken: 'r1' }),
    });
    await api.request('POST', '/top-ups', { amount: 5000 }, { headers: { 'idempotency-key': 'tu-key-1' } });
    const topUps = bff.seen.filter((request) => request.url.endsWith('/top-ups'));
    assert.equal(topUps.length, 2);
    assert.deepEqual(
      topUps.map((request) => request.headers['idempotency-key']),
      ['tu-key-1', 'tu-key-1'],
    );
  });
});
