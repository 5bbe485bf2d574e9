import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { totp } from '../src/admin/totp.ts';
import { CoreError } from '../src/client/index.ts';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CoreError, String(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

const password = 'first-password-2026';

for (const dialect of dialects) {
  describe(`admin accounts change after they are made, on ${dialect}`, () => {
    let t: TestCore;
    before(async () => {
      // The first wait after the free attempts is long, so a lockout the tests set is still on when
      // they look, however slow the machine (the delays themselves are admin-lockout.test.ts's).
      t = await startTestCore(dialect, { ADMIN_LOGIN_DELAY_MS: '60000' });
    });
    after(async () => {
      await t.stop();
    });
    const make = (username: string, role: 'finance' | 'card_operator' = 'finance') =>
      t.client.createAdmin({ username, displayName: username, role, password });

    test('when an account is disabled, then its password no longer signs in, until it is enabled again', async () => {
      const a = await make('leaver');
      assert.equal((await t.client.changeAdmin(a.id, { status: 'disabled' })).status, 'disabled');
      assert.equal(await refusal(t.client.checkAdminPassword('leaver', password)), 'ADMIN_LOGIN_FAILED');
      await t.client.changeAdmin(a.id, { status: 'active' });
      assert.equal((await t.client.checkAdminPassword('leaver', password)).id, a.id);
    });

    test('when a role moves, then a department admin or a counsellor must have a department, and leaving that role drops it', async () => {
      const a = await make('mover', 'card_operator');
      assert.equal(
        await refusal(t.client.changeAdmin(a.id, { role: 'department_admin', department: null })),
        'VALIDATION_FAILED',
      );
      const scoped = await t.client.changeAdmin(a.id, { role: 'department_admin', department: '外国语学院' });
      assert.deepEqual([scoped.role, scoped.department], ['department_admin', '外国语学院']);
      assert.equal(
        await refusal(t.client.changeAdmin(a.id, { role: 'counsellor', department: null })),
        'VALIDATION_FAILED',
      );
      const counsellor = await t.client.changeAdmin(a.id, { role: 'counsellor', department: '外国语学院' });
      assert.deepEqual([counsellor.role, counsellor.department], ['counsellor', '外国语学院']);
      const back = await t.client.changeAdmin(a.id, { role: 'auditor', department: '外国语学院' });
      assert.deepEqual([back.role, back.department], ['auditor', null]);
      assert.equal(
        await refusal(t.client.changeAdmin('0'.repeat(26), { status: 'disabled' })),
        'ADMIN_NOT_FOUND',
      );
    });

    test('when a password is set, then only the new one signs in, it must be long enough, and a lockout is cleared', async () => {
      const a = await make('forgetful');
      for (let i = 0; i < 5; i++) await refusal(t.client.checkAdminPassword('forgetful', 'wrong-password-x'));
      assert.equal(await refusal(t.client.checkAdminPassword('forgetful', password)), 'ADMIN_LOCKED_OUT');
      assert.equal(await refusal(t.client.changeAdmin(a.id, { password: 'short' })), 'VALIDATION_FAILED');
      await t.client.changeAdmin(a.id, { password: 'second-password-2026' });
      assert.equal(await refusal(t.client.checkAdminPassword('forgetful', password)), 'ADMIN_LOGIN_FAILED');
      assert.equal((await t.client.checkAdminPassword('forgetful', 'second-password-2026')).id, a.id);
    });

    test('when an admin enrols a second factor, then it is live only after a right code from the new secret, a code is used once, and a reset turns it off', async () => {
      const a = await make('careful');
      assert.equal(await refusal(t.client.confirmAdminTotp(a.id, '123456')), 'TOTP_NOT_ENROLLING');
      const first = await t.client.enrolAdminTotp(a.id);
      // Started again (the first QR code lost): only the newest secret counts.
      const enrolment = await t.client.enrolAdminTotp(a.id);
      assert.notEqual(enrolment.totpSecret, first.totpSecret);
      assert.match(enrolment.totpUri, /^otpauth:\/\/totp\//);
      assert.equal((await t.client.admin(a.id)).totpEnabled, false, 'not live before it is proven');
      const stale = totp(first.totpSecret, Date.now());
      const code = totp(enrolment.totpSecret, Date.now());
      if (stale !== code)
        assert.equal(await refusal(t.client.confirmAdminTotp(a.id, stale)), 'ADMIN_LOGIN_FAILED');
      assert.equal((await t.client.confirmAdminTotp(a.id, code)).totpEnabled, true);
      assert.equal(await refusal(t.client.enrolAdminTotp(a.id)), 'TOTP_ALREADY_ENABLED');
      // The enrolment's code is spent: it does not sign in a second time.
      assert.equal(await refusal(t.client.checkAdminTotp(a.id, code)), 'ADMIN_LOGIN_FAILED');
      assert.equal((await t.client.changeAdmin(a.id, { totpReset: true })).totpEnabled, false);
      assert.ok((await t.client.enrolAdminTotp(a.id)).totpSecret);
    });
  });
}
