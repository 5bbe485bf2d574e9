// A parent's own message settings through the BFF (#14, docs/messages.md § Parents): kinds and quiet
// hours kept by the core under the parent's recipient id as a student's are, the per-child alert on the
// link; what a parent turned off is skipped when a message about their child is queued. MariaDB and SQLite.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '@campus-card/tests/kit';
import { guardianRecipientId } from '../../core/src/messages/guardian-recipients.ts';
import { MessageRepository } from '../../core/src/messages/message-repository.ts';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

for (const dialect of dialects)
  describe(`a parent's own message settings (${dialect})`, () => {
    let world: TestWorld;
    before(async () => {
      world = await startWorld({}, { dialect });
    });
    after(() => world.stop());

    const call = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
      world.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });

    async function linkedFamily() {
      const child = await boundStudent(world);
      const parent = await logIn(world);
      const invitation = await call('POST', '/api/v1/parents/invitations', child.accessToken);
      const linked = await call('POST', '/api/v1/children', parent.accessToken, {
        invitationCode: invitation.body.invitationCode,
      });
      assert.equal(linked.status, 201, JSON.stringify(linked.body));
      return { child, parent };
    }

    test('when a parent saves kinds and quiet hours, then they are kept for their account and a kind turned off is skipped; the alert stays per child', async () => {
      const { child, parent } = await linkedFamily();
      const path = '/api/v1/children/message-preferences';
      const first = await call('GET', path, parent.accessToken);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { quietStartMin: 0, quietEndMin: 0, optedOut: [] });
      const prefs = { quietStartMin: 21 * 60 + 30, quietEndMin: 6 * 60, optedOut: ['card_status'] };
      const saved = await call('PUT', path, parent.accessToken, prefs);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual(saved.body, prefs);
      assert.deepEqual((await call('GET', path, parent.accessToken)).body, prefs);
      // The per-child alert is the parents' page's route, unchanged by the settings.
      const alert = await call('PUT', `/api/v1/children/${child.cardNo}/alert`, parent.accessToken, {
        threshold: 1_500,
      });
      assert.equal(alert.status, 200, JSON.stringify(alert.body));
      assert.deepEqual((await call('GET', path, parent.accessToken)).body, prefs);

      // Kept by the core like a student's, under the parent's recipient id: a card change is skipped for them.
      const recipient = guardianRecipientId(parent.openid);
      const repo = new MessageRepository(world.core.core.db);
      assert.equal((await repo.preferences(recipient)).quietStartMin, 21 * 60 + 30);
      const [link] = (await world.core.client.guardianLinks({ parentOpenid: parent.openid })).items;
      assert.ok(link);
      const event = { key: `card:${child.cardNo}:test`, kind: 'card_status' as const, fields: ['冻结'] };
      await world.core.core.messages.sendToGuardian(link, event);
      const row = await repo.outboxRow(event.key, recipient, 'wechat');
      assert.deepEqual([row?.status, row?.lastError], ['skipped', 'opted_out']);
      // The child's own settings are theirs, untouched.
      assert.deepEqual(
        (await call('GET', '/api/v1/messages/preferences', child.accessToken)).body.optedOut,
        [],
      );
    });

    test('when the input is bad or the account has no child, then 400 or CHILD_NOT_FOUND and nothing is saved', async () => {
      const { parent } = await linkedFamily();
      const path = '/api/v1/children/message-preferences';
      for (const bad of [
        { quietStartMin: 1440, quietEndMin: 0, optedOut: [] },
        { quietStartMin: 0, quietEndMin: 0, optedOut: ['no_such_kind'] },
        { quietStartMin: 0, quietEndMin: 0, optedOut: [], receipts: true },
        { quietStartMin: 60 },
      ]) {
        const reply = await call('PUT', path, parent.accessToken, bad);
        assert.equal(reply.status, 400, JSON.stringify(bad));
        assert.equal(reply.body.code, 'VALIDATION_FAILED');
      }
      assert.deepEqual((await call('GET', path, parent.accessToken)).body, {
        quietStartMin: 0,
        quietEndMin: 0,
        optedOut: [],
      });
      const stranger = await logIn(world);
      for (const method of ['GET', 'PUT']) {
        const body = { quietStartMin: 0, quietEndMin: 0, optedOut: [] };
        const reply = await call(method, path, stranger.accessToken, method === 'GET' ? undefined : body);
        assert.equal(reply.body.code, 'CHILD_NOT_FOUND', method);
      }
    });
  });
