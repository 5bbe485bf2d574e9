import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startUtilityStandIn, type UtilityStandIn } from '../../mock/utility/server.ts';
import { adminToken } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

/**
 * The mini-program's fees and electricity routes: a student sees and pays only their own bills and
 * receipts, buys electricity for any room from their own card, and follows only their own orders; an
 * amount outside 1–500 yuan is refused before anything moves.
 */
describe('fees and electricity for the signed-in student (BFF)', () => {
  let world: TestWorld;
  let meter: UtilityStandIn;
  before(async () => {
    meter = await startUtilityStandIn();
    world = await startWorld({}, { coreEnv: { UTILITY_URL: meter.url, UTILITY_TIMEOUT_MS: '500' } });
  });
  after(async () => {
    await world.stop();
    await meter.close();
  });

  test('when two students use the routes, then each pays and sees only their own bills, receipts and orders', async () => {
    const core = world.core.client;
    const [a, b] = [await boundStudent(world), await boundStudent(world)];
    for (const s of [a, b])
      await core.topUp({ id: randomUUID(), cardNo: s.cardNo, amount: 20_000, channel: 'cash' });
    const [cardA, cardB] = await Promise.all([core.getCard(a.cardNo), core.getCard(b.cardNo)]);
    const { item } = await core.createFeeItem({
      code: `BFF${Date.now().toString(36)}`,
      name: '考试报名费',
      category: 'exam',
      amount: 3_000,
      dueDay: '2027-01-01',
      audience: { persons: [{ personNo: cardA.personNo }, { personNo: cardB.personNo }] },
    });
    const mine = await world.request<{ items: { id: string; amountDue: number }[] }>('GET', '/api/v1/fees', {
      token: a.accessToken,
    });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    const billA = mine.body.items[0]?.id ?? '';
    const billB =
      (await world.request<{ items: { id: string }[] }>('GET', '/api/v1/fees', { token: b.accessToken })).body
        .items[0]?.id ?? '';
    // B cannot read or pay A's bill.
    assert.equal((await world.request('GET', `/api/v1/fees/${billA}`, { token: b.accessToken })).status, 404);
    const stolen = await world.request('POST', `/api/v1/fees/${billA}/payments`, {
      token: b.accessToken,
      body: { id: randomUUID(), amount: 3_000 },
    });
    assert.equal(stolen.status, 404);
    const paid = await world.request<{ id: string; status: string }>(
      'POST',
      `/api/v1/fees/${billA}/payments`,
      {
        token: a.accessToken,
        body: { id: randomUUID(), amount: 3_000 },
      },
    );
    assert.equal(paid.body.status, 'paid', JSON.stringify(paid.body));
    assert.equal(
      (await world.request('GET', `/api/v1/fee-payments/${paid.body.id}/receipt`, { token: a.accessToken }))
        .status,
      200,
    );
    assert.equal(
      (await world.request('GET', `/api/v1/fee-payments/${paid.body.id}/receipt`, { token: b.accessToken }))
        .status,
      404,
    );
    assert.ok(billB);

    // The finance office's export of the item (an auditor reads it too): a CSV download, audited.
    await core.createAdmin({
      username: 'feeaudit',
      displayName: '审计',
      role: 'auditor',
      password: 'fee-audit-2026',
    });
    const token = await adminToken(world, 'feeaudit', 'fee-audit-2026');
    const exported = await fetch(`${world.bff.url}/api/admin/v1/fees/${item.id}/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(exported.status, 200);
    assert.equal(exported.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(exported.headers.get('content-disposition') ?? '', new RegExp(`fee-${item.id}\\.csv`));
    assert.ok((await exported.text()).includes(cardA.personNo), 'the paid bill is in the export');
    const audit = await core.searchAudit({ action: 'fee.item.export', limit: 5 });
    assert.ok(audit.items.some((e) => e.targetId === item.id));

    // Electricity: B pays for A's room from B's own card; A cannot follow B's order.
    meter.addRoom({ roomId: 'D01-101', building: '一号楼', roomNo: '101' });
    await core.saveDormRoom('D01-101', { building: '一号楼', roomNo: '101', residents: [cardA.personNo] });
    const rooms = await world.request<{ items: { id: string }[] }>('GET', '/api/v1/electricity/rooms', {
      token: a.accessToken,
    });
    assert.deepEqual(
      rooms.body.items.map((r) => r.id),
      ['D01-101'],
    );
    const tooMuch = await world.request('POST', '/api/v1/electricity/orders', {
      token: b.accessToken,
      body: { id: randomUUID(), roomId: 'D01-101', amount: 50_001 },
    });
    assert.equal(tooMuch.status, 400);
    const order = await world.request<{ id: string; status: string; cardNo: string }>(
      'POST',
      '/api/v1/electricity/orders',
      {
        token: b.accessToken,
        body: { id: randomUUID(), roomId: 'D01-101', amount: 1_200 },
      },
    );
    assert.equal(order.body.status, 'completed', JSON.stringify(order.body));
    assert.equal(order.body.cardNo, b.cardNo);
    assert.equal((await core.getCard(b.cardNo)).balance.main, 20_000 - 1_200);
    assert.equal(
      (await world.request('GET', `/api/v1/utility-orders/${order.body.id}`, { token: a.accessToken }))
        .status,
      404,
    );
    assert.equal(
      (await world.request('GET', `/api/v1/utility-orders/${order.body.id}`, { token: b.accessToken }))
        .status,
      200,
    );
  });
});
