import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { totp } from '../../core/src/admin/totp.ts';
import { advanceClockTo, holdClock } from '../../tests/clock.ts';
import { loginFailuresPerAddressMax } from '../src/admin/admin-login.ts';
import { roleRights } from '../src/admin/rights.ts';
import { type RunningBff, startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { adminToken } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Body = Record<string, unknown>;
const password = 'correct-horse-battery';

describe('admin sign-in: password, lockout, TOTP, session expiry', () => {
  let world: TestWorld;
  let superToken: string;
  /** A BFF that believes X-Forwarded-For from this machine, so each test can sign in from its own addresses. */
  let proxied: RunningBff;
  before(async () => {
    world = await startWorld();
    proxied = await startBff(loadConfig({ ...world.env, TRUSTED_PROXIES: '127.0.0.1' }));
    await world.core.client.createAdmin({
      username: 'root',
      displayName: '管理员',
      role: 'super_admin',
      password,
    });
    superToken = await adminToken(world, 'root', password);
  });
  after(async () => {
    await proxied.close();
    await world.stop();
  });

  // Each test signs in from an address of its own (through the proxied BFF), so the per-address
  // delays one test provokes do not reach the next.
  let testNo = 0;
  beforeEach(() => {
    testNo += 1;
  });
  const own = () => ({ 'x-forwarded-for': `192.0.2.${testNo}` });
  const login = (username: string, pass: string) =>
    world.request<Body>('POST', '/api/admin/v1/session', {
      body: { username, password: pass },
      headers: own(),
      bff: proxied,
    });
  const codeStep = (options: { body: Body }) =>
    world.request<Body>('POST', '/api/admin/v1/session/totp', { ...options, headers: own(), bff: proxied });

  const loginFrom = (address: string, username: string, pass: string) =>
    world.request<Body>('POST', '/api/admin/v1/session', {
      body: { username, password: pass },
      headers: { 'x-forwarded-for': address },
      bff: proxied,
    });

  test('#12.8 when the password is wrong five times, then every further try waits a doubling delay with Retry-After (the right password too), and a super admin can lift it', async () => {
    const account = await world.core.client.createAdmin({
      username: 'clumsy',
      displayName: '审计甲',
      role: 'auditor',
      password,
    });
    // Each step at one instant (tests/clock.ts), so the 1 s wait cannot run out while a loaded
    // machine serves the tries that should meet it.
    await holdClock(async () => {
      for (let i = 1; i <= 5; i++) {
        const reply = await login('clumsy', `wrong-password-${i}`);
        assert.equal(reply.status, 401);
        assert.equal(reply.body.code, 'LOGIN_FAILED');
      }
      const waiting = await login('clumsy', password);
      assert.equal(waiting.status, 423);
      assert.equal(waiting.body.code, 'LOCKED_OUT');
      assert.equal(waiting.headers.get('retry-after'), '1');
    });
    advanceClockTo(Date.now() + 1100);
    // The wait is over: one more try; wrong, it doubles the wait.
    await holdClock(async () => {
      assert.equal((await login('clumsy', 'wrong-password-6')).body.code, 'LOGIN_FAILED');
      const longer = await login('clumsy', password);
      assert.equal(longer.body.code, 'LOCKED_OUT');
      assert.equal(longer.headers.get('retry-after'), '2');
    });
    // An unknown name answers exactly like a wrong password.
    const { requestId: _unknownNameRequestId, ...unknownName } = (await login('nobody', password)).body;
    assert.deepEqual(unknownName, { code: 'LOGIN_FAILED', message: 'wrong username, password or code' });

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
      [
        'session.locked_out',
        'session.login_failed',
        'session.locked_out',
        ...Array(5).fill('session.login_failed'),
      ],
    );
  });

  test('#12.8 when 60 wrong passwords for one account race from 60 addresses, then only the free attempts are checked and the rest wait, whatever the address', async () => {
    await world.core.client.createAdmin({
      username: 'target',
      displayName: '审计乙',
      role: 'auditor',
      password,
    });
    // The whole burst at one instant (tests/clock.ts): however long a loaded machine takes to serve
    // it, none of the delays it sets runs out in between, so what it proves does not depend on speed.
    const replies = await holdClock(() =>
      Promise.all(
        Array.from({ length: 60 }, (_, i) => loginFrom(`198.18.0.${i + 1}`, 'target', `wrong-password-${i}`)),
      ),
    );
    const statuses = replies.map((r) => r.status);
    // Exactly the five free attempts are checked; the other 55 wait the first delay, 1 s.
    assert.equal(statuses.filter((s) => s === 401).length, 5, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 423).length, 55, JSON.stringify(statuses));
    for (const r of replies.filter((r) => r.status === 423)) {
      assert.equal(r.body.code, 'LOCKED_OUT');
      assert.equal(r.headers.get('retry-after'), '1');
    }
    // After the wait, one more wrong try from yet another address doubles it; the right one waits.
    advanceClockTo(Date.now() + 1100);
    await holdClock(async () => {
      assert.equal((await loginFrom('198.18.1.1', 'target', 'wrong-password-x')).status, 401);
      const right = await loginFrom('198.18.1.2', 'target', password);
      assert.equal(right.status, 423);
      assert.equal(right.headers.get('retry-after'), '2');
    });
  });

  test('#12.8 when 50 sign-ins from one address on 50 names race, then only its free attempts and one more are checked, the rest (and a right password) wait, and another address is not slowed', async () => {
    const startedMs = performance.now();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => loginFrom('198.19.0.7', `spray-${i}`, 'Summer2026!')),
    );
    const elapsedS = (performance.now() - startedMs) / 1000;
    const statuses = replies.map((r) => r.status);
    // Its free attempts and one more are checked, and then one more for each doubling wait (1 s, 2 s,
    // 4 s …) that ran out while the burst was still being served: the store that keeps the waits times
    // them, not this process (tests/clock.ts cannot hold it), so a loaded machine that takes seconds
    // over the burst may check one or two more, never many.
    const checked = statuses.filter((s) => s === 401).length;
    const waitsRunOut = Math.floor(Math.log2(elapsedS + 1));
    assert.ok(
      checked >= loginFailuresPerAddressMax + 1 && checked <= loginFailuresPerAddressMax + 1 + waitsRunOut,
      `${checked} checked in ${elapsedS.toFixed(1)} s: ${JSON.stringify(statuses)}`,
    );
    const waiting = replies.filter((r) => r.status === 429);
    assert.equal(waiting.length, 50 - checked);
    for (const r of waiting) assert.equal(r.body.code, 'RATE_LIMITED');
    const waits = waiting.map((r) => Number(r.headers.get('retry-after')));
    for (const w of waits) assert.ok(w >= 1);
    // After the wait, one more wrong try doubles it; the right password from there waits too.
    await sleep(Math.max(...waits) * 1000 + 100);
    assert.equal((await loginFrom('198.19.0.7', 'spray-x', 'Summer2026!')).status, 401);
    const right = await loginFrom('198.19.0.7', 'root', password);
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) >= 2);
    const elsewhere = await loginFrom('198.19.0.8', 'root', password);
    assert.equal(elsewhere.status, 200);
    assert.equal(elsewhere.body.status, 'totp_required');
  });

  test('#12.8 when a super admin, finance or counter account has no second factor, then the password opens no session but enrols one, and only a right code from it signs in', async () => {
    for (const role of ['super_admin', 'finance', 'card_operator'] as const) {
      const username = `new-${role.replace('_', '-')}`;
      await world.core.client.createAdmin({ username, displayName: username, role, password });
      const first = await login(username, password);
      assert.equal(first.status, 200);
      assert.equal(first.body.status, 'totp_enrolment_required');
      assert.equal(first.body.token, undefined);
      assert.match(first.body.totpUri as string, /^otpauth:\/\/totp\//);
      const secret = first.body.totpSecret as string;
      const wrong = await codeStep({
        body: { challenge: first.body.challenge, code: totp(secret, Date.now() + 300_000) },
      });
      assert.equal(wrong.body.code, 'LOGIN_FAILED');
      const right = await codeStep({
        body: { challenge: first.body.challenge, code: totp(secret, Date.now()) },
      });
      assert.equal(right.body.status, 'signed_in', JSON.stringify(right.body));
      // From now on the factor is live: the password alone asks for a code.
      assert.equal((await login(username, password)).body.status, 'totp_required');
    }
    // Other roles keep it optional.
    await world.core.client.createAdmin({
      username: 'reader',
      displayName: '审计丙',
      role: 'auditor',
      password,
    });
    assert.equal((await login('reader', password)).body.status, 'signed_in');
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
    const secret = account.totpSecret;
    const first = await login('cashier', password);
    assert.equal(first.body.status, 'totp_required');
    assert.equal(first.body.token, undefined);
    const challenge = first.body.challenge as string;

    const wrong = await codeStep({
      body: { challenge, code: totp(secret, Date.now() + 300_000) },
    });
    assert.equal(wrong.body.code, 'LOGIN_FAILED');
    const code = totp(secret, Date.now());
    const right = await codeStep({
      body: { challenge, code },
    });
    assert.equal(right.body.status, 'signed_in', JSON.stringify(right.body));
    const me = await world.request<Body>('GET', '/api/admin/v1/me', { token: right.body.token as string });
    assert.equal(me.body.username, 'cashier');
    assert.deepEqual(me.body.rights, [...roleRights.finance]);

    // The same code with a fresh password step is a replay.
    const again = await login('cashier', password);
    const replay = await codeStep({
      body: { challenge: again.body.challenge, code },
    });
    assert.equal(replay.body.code, 'LOGIN_FAILED');
  });

  test('when a session is unused for longer than its idle time, or signed out, then it no longer works', async () => {
    await world.core.client.createAdmin({
      username: 'idler',
      displayName: '审计丁',
      role: 'auditor',
      password,
    });
    const short = await startBff(
      loadConfig({ ...world.env, ADMIN_SESSION_IDLE_MS: '700', TRUSTED_PROXIES: '127.0.0.1' }),
    );
    try {
      const reply = await world.request<Body>('POST', '/api/admin/v1/session', {
        body: { username: 'idler', password },
        headers: own(),
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

  test('#12.8 when the BFF is reached directly, then a forged X-Forwarded-For does not choose the address a sign-in is counted under', async () => {
    await world.core.client.createAdmin({
      username: 'direct',
      displayName: '审计戊',
      role: 'auditor',
      password,
    });
    // A BFF that trusts no proxy, keeping its delays in process (no REDIS_URL), where they expire by
    // the process clock: held (tests/clock.ts), the first 1 s delay cannot run out while a loaded
    // machine serves the requests that should meet it.
    const direct = await startBff(loadConfig({ ...world.env, REDIS_URL: '' }));
    try {
      await holdClock(async () => {
        // Enough failures from the socket's own address to be past its free attempts.
        for (let i = 0; i <= loginFailuresPerAddressMax; i++)
          await world.request('POST', '/api/admin/v1/session', {
            body: { username: `direct-spray-${i}`, password: 'Summer2026!' },
            headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
            bff: direct,
          });
        const forged = await world.request('POST', '/api/admin/v1/session', {
          body: { username: 'direct', password },
          headers: { 'x-forwarded-for': '203.0.113.200' },
          bff: direct,
        });
        assert.equal(forged.status, 429, 'the header from an untrusted peer is ignored');
      });
    } finally {
      await direct.close();
    }
  });
});
