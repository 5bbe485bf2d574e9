import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('embedded default: core on SQLite, BFF without Redis', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ REDIS_URL: '' }, { dialect: 'sqlite' });
  });
  after(() => world.stop());

  test('when a student logs in, binds, refreshes and reads the card, then it all works with the in-process kv', async () => {
    const student = await boundStudent(world);
    const card = await world.request('GET', '/api/v1/card', { token: student.accessToken });
    assert.equal(card.status, 200);
    assert.equal(card.body.cardNo, student.cardNo);
    const refreshed = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: student.refreshToken },
    });
    assert.equal(refreshed.status, 200);
    const reused = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: student.refreshToken },
    });
    assert.equal(reused.body.code, 'REFRESH_REUSED');
    const statement = await world.request('GET', '/api/v1/statements/2026-01', {
      token: (await logIn(world, student.openid)).accessToken,
    });
    assert.equal(statement.status, 200);
    assert.equal(statement.body.spent, 0);
  });

  test('when a parent links with an invitation and the child moves money, then the parent reads it from SQLite and the in-process kv', async () => {
    const child = await boundStudent(world);
    const invitation = await world.request('POST', '/api/v1/parents/invitations', {
      token: child.accessToken,
    });
    assert.equal(invitation.status, 201);
    const parent = await logIn(world);
    const linked = await world.request('POST', '/api/v1/children', {
      token: parent.accessToken,
      body: { invitationCode: invitation.body.invitationCode },
    });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    await world.core.client.topUp({
      id: `embedded-${child.cardNo}`,
      cardNo: child.cardNo,
      amount: 800,
      channel: 'cash',
    });
    const children = await world.request<{ children: { cardNo: string; balance: { main: number } }[] }>(
      'GET',
      '/api/v1/children',
      { token: parent.accessToken },
    );
    assert.deepEqual(
      children.body.children.map((c) => [c.cardNo, c.balance.main]),
      [[child.cardNo, 800]],
    );
    const reused = await world.request('POST', '/api/v1/children', {
      token: (await logIn(world)).accessToken,
      body: { invitationCode: invitation.body.invitationCode },
    });
    assert.equal(reused.body.code, 'INVITATION_INVALID', 'the in-process kv takes a code once too');
  });
});
