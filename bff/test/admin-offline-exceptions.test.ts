import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, requestId, signedInAdmins } from './admin-support.ts';
import { offlineException } from './offline-support.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

interface ExceptionReply {
  id: string;
  status: string;
  resolution: string | null;
  resolvedBy: string | null;
  replayed?: boolean;
  code?: string;
}

describe('admin offline exceptions: listed for devices, finance and audit; resolved by finance only', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  const resolve = (token: string, id: string, body: Record<string, unknown>) =>
    world.request<ExceptionReply>('POST', `${api}/offline-exceptions/${id}/resolve`, { token, body });
  const audited = async (action: string, id: string) =>
    (await world.core.client.searchAudit({ action, targetId: id, limit: 10 })).items.length;

  test('when each role opens the list, then the device admin, finance, the auditor and the super admin see it and the rest are refused', async () => {
    const e = await offlineException(world.core.client, { amount: 800, held: 300 });
    for (const role of ['device_admin', 'finance', 'auditor', 'super_admin'] as const) {
      const list = await world.request<{ items: ExceptionReply[] }>('GET', `${api}/offline-exceptions`, {
        token: tokens[role],
      });
      assert.equal(list.status, 200, role);
      assert.ok(
        list.body.items.some((x) => x.id === e.id && x.status === 'open'),
        role,
      );
    }
    for (const role of ['card_operator', 'content_editor', 'department_admin'] as const) {
      const list = await world.request('GET', `${api}/offline-exceptions`, { token: tokens[role] });
      assert.equal(list.status, 403, role);
    }
  });

  test('when finance recovers a receivable, then the card pays it once, a retry answers the same and one audit row is written; others may not act', async () => {
    const e = await offlineException(world.core.client, { amount: 800, held: 300 });
    await world.core.client.topUp({
      id: `ox-more-${e.id}`,
      cardNo: e.cardNo,
      amount: 1_000,
      channel: 'cash',
    });
    for (const role of ['device_admin', 'auditor', 'card_operator'] as const) {
      const refused = await resolve(tokens[role], e.id, {
        action: 'recover',
        requestId: requestId(),
        note: '补缴',
      });
      assert.equal(refused.status, 403, role);
    }
    const body = { action: 'recover', requestId: requestId(), note: '学生已到卡务中心补缴' };
    const done = await resolve(tokens.finance, e.id, body);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.resolution, 'recovered');
    assert.equal(done.body.replayed, false);
    const again = await resolve(tokens.finance, e.id, body);
    assert.equal(again.body.replayed, true);
    assert.equal((await world.core.client.getCard(e.cardNo)).balance.main, 500);
    assert.equal(await audited('offline_exception.recover', e.id), 1);
    const twice = await resolve(tokens.finance, e.id, {
      ...body,
      action: 'write_off',
      requestId: requestId(),
    });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.code, 'EXCEPTION_RESOLVED');
    const closed = await world.request<{ items: ExceptionReply[] }>(
      'GET',
      `${api}/offline-exceptions?status=closed`,
      {
        token: tokens.auditor,
      },
    );
    assert.equal(closed.body.items.find((x) => x.id === e.id)?.resolution, 'recovered');
  });

  test('when the card is short, then recover is refused INSUFFICIENT_FUNDS, nothing is audited, and finance writes the receivable off instead', async () => {
    const e = await offlineException(world.core.client, { amount: 900, held: 100 });
    const short = await resolve(tokens.finance, e.id, {
      action: 'recover',
      requestId: requestId(),
      note: '追缴',
    });
    assert.equal(short.status, 422);
    assert.equal(short.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal(await audited('offline_exception.recover', e.id), 0);
    const bad = await resolve(tokens.finance, e.id, { action: 'write_off', requestId: 'x', note: '' });
    assert.equal(bad.status, 400);
    const off = await resolve(tokens.finance, e.id, {
      action: 'write_off',
      requestId: requestId(),
      note: '学生已毕业离校',
    });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.resolution, 'written_off');
    assert.equal(await audited('offline_exception.write_off', e.id), 1);
  });
});
