import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';

let serial = 0;
function personNo(): string {
  serial += 1;
  return `G${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32);
}

for (const dialect of dialects) {
  describe(`parent links (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
    });
    after(() => t.stop());

    async function openChild() {
      const no = personNo();
      const card = await t.client.openCard({ personNo: no, name: '张小红', type: 'student' });
      return { personNo: no, cardNo: card.cardNo };
    }

    async function refused(promise: Promise<unknown>, code: string) {
      await assert.rejects(promise, (error: unknown) => error instanceof CoreError && error.code === code);
    }

    test('when a parent links a child twice, then one link exists, seeing everything, with no alert', async () => {
      const child = await openChild();
      const first = await t.client.linkGuardian({
        parentOpenid: 'parent-openid-1',
        personNo: child.personNo,
      });
      assert.equal(first.created, true);
      assert.equal(first.cardNo, child.cardNo);
      assert.equal(first.name, '张小红');
      assert.equal(first.showBalance, true);
      assert.equal(first.showSpending, true);
      assert.equal(first.lowBalanceAlert, null);
      const again = await t.client.linkGuardian({
        parentOpenid: 'parent-openid-1',
        personNo: child.personNo,
      });
      assert.equal(again.created, false);
      assert.equal(again.id, first.id);
      assert.deepEqual(
        (await t.client.guardianLinks({ parentOpenid: 'parent-openid-1' })).items.map((l) => l.id),
        [first.id],
      );
      assert.deepEqual(
        (await t.client.guardianLinks({ personNo: child.personNo })).items.map((l) => l.parentOpenid),
        ['parent-openid-1'],
      );
    });

    test('when the child hides the balance and the parent sets an alert, then only those fields change', async () => {
      const child = await openChild();
      const link = await t.client.linkGuardian({ parentOpenid: 'parent-openid-2', personNo: child.personNo });
      const hidden = await t.client.updateGuardianLink(link.id, { showBalance: false });
      assert.equal(hidden.showBalance, false);
      assert.equal(hidden.showSpending, true);
      const alerted = await t.client.updateGuardianLink(link.id, { lowBalanceAlert: 2_000 });
      assert.equal(alerted.lowBalanceAlert, 2_000);
      assert.equal(alerted.showBalance, false, 'the alert leaves the child’s choice alone');
      assert.equal(
        (await t.client.updateGuardianLink(link.id, { lowBalanceAlert: null })).lowBalanceAlert,
        null,
      );
      await refused(t.client.updateGuardianLink(link.id, {}), 'VALIDATION_FAILED');
      await refused(
        t.client.updateGuardianLink(link.id, { lowBalanceAlert: -1 } as never),
        'VALIDATION_FAILED',
      );
      await refused(t.client.updateGuardianLink('0'.repeat(26), { showSpending: false }), 'NOT_FOUND');
    });

    test('when a link is removed, then it is gone and a repeat removes nothing', async () => {
      const child = await openChild();
      const link = await t.client.linkGuardian({ parentOpenid: 'parent-openid-3', personNo: child.personNo });
      assert.deepEqual(await t.client.unlinkGuardian(link.id), { removed: true });
      assert.deepEqual(await t.client.unlinkGuardian(link.id), { removed: false });
      assert.deepEqual((await t.client.guardianLinks({ parentOpenid: 'parent-openid-3' })).items, []);
    });

    test('when the child is unknown, cancelled, or has four parents already, then the link is refused', async () => {
      await refused(
        t.client.linkGuardian({ parentOpenid: 'parent-openid-4', personNo: 'NOBODY99' }),
        'CARD_NOT_FOUND',
      );
      const cancelled = await openChild();
      await t.core.db.execute("UPDATE cards SET status = 'cancelled' WHERE card_no = ?", [cancelled.cardNo]);
      await refused(
        t.client.linkGuardian({ parentOpenid: 'parent-openid-4', personNo: cancelled.personNo }),
        'CARD_CANCELLED',
      );
      const popular = await openChild();
      for (let i = 0; i < 4; i++)
        await t.client.linkGuardian({ parentOpenid: `parent-many-${i}`, personNo: popular.personNo });
      await refused(
        t.client.linkGuardian({ parentOpenid: 'parent-many-4', personNo: popular.personNo }),
        'LIMIT_EXCEEDED',
      );
      assert.equal((await t.client.guardianLinks({ personNo: popular.personNo })).items.length, 4);
      await refused(t.client.guardianLinks({ parentOpenid: 'x' }), 'VALIDATION_FAILED');
    });

    test('#12.1 class: when 50 parents race to link one child and one parent races to link 50 children, then exactly 4 and 10 links are made and the rest are LIMIT_EXCEEDED', async () => {
      const tag = `${process.pid}${Date.now().toString(36)}`;
      const popular = await openChild();
      const toChild = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          t.client.linkGuardian({ parentOpenid: `burst-${tag}-${i}`, personNo: popular.personNo }),
        ),
      );
      const made = toChild.filter((r) => r.status === 'fulfilled');
      assert.equal(made.length, 4, 'a child has at most 4 parents, however many ask at once');
      for (const r of toChild)
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof CoreError && r.reason.code === 'LIMIT_EXCEEDED', String(r.reason));
      assert.equal((await t.client.guardianLinks({ personNo: popular.personNo })).items.length, 4);

      const children = await Promise.all(Array.from({ length: 50 }, () => openChild()));
      const parent = `keen-${tag}`;
      const toParent = await Promise.allSettled(
        children.map((c) => t.client.linkGuardian({ parentOpenid: parent, personNo: c.personNo })),
      );
      assert.equal(toParent.filter((r) => r.status === 'fulfilled').length, 10);
      for (const r of toParent)
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof CoreError && r.reason.code === 'LIMIT_EXCEEDED', String(r.reason));
      assert.equal((await t.client.guardianLinks({ parentOpenid: parent })).items.length, 10);
    });
  });
}
