// Goal: a WeChat top-up's payer openid is shown whole only to roles that refund top-ups (finance, super
// admin); a department admin or an auditor reading the same card sees it masked, in every admin answer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { maskOpenid, maskOpenids } from '../src/admin/openid-mask.ts';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Orders = { items: { openid: string; cardNo: string }[] };

describe('admin answers mask payer openids for roles without the refund right', () => {
  let world: TestWorld;
  let tokens: Admins;
  let cardNo: string;
  const payer = 'oPayerOpenid0123456789abcdefXYZ';
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    cardNo = await openCard(world, '计算机学院', '郑充值');
    await world.core.client.createTopUpOrder({
      openid: payer,
      cardNo,
      idempotencyKey: 'mask-test-1',
      amount: 5000,
      dailyCap: 100_000,
      ttlMs: 60_000,
    });
  });
  after(() => world.stop());

  const topUps = (role: keyof Admins) =>
    world.request<Orders>('GET', `/api/admin/v1/cards/${cardNo}/top-ups`, { token: tokens[role] });

  test('#12.14 when a department admin or an auditor reads a card’s WeChat top-ups, then the payer openid is masked; finance and the super admin see it whole', async () => {
    for (const role of ['department_admin', 'auditor', 'card_operator'] as const) {
      const reply = await topUps(role);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.items[0]?.openid, 'oPay…XYZ', role);
      assert.ok(!JSON.stringify(reply.body).includes(payer), role);
    }
    for (const role of ['finance', 'super_admin'] as const)
      assert.equal((await topUps(role)).body.items[0]?.openid, payer, role);
  });

  test('#12.14 when an answer carries openids at any depth, then each one is masked and nothing else changes', () => {
    const answer = {
      items: [{ payerOpenid: payer, nested: { parentOpenid: payer, amount: 5 } }],
      openid: 'short',
    };
    assert.deepEqual(maskOpenids(answer), {
      items: [{ payerOpenid: maskOpenid(payer), nested: { parentOpenid: 'oPay…XYZ', amount: 5 } }],
      openid: '…',
    });
    const file = Buffer.from('csv');
    assert.equal(maskOpenids(file), file);
  });
});
