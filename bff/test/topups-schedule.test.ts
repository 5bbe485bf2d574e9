import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorld, type TestWorld } from './support.ts';
import {
  balanceOf,
  boundStudent,
  createTopUp,
  type PayWorld,
  payLikeWechat,
  setFaults,
  startPayWorld,
  storedStatus,
} from './topups-support.ts';

describe('top-ups: the poller and the daily reconciliation run by themselves', () => {
  let w: PayWorld;
  before(async () => {
    // Poll every second (the scheduler counts whole seconds); reconcile yesterday from 00:00
    // Asia/Shanghai, i.e. at the first tick.
    w = await startPayWorld({ TOP_UP_POLL_INTERVAL_MS: '1000', TOP_UP_RECONCILE_HOUR: '0' });
  });
  after(() => w.stop());

  test('when a notification is lost, then the scheduled poller credits the order without anyone asking', async () => {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, 2_600)).body;
    await setFaults(w.standIn, order.id, { delayMs: 3_600_000 });
    await payLikeWechat(w.standIn, order);
    let status = await storedStatus(w.world, order.id);
    for (let i = 0; i < 100 && status !== 'credited'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await storedStatus(w.world, order.id);
    }
    assert.equal(status, 'credited');
    assert.equal(await balanceOf(w.world, student.cardNo), 2_600);
  });

  test("when the reconcile hour has passed, then one instance claims yesterday's reconciliation in the kv", async () => {
    const yesterday = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
    const kv = w.world.bff.bff.kv;
    for (let i = 0; i < 100 && (await kv.get(`topup-reconciled:${yesterday}`)) === null; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await kv.get(`topup-reconciled:${yesterday}`), '1');
  });
});

describe('top-ups without a merchant configured', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  test('when no WeChat Pay merchant is set, then top-up routes answer 503 UNAVAILABLE and the notify route 503 FAIL', async () => {
    const student = await boundStudent(world);
    const create = await world.request('POST', '/api/v1/top-ups', {
      token: student.accessToken,
      body: { amount: 1_000 },
    });
    assert.equal(create.status, 503);
    assert.equal(create.body.code, 'UNAVAILABLE');
    const notify = await world.request('POST', '/api/v1/pay/notify', { body: {} });
    assert.equal(notify.status, 503);
    assert.equal(notify.body.code, 'FAIL');
    assert.equal(world.bff.bff.topUps, undefined);
  });
});
