import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boundStudent, logIn, openPerson } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('identity binding', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ BIND_FAILURES_MAX: '3' });
  });
  after(() => world.stop());

  test('when name and the last 6 ID characters match, then the account is bound, the card shown and its version bumped', async () => {
    const person = await openPerson(world);
    const versionBefore = (await world.core.client.getCard(person.cardNo)).version;
    const user = await logIn(world);
    const body = { personNo: person.personNo, name: person.name, secret: person.secret.toLowerCase() };
    const reply = await world.request<{ created: boolean; card: { cardNo: string; version: number } }>(
      'POST',
      '/api/v1/binding',
      { token: user.accessToken, body },
    );
    assert.equal(reply.status, 201);
    assert.equal(reply.body.card.cardNo, person.cardNo);
    assert.equal(reply.body.card.version, versionBefore + 1, 'certificates of any earlier phone die');
    const retry = await world.request('POST', '/api/v1/binding', { token: user.accessToken, body });
    assert.equal(retry.status, 200, 'a retry is answered, not refused');
    assert.equal(retry.body.created, false);
    const shown = await world.request('GET', '/api/v1/binding', { token: user.accessToken });
    assert.deepEqual([shown.body.personNo, shown.body.cardNo], [person.personNo, person.cardNo]);
    const again = await logIn(world, user.openid);
    const session = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: again.refreshToken },
    });
    assert.equal(session.body.bound, true);
  });

  test('when the secret is wrong, then IDENTITY_MISMATCH with attempts left, and after the last one LOCKED_OUT even for the right secret', async () => {
    const person = await openPerson(world);
    const user = await logIn(world);
    const wrong = { personNo: person.personNo, name: person.name, secret: '999999' };
    const first = await world.request('POST', '/api/v1/binding', { token: user.accessToken, body: wrong });
    assert.equal(first.status, 422);
    assert.equal(first.body.code, 'IDENTITY_MISMATCH');
    assert.deepEqual(first.body.details, { attemptsLeft: 2 });
    await world.request('POST', '/api/v1/binding', { token: user.accessToken, body: wrong });
    const third = await world.request('POST', '/api/v1/binding', { token: user.accessToken, body: wrong });
    assert.equal(third.status, 423);
    assert.equal(third.body.code, 'LOCKED_OUT');
    const right = { ...wrong, secret: person.secret };
    const locked = await world.request('POST', '/api/v1/binding', { token: user.accessToken, body: right });
    assert.equal(locked.body.code, 'LOCKED_OUT', 'the lock holds against the right answer too');
    // The lock is per person: another WeChat account cannot keep guessing this person's secret.
    const other = await logIn(world);
    const fromOther = await world.request('POST', '/api/v1/binding', {
      token: other.accessToken,
      body: right,
    });
    assert.equal(fromOther.body.code, 'LOCKED_OUT');
    // And it holds on every instance.
    const second = await world.startAnotherBff();
    const elsewhere = await world.request('POST', '/api/v1/binding', {
      token: other.accessToken,
      body: right,
      bff: second,
    });
    assert.equal(elsewhere.body.code, 'LOCKED_OUT');
    await assert.rejects(world.core.client.binding(user.openid));
  });

  test('when one account guesses across many persons, then its own counter locks it out', async () => {
    const user = await logIn(world);
    const codes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const person = await openPerson(world);
      const reply = await world.request('POST', '/api/v1/binding', {
        token: user.accessToken,
        body: { personNo: person.personNo, name: person.name, secret: '000000' },
      });
      codes.push(reply.body.code as string);
    }
    assert.deepEqual(codes, ['IDENTITY_MISMATCH', 'IDENTITY_MISMATCH', 'LOCKED_OUT', 'LOCKED_OUT']);
  });

  test('when the person is bound to another account, or this account to another person, then ALREADY_BOUND', async () => {
    const student = await boundStudent(world);
    const thief = await logIn(world);
    const stolen = await world.request('POST', '/api/v1/binding', {
      token: thief.accessToken,
      body: { personNo: student.personNo, name: student.name, secret: student.secret },
    });
    assert.equal(stolen.status, 409);
    assert.equal(stolen.body.code, 'ALREADY_BOUND');
    const second = await openPerson(world, { last6: '310037' });
    const twice = await world.request('POST', '/api/v1/binding', {
      token: student.accessToken,
      body: { personNo: second.personNo, name: second.name, secret: second.secret },
    });
    assert.equal(twice.body.code, 'ALREADY_BOUND');
  });

  test('when the input is malformed or no token is sent, then 400 or 401 and nothing is counted', async () => {
    const user = await logIn(world);
    for (const body of [
      {},
      { personNo: 'x', name: '李同学', secret: '31002X' },
      { personNo: 'P12345', name: '', secret: '31002X' },
      { personNo: 'P12345', name: '李同学', secret: '12345' },
      { personNo: 'P12345', name: '李同学', secret: '31002X', extra: 1 },
    ]) {
      const reply = await world.request('POST', '/api/v1/binding', { token: user.accessToken, body });
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.code, 'VALIDATION_FAILED');
    }
    const anonymous = await world.request('POST', '/api/v1/binding', {
      body: { personNo: 'P12345', name: '李同学', secret: '31002X' },
    });
    assert.equal(anonymous.status, 401);
  });

  test('when an unbound account calls a student route, then 403 NOT_BOUND', async () => {
    const user = await logIn(world);
    for (const path of [
      '/api/v1/card',
      '/api/v1/transactions',
      '/api/v1/statements/2026-01',
      '/api/v1/binding',
    ]) {
      const reply = await world.request('GET', path, { token: user.accessToken });
      assert.equal(reply.status, 403, path);
      assert.equal(reply.body.code, 'NOT_BOUND');
    }
  });

  test('when a student unbinds, then every session of the account ends, the card version bumps, and a new phone can bind', async () => {
    const student = await boundStudent(world);
    const otherSession = await logIn(world, student.openid);
    const versionBefore = (await world.core.client.getCard(student.cardNo)).version;
    const reply = await world.request('DELETE', '/api/v1/binding', { token: student.accessToken });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { unbound: true });
    assert.equal((await world.core.client.getCard(student.cardNo)).version, versionBefore + 1);
    assert.equal((await world.request('GET', '/api/v1/session', { token: student.accessToken })).status, 401);
    // The other phone is told why (#19): its sign-in page says the card was unbound.
    const other = await world.request('GET', '/api/v1/session', { token: otherSession.accessToken });
    assert.deepEqual(
      [other.status, other.body.code, other.body.details],
      [401, 'SESSION_REVOKED', { reason: 'unbound' }],
    );
    const refresh = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: otherSession.refreshToken },
    });
    assert.deepEqual([refresh.status, refresh.body.details], [401, { reason: 'unbound' }]);
    const newPhone = await logIn(world);
    const rebound = await world.request('POST', '/api/v1/binding', {
      token: newPhone.accessToken,
      body: { personNo: student.personNo, name: student.name, secret: student.secret },
    });
    assert.equal(rebound.status, 201);
    const signedInAgain = await logIn(world, student.openid);
    assert.equal(
      (await world.request('GET', '/api/v1/session', { token: signedInAgain.accessToken })).status,
      200,
    );
  });
});
