// Goal: an approval reads approved only when what it approves was carried out, under a ledger id of
// its own that no request can take; an action the ledger refuses leaves the approval failed with the
// refusal's code, never approved.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, requestId, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

type Body = Record<string, unknown>;

describe('admin approvals: approved means carried out', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    world = await startWorld({ ADJUSTMENT_APPROVAL_ABOVE: '10000' });
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  const as = (role: keyof Admins) => ({
    get: (path: string) => world.request<Body>('GET', `/api/admin/v1${path}`, { token: tokens[role] }),
    post: (path: string, body: unknown = {}) =>
      world.request<Body>('POST', `/api/admin/v1${path}`, { token: tokens[role], body }),
  });
  const approvalOf = async (id: string) =>
    (
      (await as('auditor').get('/approvals')).body.items as {
        id: string;
        status: string;
        failure: string | null;
      }[]
    ).find((a) => a.id === id);

  test('#12.10 when a direct adjustment takes an approval id as its request id, then approving still posts under the approval’s own ledger id and reads approved', async () => {
    const cardNo = await openCard(world, '计算机学院', '钱复核');
    const big = await as('finance').post('/adjustments', {
      requestId: requestId(),
      cardNo,
      wallet: 'main',
      amount: 20000,
      reason: '重复扣款冲正',
    });
    assert.equal(big.body.status, 'pending_approval', JSON.stringify(big.body));
    const approvalId = (big.body.approval as { id: string }).id;
    // Someone posts a small adjustment whose request id is the approval's id.
    const squatter = await as('finance').post('/adjustments', {
      requestId: approvalId,
      cardNo,
      wallet: 'main',
      amount: 100,
      reason: '补录',
    });
    assert.equal(squatter.body.status, 'posted', JSON.stringify(squatter.body));

    const approved = await as('super_admin').post(`/approvals/${approvalId}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const operation = approved.body.operation as { id: string; replayed: boolean };
    assert.equal(operation.replayed, false);
    assert.equal((approved.body.approval as { status: string }).status, 'approved');
    assert.equal((await approvalOf(approvalId))?.status, 'approved');
    assert.equal((await world.core.client.getCard(cardNo)).balance.main, 20000 + 100);
  });

  test('#12.10 when the ledger refuses an approved action, then the approval reads failed with the refusal’s code, not approved, and a retry changes nothing', async () => {
    const cardNo = await openCard(world, '计算机学院', '孙余额');
    const debit = await as('finance').post('/adjustments', {
      requestId: requestId(),
      cardNo,
      wallet: 'main',
      amount: -20000,
      reason: '冲正多充',
    });
    assert.equal(debit.body.status, 'pending_approval', JSON.stringify(debit.body));
    const approvalId = (debit.body.approval as { id: string }).id;

    const refused = await as('super_admin').post(`/approvals/${approvalId}/approve`);
    assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body));
    const code = refused.body.code as string;
    const after = await approvalOf(approvalId);
    assert.equal(after?.status, 'failed');
    assert.equal(after?.failure, code);
    // A retry of the decision answers the failed approval and posts nothing.
    const again = await as('super_admin').post(`/approvals/${approvalId}/approve`);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((again.body.approval as { status: string }).status, 'failed');
    assert.equal((await world.core.client.getCard(cardNo)).balance.main, 0);
    // Listed under failed, not approved.
    const failed = (await as('auditor').get('/approvals?status=failed')).body.items as { id: string }[];
    assert.ok(failed.some((a) => a.id === approvalId));
    const approvedList = (await as('auditor').get('/approvals?status=approved')).body.items as {
      id: string;
    }[];
    assert.ok(!approvedList.some((a) => a.id === approvalId));
  });
});
