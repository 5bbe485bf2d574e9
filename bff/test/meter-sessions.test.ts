import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

describe('showers and laundry runs (meter sessions)', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('when a shower has run and a laundry run is going, then both are listed newest first with what each holds or cost', async () => {
    // Goal: the showers page shows a running hold and a finished one from the ledger's own rows.
    const core = world.core.client;
    const student = await boundStudent(world);
    const baths = await core.createMerchant({ name: '浴室', category: 'shower' });
    const laundry = await core.createMerchant({ name: '洗衣房', category: 'laundry' });
    const deviceBase = 8000 + Math.floor(Math.random() * 1000);
    await core.registerDevice({ id: String(deviceBase), kind: 'shower', merchantId: baths.id });
    await core.registerDevice({ id: String(deviceBase + 1), kind: 'laundry', merchantId: laundry.id });
    await core.topUp({ id: randomUUID(), cardNo: student.cardNo, amount: 5_000, channel: 'cash' });
    const shower = randomUUID();
    const held = await core.hold({
      id: shower,
      cardNo: student.cardNo,
      merchantId: baths.id,
      deviceId: String(deviceBase),
      amount: 1_000,
      timeoutMs: 3_600_000,
    });
    assert.equal(held.status, 'ok');
    await core.reportUsage(shower, 320);
    assert.equal((await core.postHold(shower, { id: randomUUID(), amount: 320 })).status, 'ok');
    const wash = randomUUID();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await core.hold({
      id: wash,
      cardNo: student.cardNo,
      merchantId: laundry.id,
      deviceId: String(deviceBase + 1),
      amount: 600,
      timeoutMs: 3_600_000,
    });

    const first = await world.request<{ items: Record<string, unknown>[]; next?: string }>(
      'GET',
      '/api/v1/meter-sessions?limit=1',
      { token: student.accessToken },
    );
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(
      first.body.items.map((i) => [i.id, i.kind, i.status, i.heldAmount, i.postedAmount, i.deviceName]),
      [[wash, 'laundry', 'running', 600, undefined, '洗衣房']],
    );
    const second = await world.request<{ items: Record<string, unknown>[]; next?: string }>(
      'GET',
      `/api/v1/meter-sessions?limit=1&cursor=${first.body.next}`,
      { token: student.accessToken },
    );
    assert.deepEqual(
      second.body.items.map((i) => [i.id, i.kind, i.status, i.usageAmount, i.postedAmount]),
      [[shower, 'shower', 'posted', 320, 320]],
    );
    assert.equal(typeof second.body.items[0]?.endedAtMs, 'number');
    // Another student sees none of these; bad paging is refused.
    const other = await boundStudent(world);
    const theirs = await world.request<{ items: unknown[] }>('GET', '/api/v1/meter-sessions', {
      token: other.accessToken,
    });
    assert.deepEqual(theirs.body.items, []);
    for (const path of ['/api/v1/meter-sessions?limit=0', '/api/v1/meter-sessions?cursor=nope']) {
      const bad = await world.request('GET', path, { token: student.accessToken });
      assert.equal(bad.status, 400, path);
    }
    assert.equal((await world.request('GET', '/api/v1/meter-sessions')).status, 401);
  });
});
