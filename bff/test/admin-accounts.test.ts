import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totp } from '../../core/src/admin/totp.ts';
import { demoAdminPassword } from '../src/admin/seed.ts';
import { type Admins, adminToken, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Body = Record<string, unknown>;
const api = '/api/admin/v1';

describe('admin accounts after they are made: disable, move, reset, own password and second factor', () => {
  let world: TestWorld;
  let tokens: Admins;
  let ids: Record<string, string>;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    ids = Object.fromEntries((await world.core.client.admins()).items.map((a) => [a.username, a.id]));
  });
  after(() => world.stop());

  const as = (token: string) => ({
    get: (path: string) => world.request<Body>('GET', `${api}${path}`, { token }),
    post: (path: string, body: unknown = {}) => world.request<Body>('POST', `${api}${path}`, { token, body }),
  });
  const signIn = (username: string, password: string) =>
    world.request<Body>('POST', `${api}/session`, { body: { username, password } });

  test('when a super admin disables an account, then its open session stops at once and it cannot sign in until enabled again; the audit names it', async () => {
    const editor = tokens.content_editor;
    assert.equal((await as(editor).get('/me')).status, 200);
    const disabled = await as(tokens.super_admin).post(`/accounts/${ids.editor}/changes`, {
      status: 'disabled',
    });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.equal(disabled.body.status, 'disabled');
    const after = await as(editor).get('/me');
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'SESSION_REVOKED');
    assert.equal((await signIn('editor', demoAdminPassword)).status, 401);
    await as(tokens.super_admin).post(`/accounts/${ids.editor}/changes`, { status: 'active' });
    tokens.content_editor = await adminToken(world, 'editor', demoAdminPassword);
    const audit = await as(tokens.auditor).get(`/audit?targetId=${ids.editor}`);
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    assert.ok(actions.includes('admin.disable') && actions.includes('admin.enable'), actions.join());
  });

  test('when a role moves, then the next sign-in has the new rights; a super admin cannot change their own account from the list, and no other role may change accounts', async () => {
    const moved = await as(tokens.super_admin).post(`/accounts/${ids.auditor}/changes`, {
      role: 'finance',
      department: null,
    });
    assert.equal(moved.body.role, 'finance');
    assert.equal((await as(tokens.auditor).get('/me')).status, 401);
    const token = await adminToken(world, 'auditor', demoAdminPassword);
    assert.equal((await as(token).get('/me')).body.role, 'finance');
    await as(tokens.super_admin).post(`/accounts/${ids.auditor}/changes`, {
      role: 'auditor',
      department: null,
    });
    tokens.auditor = await adminToken(world, 'auditor', demoAdminPassword);

    const self = await as(tokens.super_admin).post(`/accounts/${ids.super}/changes`, { status: 'disabled' });
    assert.equal(self.status, 403);
    const byFinance = await as(tokens.finance).post(`/accounts/${ids.devices}/changes`, {
      status: 'disabled',
    });
    assert.equal(byFinance.status, 403);
    const bad = await as(tokens.super_admin).post(`/accounts/${ids.devices}/changes`, { status: 'gone' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
  });

  test('when an admin changes their own password, then a wrong current password is refused and changes nothing, a right one ends their sessions, and only the new password signs in', async () => {
    const finance = as(tokens.finance);
    const wrong = await finance.post('/me/password', {
      currentPassword: 'not-the-password',
      newPassword: 'finance-new-password-2026',
    });
    assert.equal(wrong.status, 422);
    assert.equal((await finance.get('/me')).status, 200, 'a wrong try leaves the session');
    const short = await finance.post('/me/password', {
      currentPassword: demoAdminPassword,
      newPassword: 'short',
    });
    assert.equal(short.status, 400);
    const changed = await finance.post('/me/password', {
      currentPassword: demoAdminPassword,
      newPassword: 'finance-new-password-2026',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await finance.get('/me')).status, 401);
    assert.equal((await signIn('finance', demoAdminPassword)).status, 401);
    tokens.finance = await adminToken(world, 'finance', 'finance-new-password-2026');
  });

  test('when an admin enrols a second factor, then sign-in asks for a code from it; after a super admin resets it, the password alone signs in again', async () => {
    const devices = as(tokens.device_admin);
    assert.equal((await devices.post('/me/totp-enrolment', {})).status, 400, 'a start needs { start: true }');
    const enrolment = await devices.post('/me/totp-enrolment', { start: true });
    assert.equal(enrolment.status, 200, JSON.stringify(enrolment.body));
    const secret = enrolment.body.totpSecret as string;
    assert.match(enrolment.body.totpUri as string, /^otpauth:\/\/totp\//);
    const confirmed = await devices.post('/me/totp-confirmation', { code: totp(secret, Date.now()) });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.totpEnabled, true);

    const step = await signIn('devices', demoAdminPassword);
    assert.equal(step.body.status, 'totp_required', JSON.stringify(step.body));

    await as(tokens.super_admin).post(`/accounts/${ids.devices}/changes`, { totpReset: true });
    assert.equal((await signIn('devices', demoAdminPassword)).body.status, 'signed_in');
  });
});
