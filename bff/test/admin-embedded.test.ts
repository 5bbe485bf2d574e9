import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminRoles } from '@campus-card/core/contract';
import { adminToken, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('backoffice on the embedded default (SQLite core, in-process kv)', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ REDIS_URL: '' }, { dialect: 'sqlite' });
  });
  after(() => world.stop());

  test('when an operator signs in, reports a card lost and a wrong password locks an account, then all of it works without MariaDB or Redis and the audit chain verifies', async () => {
    const tokens = await signedInAdmins(world);
    const cardNo = await openCard(world, '计算机学院');
    const lost = await world.request('POST', `/api/admin/v1/cards/${cardNo}/actions`, {
      token: tokens.card_operator,
      body: { action: 'report_loss' },
    });
    assert.equal(lost.status, 200, JSON.stringify(lost.body));
    assert.equal((await world.core.client.getCard(cardNo)).status, 'lost');
    // Each wrong password is refused (the fifth locks the account), so a lockout that does not come says which try went wrong.
    for (let i = 0; i < 5; i++) {
      const bad = await world.request<{ code?: string }>('POST', '/api/admin/v1/session', {
        body: { username: 'editor', password: `bad-${i}` },
      });
      assert.ok(
        bad.status === 401 || bad.status === 423,
        `wrong password ${i + 1}: ${bad.status} ${JSON.stringify(bad.body)}`,
      );
    }
    const locked = await world.request<{ code?: string }>('POST', '/api/admin/v1/session', {
      body: { username: 'editor', password: 'demo-admin-2026' },
    });
    assert.equal(locked.body.code, 'LOCKED_OUT', `${locked.status} ${JSON.stringify(locked.body)}`);
    assert.ok(await adminToken(world, 'auditor', 'demo-admin-2026'));
    const verify = await world.request<{ ok: boolean; rows: number }>('GET', '/api/admin/v1/audit/verify', {
      token: tokens.auditor,
    });
    assert.equal(verify.body.ok, true);
    // A sign-in per role, the loss report, 5 failures (the fifth a lockout), one more lockout, one more sign-in.
    assert.equal(verify.body.rows, adminRoles.length + 8);
  });
});
