import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { logIn, openPerson } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

// Binding by the card centre's one-time activation code, on a campus that has switched the ID tail
// off: the backoffice issues the code (audited, shown once), the student binds with it once.

describe('activation codes on a campus without the ID tail', () => {
  let world: TestWorld;
  let admins: Admins;
  before(async () => {
    world = await startWorld({ BIND_ID_TAIL_ENABLED: 'false' });
    admins = await signedInAdmins(world);
  });
  after(() => world.stop());

  const issue = (role: keyof Admins, cardNo: string) =>
    world.request<{ cardNo: string; activationCode: string; expiresAtMs: number; code?: string }>(
      'POST',
      `/api/admin/v1/cards/${cardNo}/activation-code`,
      { token: admins[role], body: {} },
    );

  test('#12.1 when the ID tail is switched off, then binding by it is refused with ID_TAIL_DISABLED and nothing is counted or bound', async () => {
    const person = await openPerson(world);
    const user = await logIn(world);
    const reply = await world.request('POST', '/api/v1/binding', {
      token: user.accessToken,
      body: { personNo: person.personNo, name: person.name, secret: person.secret },
    });
    assert.deepEqual([reply.status, reply.body.code], [403, 'ID_TAIL_DISABLED']);
    await assert.rejects(world.core.client.binding(user.openid), /not bound/);
  });

  test('#12.1 when the counter issues an activation code, then it is shown once, audited without the code, and binds the student once', async () => {
    const person = await openPerson(world);
    const issued = await issue('card_operator', person.cardNo);
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    assert.match(issued.body.activationCode, /^[0-9A-Z]{10}$/);
    const audit = await world.request<{ items: { action: string; targetId: string }[] }>(
      'GET',
      `/api/admin/v1/audit?targetId=${person.cardNo}`,
      { token: admins.auditor },
    );
    const row = audit.body.items.find((item) => item.action === 'card.activation_code');
    assert.ok(row, JSON.stringify(audit.body));
    assert.ok(
      !JSON.stringify(audit.body).includes(issued.body.activationCode),
      'the code is not in the audit',
    );

    const student = await logIn(world);
    const bind = (token: string, activationCode: string) =>
      world.request<{ created: boolean; card: { cardNo: string }; code?: string }>(
        'POST',
        '/api/v1/binding',
        {
          token,
          body: { personNo: person.personNo, name: person.name, activationCode },
        },
      );
    const wrong = await bind(student.accessToken, 'ABCDEFGHJK');
    assert.equal(wrong.body.code, 'IDENTITY_MISMATCH');
    const bound = await bind(student.accessToken, issued.body.activationCode.toLowerCase());
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    assert.equal(bound.body.card.cardNo, person.cardNo);
    // Spent: after unbinding, the same code binds nobody.
    await world.request('DELETE', '/api/v1/binding', { token: student.accessToken });
    const other = await logIn(world);
    assert.equal((await bind(other.accessToken, issued.body.activationCode)).body.code, 'IDENTITY_MISMATCH');
  });

  test('#12.1 when a role without card.manage asks for a code, or the card does not exist, then 403 or 404 and no code', async () => {
    const cardNo = await openCard(world, '外语学院');
    const refused = await issue('auditor', cardNo);
    assert.deepEqual([refused.status, refused.body.code], [403, 'FORBIDDEN']);
    const department = await issue('department_admin', cardNo);
    assert.deepEqual([department.status, department.body.code], [403, 'FORBIDDEN']);
    assert.equal((await issue('card_operator', '80000000000000000001')).status, 404, 'no such card');
    assert.equal((await issue('card_operator', '123')).status, 400);
  });

  test('#12.7 when a parent or the card centre reported the loss, then the activation code (the ID tail being off) with the PIN cancels it from the phone', async () => {
    const person = await openPerson(world);
    const code = (await issue('card_operator', person.cardNo)).body.activationCode;
    const student = await logIn(world);
    await world.request('POST', '/api/v1/binding', {
      token: student.accessToken,
      body: { personNo: person.personNo, name: person.name, activationCode: code },
    });
    // The first PIN takes the identity proof too: the binding spent its code, so a new one (#12.7).
    const forPin = (await issue('card_operator', person.cardNo)).body.activationCode;
    await world.request('PUT', '/api/v1/card/pin', {
      token: student.accessToken,
      body: { pin: '975310', identity: { name: person.name, activationCode: forPin } },
    });
    const reported = await world.request('POST', `/api/admin/v1/cards/${person.cardNo}/actions`, {
      token: admins.card_operator,
      body: { action: 'report_loss', reason: '本人电话挂失' },
    });
    assert.equal(reported.body.status, 'lost', JSON.stringify(reported.body));
    const cancel = (body: Record<string, unknown>) =>
      world.request('POST', '/api/v1/card/cancel-loss', { token: student.accessToken, body });
    const pinOnly = await cancel({ pin: '975310' });
    assert.equal(pinOnly.body.code, 'IDENTITY_REQUIRED');
    assert.deepEqual(pinOnly.body.details, { reportedBy: 'admin' });
    const byTail = await cancel({ pin: '975310', identity: { name: person.name, secret: person.secret } });
    assert.equal(byTail.body.code, 'ID_TAIL_DISABLED');
    const fresh = (await issue('card_operator', person.cardNo)).body.activationCode;
    const proven = await cancel({ pin: '975310', identity: { name: person.name, activationCode: fresh } });
    assert.equal(proven.body.status, 'active', JSON.stringify(proven.body));
  });
});
