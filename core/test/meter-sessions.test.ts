import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';

let serial = 0;

for (const dialect of dialects) {
  describe(`meter sessions of a card (${dialect})`, () => {
    let t: TestCore;
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
    });
    after(() => t.stop());

    test('when a card has holds at a re-keyed shower, then they are listed newest first with the device kind, paged', async () => {
      serial += 1;
      const card = await t.client.openCard({
        personNo: `M${process.pid}x${serial}`,
        name: '周同学',
        type: 'student',
      });
      const baths = await t.client.createMerchant({ name: '浴室', category: 'shower' });
      const deviceId = String(6000 + serial);
      await t.client.registerDevice({ id: deviceId, kind: 'shower', merchantId: baths.id });
      await t.client.topUp({ id: randomUUID(), cardNo: card.cardNo, amount: 3_000, channel: 'cash' });
      const ids: string[] = [];
      // The second hold names the device as the gateway does after a re-key: <id>-<keyVersion>.
      for (const device of [deviceId, `${deviceId}-2`]) {
        // The ledger refuses a device's old-key name (#12.4): the device is re-keyed before the second.
        if (device !== deviceId) await t.client.rekeyDevice(deviceId);
        const id = randomUUID();
        ids.push(id);
        const answer = await t.client.hold({
          id,
          cardNo: card.cardNo,
          merchantId: baths.id,
          deviceId: device,
          amount: 500,
          timeoutMs: 60_000,
        });
        assert.equal(answer.status, 'ok');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await t.client.voidHold(ids[0] as string, { id: randomUUID() });
      const first = await t.client.meterSessions(card.cardNo, { limit: 1 });
      assert.deepEqual(
        first.items.map((m) => [m.id, m.status, m.deviceKind, m.deviceId, m.merchantName, m.heldAmount]),
        [[ids[1], 'pending', 'shower', `${deviceId}-2`, '浴室', 500]],
      );
      assert.ok(first.next);
      const second = await t.client.meterSessions(card.cardNo, { limit: 1, ...first.next });
      assert.deepEqual(
        second.items.map((m) => [m.id, m.status, m.postedAmount]),
        [[ids[0], 'voided', 0]],
      );
      // A full page always offers a next one; past the oldest hold it is empty and ends.
      const third = await t.client.meterSessions(card.cardNo, { limit: 1, ...second.next });
      assert.deepEqual(third, { items: [], next: null });
    });
  });
}
