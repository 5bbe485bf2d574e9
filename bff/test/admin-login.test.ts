import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromBase32, totp } from '../../core/src/admin/totp.ts';
import { loginFailuresPerAddressMax } from '../src/admin/admin-login.ts';
import { roleRights } from '../src/admin/rights.ts';
import { startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { adminToken } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Body = Record<string, unknown>;
const password = 'correct-horse-battery';

describe('admin sign-in: password, lockout, TOTP, session expiry', () => {
  let world: TestWorld;
  let superToken: string;
  before(async () => {
    world = await startWorld();
    await world.core.client.createAdmin({
      username: 'root',
      displayName: '管理员',
      role: 'super_admin',
      password,
    });
    superToken = await adminToken(world, 'root', password);
  });
  after(() => world.stop());

  const login = (username: string, pass: string) =>
    world.request<Body>('POST', '/api/admin/v1/session', { body: { username, password: pass } });

  test('when the password is wrong five times, then the fifth and every later try (even the right password) is LOCKED_OUT until a super admin unlocks', async () => {
    const account = await world.core.client.createAdmin({
      username: 'clumsy',
      displayName: '操作员甲',
      role: 'card_operator',
      password,
    });
    for (let i = 1; i <= 4; i++) {
      const reply = await login('clumsy', `wrong-password-${i}`);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.code, 'LOGIN_FAILED');
    }
    const fifth = await login('clumsy', 'wrong-password-5');
    assert.equal(fifth.status, 423);
    assert.equal(fifth.body.code, 'LOCKED_OUT');
    assert.equal((await login('clumsy', password)).body.code, 'LOCKED_OUT');
    // An unknown name answers exactly like a wrong password.
    assert.deepEqual((await login('nobody', password)).body, {
      code: 'LOGIN_FAILED',
      message: 'wrong username, password or code',
    });

    const unlocked = await world.request('POST', `/api/admin/v1/accounts/${account.id}/unlock`, {
      token: superToken,
      body: {},
    });
    assert.equal(unlocked.status, 200);
    assert.equal((await login('clumsy', password)).body.status, 'signed_in');
    const trail = await world.request<{ items: { action: string }[] }>(
      'GET',
      '/api/admin/v1/audit?targetId=clumsy',
      {
        token: superToken,
      },
    );
    assert.deepEqual(
      trail.body.items.map((e) => e.action),
      ['session.locked_out', 'session.locked_out', ...Array(4).fill('session.login_failed')],
    );
  });

  test('when an account has TOTP, then the password alone gives no session, a right code does once, and a replayed or wrong code is refused', async () => {
    const account = await world.core.client.createAdmin({
      username: 'cashier',
      displayName: '财务乙',
      role: 'finance',
      password,
      totp: true,
    });
    assert.ok(account.totpSecret);
    const secret = fromBase32(account.totpSecret);
    const first = await login('cashier', password);
    assert.equal(first.body.status, 'totp_required');
    assert.equal(first.body.token, undefined);
    const challenge = first.body.challenge as string;

    const wrong = await world.request<Body>('POST', '/api/admin/v1/session/totp', {
      body: { challenge, code: totp(secret, Date.now() + 300_000) },
    });
    assert.equal(wrong.body.code, 'LOGIN_FAILED');
    const code = totp(secret, Date.now());
    const right = await world.request<Body>('POST', '/api/admin/v1/session/totp', {
      body: { challenge, code },
    });
    assert.equal(right.body.status, 'signed_in', JSON.stringify(right.body));
    const me = await world.request<Body>('GET', '/api/admin/v1/me', { token: right.body.token as string });
    assert.equal(me.body.username, 'cashier');
    assert.deepEqual(me.body.rights, [...roleRights.finance]);

    // The same code with a fresh password step is a replay.
    const again = await login('cashier', password);
    const replay = await world.request<Body>('POST', '/api/admin/v1/session/totp', {
      body: { challenge: again.body.challenge, code },
    });
    assert.equal(replay.body.code, 'LOGIN_FAILED');
  });

  test('when a session is unused for longer than its idle time, or signed out, then it no longer works', async () => {
    const short = await startBff(loadConfig({ ...world.env, ADMIN_SESSION_IDLE_MS: '700' }));
    try {
      const reply = await world.request<Body>('POST', '/api/admin/v1/session', {
        body: { username: 'root', password },
        bff: short,
      });
      const token = reply.body.token as string;
      assert.equal((await world.request('GET', '/api/admin/v1/me', { token, bff: short })).status, 200);
      await sleep(400);
      assert.equal((await world.request('GET', '/api/admin/v1/me', { token, bff: short })).status, 200);
      await sleep(400);
      // Used 400 ms ago: still alive because each request starts the idle time again.
      assert.equal((await world.request('GET', '/api/admin/v1/me', { token, bff: short })).status, 200);
      await sleep(1000);
      const expired = await world.request<Body>('GET', '/api/admin/v1/me', { token, bff: short });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.code, 'SESSION_REVOKED');
    } finally {
      await short.close();
    }
    const token = await adminToken(world, 'root', password);
    assert.equal((await world.request('DELETE', '/api/admin/v1/session', { token })).status, 200);
    assert.equal((await world.request('GET', '/api/admin/v1/me', { token })).status, 401);
  });

  // Last: it leaves this address refused for the rest of the window.
  test('when one address fails to sign in on many accounts, then it is refused for a while, even with a right password', async () => {
    let attempts = 0;
    let reply = await login('spray-0', 'Summer2026!');
    while (reply.status === 401 && attempts < 40) {
      attempts += 1;
      reply = await login(`spray-${attempts}`, 'Summer2026!');
    }
    assert.equal(reply.status, 429, JSON.stringify(reply.body));
    assert.equal(reply.body.code, 'RATE_LIMITED');
    assert.ok(attempts <= loginFailuresPerAddressMax, `refused after ${attempts} more failures`);
    assert.equal((await login('root', password)).status, 429);
  });

  // After the one above: this test's socket address is refused now.
  test('when the BFF sits behind a trusted proxy, then each client address is counted apart, and a forged X-Forwarded-For changes nothing', async () => {
    const forged = { 'x-forwarded-for': '203.0.113.7' };
    const direct = await world.request('POST', '/api/admin/v1/session', {
      body: { username: 'root', password },
      headers: forged,
    });
    assert.equal(direct.status, 429, 'with no trusted proxy the header is ignored');
    const behindProxy = await startBff(loadConfig({ ...world.env, TRUSTED_PROXY_HOPS: '1' }));
    try {
      const viaProxy = (xff: string) =>
        world.request<Body>('POST', '/api/admin/v1/session', {
          body: { username: 'root', password },
          headers: { 'x-forwarded-for': xff },
          bff: behindProxy,
        });
      assert.equal((await viaProxy('203.0.113.7')).status, 200);
      // The proxy appended the refused address; what the client wrote before it does not count.
      assert.equal((await viaProxy('203.0.113.8, 127.0.0.1')).status, 429);
    } finally {
      await behindProxy.close();
    }
  });
});
