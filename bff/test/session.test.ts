import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld, testAppId } from './support.ts';

describe('login, refresh rotation and logout', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('when a fresh wx.login code is sent, then a session opens for that openid, not yet bound', async () => {
    const { code, openid } = world.login.mintCode(testAppId);
    const reply = await world.request('POST', '/api/v1/session', { body: { code } });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.bound, false);
    assert.equal(typeof reply.body.refreshToken, 'string');
    assert.equal(reply.body.expiresInS, 900);
    const me = await world.request('GET', '/api/v1/session', { token: reply.body.accessToken as string });
    assert.equal(me.body.openid, openid);
  });

  test('when the same code is sent twice or a made-up code is sent, then LOGIN_FAILED and no session', async () => {
    const { code } = world.login.mintCode(testAppId);
    assert.equal((await world.request('POST', '/api/v1/session', { body: { code } })).status, 200);
    const again = await world.request('POST', '/api/v1/session', { body: { code } });
    assert.equal(again.status, 401);
    assert.equal(again.body.code, 'LOGIN_FAILED');
    const madeUp = await world.request('POST', '/api/v1/session', { body: { code: 'not-a-code' } });
    assert.equal(madeUp.body.code, 'LOGIN_FAILED');
  });

  test('when WeChat is busy once, then the login asks again and the session opens', async () => {
    world.login.failNext(1);
    const { code, openid } = world.login.mintCode(testAppId);
    const reply = await world.request('POST', '/api/v1/session', { body: { code } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const me = await world.request('GET', '/api/v1/session', { token: reply.body.accessToken as string });
    assert.equal(me.body.openid, openid);
  });

  test('when WeChat is busy twice in a row, then WECHAT_UNAVAILABLE (503) rather than blaming the user', async () => {
    world.login.failNext(2);
    const { code } = world.login.mintCode(testAppId);
    const reply = await world.request('POST', '/api/v1/session', { body: { code } });
    assert.equal(reply.status, 503);
    assert.equal(reply.body.code, 'WECHAT_UNAVAILABLE');
    // The code was never redeemed, so the user's next tap (same code) still works.
    assert.equal((await world.request('POST', '/api/v1/session', { body: { code } })).status, 200);
  });

  test('when the body is missing, not JSON or has extra fields, then 400 VALIDATION_FAILED', async () => {
    assert.equal(
      (await world.request('POST', '/api/v1/session', { body: {} })).body.code,
      'VALIDATION_FAILED',
    );
    assert.equal(
      (await world.request('POST', '/api/v1/session', { body: '{not json' })).body.code,
      'VALIDATION_FAILED',
    );
    const extra = await world.request('POST', '/api/v1/session', { body: { code: 'x', admin: true } });
    assert.equal(extra.status, 400);
  });

  test('when a bound student or a linked parent logs in, then the answer names the identity and the role', async () => {
    // Goal: the app picks its first page (bind, home, parents) from the login answer alone.
    const student = await boundStudent(world);
    const again = await logIn(world, student.openid);
    const answer = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: again.refreshToken },
    });
    assert.equal(answer.body.bound, true);
    assert.deepEqual(answer.body.identity, {
      personNo: student.personNo,
      name: student.name,
      cardNo: student.cardNo,
      type: 'student',
    });
    assert.equal(answer.body.role, 'student');
    const parent = await logIn(world);
    const invitation = await world.request('POST', '/api/v1/parents/invitations', {
      token: student.accessToken,
    });
    await world.request('POST', '/api/v1/children', {
      token: parent.accessToken,
      body: { invitationCode: invitation.body.invitationCode },
    });
    const { code } = world.login.mintCode(testAppId, { openid: parent.openid });
    const parentLogin = await world.request('POST', '/api/v1/session', { body: { code } });
    assert.equal(parentLogin.body.bound, false);
    assert.equal(parentLogin.body.identity, null);
    assert.equal(parentLogin.body.role, 'parent');
    const stranger = world.login.mintCode(testAppId);
    const strangerLogin = await world.request('POST', '/api/v1/session', { body: { code: stranger.code } });
    assert.equal(strangerLogin.body.role, undefined, 'nobody yet: the app shows binding');
  });

  test('when a refresh token is used, then new tokens come and the old refresh token is spent', async () => {
    const user = await logIn(world);
    const refreshed = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refreshToken, user.refreshToken);
    const me = await world.request('GET', '/api/v1/session', { token: refreshed.body.accessToken as string });
    assert.equal(me.body.openid, user.openid);
    const next = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    assert.equal(next.status, 200, 'the rotated token works once');
  });

  test('when a spent refresh token comes back, then REFRESH_REUSED and the whole family is revoked', async () => {
    // Goal: a stolen refresh token used after (or before) its owner ends the session for both.
    const user = await logIn(world);
    const first = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    const replay = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'REFRESH_REUSED');
    assert.deepEqual(replay.body.details, { reason: 'refresh_reused' });
    const access = await world.request('GET', '/api/v1/session', { token: first.body.accessToken as string });
    assert.equal(access.body.code, 'SESSION_REVOKED', 'the rotated access token dies with its family');
    // #19: the phone holding it is told why, not signed out silently.
    assert.deepEqual(access.body.details, { reason: 'refresh_reused' });
    const successor = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    assert.equal(successor.status, 401, 'and so does the rotated refresh token');
  });

  test('when two refreshes race with the same token, then exactly one wins', async () => {
    const user = await logIn(world);
    const replies = await Promise.all(
      [0, 1, 2].map(() =>
        world.request('POST', '/api/v1/session/refresh', { body: { refreshToken: user.refreshToken } }),
      ),
    );
    assert.equal(replies.filter((r) => r.status === 200).length, 1);
  });

  test('when a refresh token was never issued, then 401 UNAUTHENTICATED and no family is touched', async () => {
    const user = await logIn(world);
    const sessionId = (await world.request('GET', '/api/v1/session', { token: user.accessToken })).body
      .sessionId;
    const forged = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: `${sessionId}.${'A'.repeat(43)}` },
    });
    assert.equal(forged.body.code, 'UNAUTHENTICATED');
    assert.equal((await world.request('GET', '/api/v1/session', { token: user.accessToken })).status, 200);
  });

  test('when a user logs out, then the access and refresh tokens of that session stop working, other sessions live', async () => {
    const user = await logIn(world);
    const otherPhone = await logIn(world, user.openid);
    const out = await world.request('DELETE', '/api/v1/session', { token: user.accessToken });
    assert.equal(out.status, 204);
    assert.equal((await world.request('GET', '/api/v1/session', { token: user.accessToken })).status, 401);
    const refresh = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    assert.equal(refresh.body.code, 'SESSION_REVOKED');
    assert.equal(
      (await world.request('GET', '/api/v1/session', { token: otherPhone.accessToken })).status,
      200,
    );
  });

  test('when a session is opened on one instance, then another instance honours and refreshes it', async () => {
    const second = await world.startAnotherBff();
    const user = await logIn(world);
    const me = await world.request('GET', '/api/v1/session', { token: user.accessToken, bff: second });
    assert.equal(me.status, 200);
    const refreshed = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: user.refreshToken },
      bff: second,
    });
    assert.equal(refreshed.status, 200);
    const replayOnFirst = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    assert.equal(replayOnFirst.body.code, 'REFRESH_REUSED');
  });
});
