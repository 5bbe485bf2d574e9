// Goal: cash-desk top-ups count toward the cashier's total for the Asia/Shanghai day, reserved before
// anything is posted, so a burst of small top-ups cannot move more than the threshold without a second
// admin; past it, each waits as an approval that a checker carries out once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, requestId, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Body = Record<string, unknown>;

describe('cash-desk top-ups and the cashier’s day', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    // 100 元 a day per cashier without a checker.
    world = await startWorld({ CASH_TOP_UP_APPROVAL_ABOVE: '10000' });
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  const as = (role: keyof Admins) => ({
    post: (path: string, body: unknown = {}) =>
      world.request<Body>('POST', `/api/admin/v1${path}`, { token: tokens[role], body }),
  });

  test('#12.9 when 50 cash top-ups of 10 元 by one cashier race under a 100 元 day, then 100 元 is posted at most, the rest wait for approval, and an approved one posts once', async () => {
    const cardNo = await openCard(world, '计算机学院', '周现金');
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        as('card_operator').post(`/cards/${cardNo}/cash-top-ups`, { requestId: requestId(), amount: 1000 }),
      ),
    );
    for (const r of replies) assert.equal(r.status, 200, JSON.stringify(r.body));
    const posted = replies.filter((r) => r.body.status === 'posted');
    const waiting = replies.filter((r) => r.body.status === 'pending_approval');
    assert.equal(posted.length, 10);
    assert.equal(waiting.length, 40);
    assert.equal((await world.core.client.getCard(cardNo)).balance.main, 10_000);
    // A receipt for what was posted.
    assert.equal(posted[0]?.body.amount, 1000);

    const approvalId = (waiting[0]?.body.approval as { id: string } | undefined)?.id;
    assert.ok(approvalId);
    assert.equal((await as('card_operator').post(`/approvals/${approvalId}/approve`)).status, 403);
    const approved = await as('finance').post(`/approvals/${approvalId}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal((approved.body.approval as { status: string }).status, 'approved');
    const again = await as('finance').post(`/approvals/${approvalId}/approve`);
    assert.equal(again.status, 200);
    assert.equal((await world.core.client.getCard(cardNo)).balance.main, 11_000);
  });

  test('#12.9 when one cash top-up is larger than the day’s threshold, then it waits for approval whatever the day so far', async () => {
    const cardNo = await openCard(world, '计算机学院', '吴大额');
    const big = await as('super_admin').post(`/cards/${cardNo}/cash-top-ups`, {
      requestId: requestId(),
      amount: 20_000,
    });
    assert.equal(big.body.status, 'pending_approval', JSON.stringify(big.body));
    assert.equal((await world.core.client.getCard(cardNo)).balance.main, 0);
  });
});
