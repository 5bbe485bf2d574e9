import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  balanceOf,
  boundStudent,
  type CardCentre,
  cardCentre,
  createTopUp,
  newKey,
  type PayWorld,
  payLikeWechat,
  startPayWorld,
  waitForStatus,
} from './topups-support.ts';

interface Refund {
  id: string;
  status: string;
  amount: number;
}

describe('admin: WeChat top-up refunds from the backoffice, with maker-checker above the threshold', () => {
  let w: PayWorld;
  let centre: CardCentre;
  before(async () => {
    // 50 yuan: refunds above it wait for a second admin.
    w = await startPayWorld({ ADJUSTMENT_APPROVAL_ABOVE: '5000' });
    centre = await cardCentre(w.world);
  });
  after(() => w.stop());

  async function creditedTopUp(amount: number) {
    const student = await boundStudent(w.world);
    const order = (await createTopUp(w.world, student, amount)).body;
    await payLikeWechat(w.standIn, order);
    await waitForStatus(w.world, student, order.id, 'credited');
    return { student, order };
  }

  test('when finance refunds a small top-up, then it starts at once, the card lists it with its refund, and a counter operator may not refund', async () => {
    const { student, order } = await creditedTopUp(3_000);
    const refused = await centre.call(
      'POST',
      `/top-ups/${order.id}/refunds`,
      { requestId: `R${newKey()}`, amount: 1_000, reason: '误充' },
      centre.tokens.card_operator,
    );
    assert.equal(refused.status, 403);
    const started = await centre.refund(order.id, {
      requestId: `R${newKey()}`,
      amount: 1_000,
      reason: '误充',
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.status, 'refund_started');
    assert.equal(await balanceOf(w.world, student.cardNo), 2_000);
    const listed = await centre.call('GET', `/cards/${student.cardNo}/top-ups`);
    const items = listed.body.items as { id: string; amount: number; refunds: Refund[] }[];
    assert.deepEqual(
      items.map((o) => [o.id, o.amount, o.refunds.map((r) => r.amount)]),
      [[order.id, 3_000, [1_000]]],
    );
  });

  test('when a card has a WeChat Pay and an Alipay top-up, then the backoffice lists both with their channel and ?channel keeps one; an unknown channel is refused', async () => {
    const { student, order } = await creditedTopUp(1_500);
    // An Alipay order of the same card, as the BFF's Alipay route places it (an app account ali-…).
    const alipayOrder = await w.world.core.client.createTopUpOrder({
      openid: `ali-${newKey()}`,
      cardNo: student.cardNo,
      idempotencyKey: newKey(),
      amount: 2_500,
      channel: 'alipay',
      dailyCap: 100_000,
      ttlMs: 900_000,
    });
    const listed = async (query: string) => {
      const answer = await centre.call('GET', `/cards/${student.cardNo}/top-ups${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body.items as { id: string; channel: string }[]).map((o) => [o.id, o.channel]);
    };
    assert.deepEqual(await listed(''), [
      [alipayOrder.id, 'alipay'],
      [order.id, 'wechat'],
    ]);
    assert.deepEqual(await listed('?channel=alipay'), [[alipayOrder.id, 'alipay']]);
    assert.deepEqual(await listed('?channel=wechat'), [[order.id, 'wechat']]);
    const refused = await centre.call('GET', `/cards/${student.cardNo}/top-ups?channel=cash`);
    assert.equal(refused.status, 400);
  });

  test('when a refund is above the threshold, then it waits; its maker cannot approve it; approving twice refunds once', async () => {
    const { student, order } = await creditedTopUp(8_000);
    const requestId = `R${newKey()}`;
    const proposed = await centre.refund(order.id, { requestId, amount: 8_000, reason: '退学退款' });
    assert.equal(proposed.body.status, 'pending_approval', JSON.stringify(proposed.body));
    const approvalId = (proposed.body.approval as { id: string; kind: string }).id;
    assert.equal((proposed.body.approval as { kind: string }).kind, 'top_up_refund');
    // The same request again proposes nothing new; nothing has moved yet.
    const retried = await centre.refund(order.id, { requestId, amount: 8_000, reason: '退学退款' });
    assert.equal((retried.body.approval as { id: string }).id, approvalId);
    assert.equal(await balanceOf(w.world, student.cardNo), 8_000);

    const own = await centre.call('POST', `/approvals/${approvalId}/approve`, {});
    assert.equal(own.body.code, 'MAKER_CANNOT_CHECK');
    const approved = await centre.call(
      'POST',
      `/approvals/${approvalId}/approve`,
      {},
      centre.tokens.super_admin,
    );
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const again = await centre.call(
      'POST',
      `/approvals/${approvalId}/approve`,
      {},
      centre.tokens.super_admin,
    );
    assert.equal((again.body.operation as Refund).id, (approved.body.operation as Refund).id);
    await waitForStatus(w.world, student, order.id, 'refunded');
    assert.equal(await balanceOf(w.world, student.cardNo), 0);
    assert.equal((await w.world.core.client.topUpRefunds(order.id)).items.length, 1);

    const audit = await centre.call('GET', `/audit?targetId=${order.id}`, undefined, centre.tokens.auditor);
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    assert.ok(actions.includes('top_up_refund.propose'), actions.join());
  });

  test('when small refunds of one admin add up past the threshold in a day, then the next one waits for approval', async () => {
    const { order } = await creditedTopUp(9_000);
    const small = (amount: number) =>
      centre.refund(order.id, { requestId: `R${newKey()}`, amount, reason: '分笔退款' });
    // The first test refunded 10 yuan at once; 39 more stays within 50.
    assert.equal((await small(3_900)).body.status, 'refund_started');
    assert.equal((await small(200)).body.status, 'pending_approval');
  });
});
