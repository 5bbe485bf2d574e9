import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { redisUrl } from '@campus-card/tests/kit';
import jwt from 'jsonwebtoken';
import { RedisKv } from '../src/kv/redis-kv.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('BFF skeleton: errors, headers, CORS, auth and limits', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ RATE_IP_PER_MIN: '40', BFF_BODY_BYTES_MAX: '1024' });
  });
  after(() => world.stop());

  test('when health is asked, then it answers ok with the security headers and a request id', async () => {
    const reply = await world.request('GET', '/api/v1/health');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: 'ok' });
    assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(reply.headers.get('x-frame-options'), 'DENY');
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    assert.match(reply.headers.get('x-request-id') ?? '', /^[\w-]+$/);
  });

  test('when a request id is sent, then the same id comes back', async () => {
    const reply = await world.request('GET', '/api/v1/health', {
      headers: { 'x-request-id': 'req-abc-123' },
    });
    assert.equal(reply.headers.get('x-request-id'), 'req-abc-123');
  });

  test('when a route does not exist, then the answer is 404 NOT_FOUND in the usual shape', async () => {
    const reply = await world.request('GET', '/nowhere');
    assert.equal(reply.status, 404);
    assert.equal(reply.body.code, 'NOT_FOUND');
    assert.equal(typeof reply.body.message, 'string');
  });

  test('when the H5 origin asks for CORS, then it is allowed; any other origin gets no CORS headers', async () => {
    const allowed = await world.request('OPTIONS', '/api/v1/health', {
      headers: { origin: 'http://127.0.0.1:10086', 'access-control-request-method': 'POST' },
    });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://127.0.0.1:10086');
    const other = await world.request('GET', '/api/v1/health', {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('when a body is larger than the limit, then the answer is 413 PAYLOAD_TOO_LARGE', async () => {
    const reply = await world.request('POST', '/api/v1/health', { body: { pad: 'x'.repeat(2000) } });
    assert.equal(reply.status, 413);
    assert.equal(reply.body.code, 'PAYLOAD_TOO_LARGE');
  });

  describe('signed-in routes', () => {
    test('when no token is sent, then the answer is 401 UNAUTHENTICATED', async () => {
      const reply = await world.request('GET', '/api/v1/session');
      assert.equal(reply.status, 401);
      assert.equal(reply.body.code, 'UNAUTHENTICATED');
    });

    test('when a token of a live session is sent, then the user is known; after revocation it is refused', async () => {
      const sessionId = randomUUID();
      await world.bff.bff.sessions.open(sessionId, { openid: 'o-1', createdAtMs: Date.now() });
      const token = world.bff.bff.tokens.issue({ sub: 'o-1', sid: sessionId });
      const ok = await world.request('GET', '/api/v1/session', { token });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, { openid: 'o-1', sessionId });
      await world.bff.bff.sessions.revoke(sessionId);
      const revoked = await world.request('GET', '/api/v1/session', { token });
      assert.equal(revoked.status, 401);
      assert.equal(revoked.body.code, 'SESSION_REVOKED');
    });

    test('when a token is expired, forged or for another user, then it is refused with its own code', async () => {
      const sessionId = randomUUID();
      await world.bff.bff.sessions.open(sessionId, { openid: 'o-2', createdAtMs: Date.now() });
      const secret = world.env.JWT_SECRET as string;
      const options = { issuer: 'campus-card-bff', audience: 'campus-card-miniprogram' };
      const expired = jwt.sign({ sid: sessionId, exp: Math.floor(Date.now() / 1000) - 10 }, secret, {
        ...options,
        subject: 'o-2',
      });
      assert.equal(
        (await world.request('GET', '/api/v1/session', { token: expired })).body.code,
        'TOKEN_EXPIRED',
      );
      const forged = jwt.sign({ sid: sessionId }, 'another-secret-of-thirty-two-characters!', {
        ...options,
        subject: 'o-2',
      });
      assert.equal(
        (await world.request('GET', '/api/v1/session', { token: forged })).body.code,
        'UNAUTHENTICATED',
      );
      const otherUser = world.bff.bff.tokens.issue({ sub: 'o-3', sid: sessionId });
      assert.equal(
        (await world.request('GET', '/api/v1/session', { token: otherUser })).body.code,
        'SESSION_REVOKED',
      );
    });
  });

  test('when one address exceeds its requests per minute, then it gets 429 RATE_LIMITED with retry-after', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i += 1) statuses.push((await world.request('GET', '/api/v1/health')).status);
    assert.ok(statuses.includes(429), 'some requests past the limit are refused');
    const refused = await world.request('GET', '/api/v1/health');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'RATE_LIMITED');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });
});

describe('Redis kv', () => {
  test('when two instances share a prefix, then a message published by one reaches the other', async () => {
    const prefix = `cc-test-${randomUUID()}:`;
    const a = new RedisKv(redisUrl, prefix);
    const b = new RedisKv(redisUrl, prefix);
    try {
      const received = new Promise<string>((resolve) => {
        void b.subscribe('push', resolve);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await a.publish('push', 'hello');
      assert.equal(await received, 'hello');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('when a one-time value is taken twice, then only the first take gets it', async () => {
    const kv = new RedisKv(redisUrl, `cc-test-${randomUUID()}:`);
    try {
      await kv.set('invite', 'child-1', 60_000);
      const takes = await Promise.all([kv.take('invite'), kv.take('invite'), kv.take('invite')]);
      assert.deepEqual(
        takes.filter((t) => t !== null),
        ['child-1'],
      );
      assert.equal(await kv.increment('count', 60_000), 1);
      assert.equal(await kv.increment('count', 60_000), 2);
      assert.equal(await kv.setIfAbsent('once', 'x', 60_000), true);
      assert.equal(await kv.setIfAbsent('once', 'y', 60_000), false);
    } finally {
      await kv.close();
    }
  });
});
