import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, requestId, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

/**
 * 圈存与自助机 in the backoffice: finance reads bank transfers and kiosk cash boxes, records a
 * collection whose shortfall becomes an exception (audited, once per request id); the counter may not.
 */
describe('admin bank transfers and kiosk cash', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  test('when a kiosk took 150 yuan and finance counts 140, then the collection is a 10-yuan discrepancy listed once', async () => {
    const cardNo = await openCard(world, '计算机学院');
    const deviceRef = `K${process.pid}`;
    const taken = await world.core.client.kioskCashTopUp({
      id: `dev:${deviceRef}:1`,
      deviceRef,
      cardNo,
      amount: 15_000,
      notes: 2,
    });
    assert.equal(taken.status, 'ok');
    const boxes = await world.request<{ items: { deviceRef: string; openAmount: number }[] }>(
      'GET',
      `${api}/kiosks/cash-boxes`,
      {
        token: tokens.auditor,
      },
    );
    assert.equal(boxes.body.items.find((b) => b.deviceRef === deviceRef)?.openAmount, 15_000);
    const body = { deviceRef, requestId: requestId(), countedAmount: 14_000, note: '少一张十元' };
    const refused = await world.request('POST', `${api}/kiosks/collections`, {
      token: tokens.card_operator,
      body,
    });
    assert.equal(refused.status, 403);
    const counted = await world.request<{ id: string; status: string; difference: number }>(
      'POST',
      `${api}/kiosks/collections`,
      {
        token: tokens.finance,
        body,
      },
    );
    assert.equal(counted.status, 200, JSON.stringify(counted.body));
    assert.deepEqual([counted.body.status, counted.body.difference], ['discrepancy', -1_000]);
    const again = await world.request<{ id: string }>('POST', `${api}/kiosks/collections`, {
      token: tokens.finance,
      body,
    });
    assert.equal(again.body.id, counted.body.id);
    const open = await world.request<{ items: { id: string }[] }>(
      'GET',
      `${api}/kiosks/collections?status=discrepancy`,
      {
        token: tokens.finance,
      },
    );
    assert.deepEqual(
      open.body.items.map((c) => c.id),
      [counted.body.id],
    );
    const audit = await world.core.client.searchAudit({
      action: 'kiosk.collect',
      targetId: deviceRef,
      limit: 10,
    });
    assert.equal(audit.items.length, 1);
    const transfers = await world.request<{ items: unknown[] }>('GET', `${api}/bank/transfers`, {
      token: tokens.finance,
    });
    assert.equal(transfers.status, 200);
  });
});
