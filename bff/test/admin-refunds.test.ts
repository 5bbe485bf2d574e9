import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Admins, openCard, requestId, signedInAdmins } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

interface EntryReply {
  operationId: string;
  cardNo: string;
  mainAmount: number;
  reason: string;
  status: string;
  channel: string | null;
  paidByName: string | null;
  changed?: boolean;
  code?: string;
}

describe('admin refund list: a card-centre close-out is listed, finance pays it out once, others read or are refused', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  const list = (token: string, status = 'due') =>
    world.request<{ items: EntryReply[] }>('GET', `${api}/refunds?status=${status}`, { token });
  const payout = (token: string, id: string, body: Record<string, unknown>) =>
    world.request<EntryReply>('POST', `${api}/refunds/${encodeURIComponent(id)}/payout`, { token, body });
  const audited = async (id: string) =>
    (await world.core.client.searchAudit({ action: 'refund.payout', targetId: id, limit: 10 })).items.length;

  /** The counter closes a card with 12.50 yuan on it through the backoffice. */
  async function closedByCounter(): Promise<{ cardNo: string; operationId: string }> {
    const cardNo = await openCard(world, '计算机学院');
    await world.core.client.topUp({ id: `rf-top-${cardNo}`, cardNo, amount: 1_250, channel: 'cash' });
    const rid = requestId();
    const closed = await world.request<{ status: string }>('POST', `${api}/cards/${cardNo}/close-out`, {
      token: tokens.card_operator,
      body: { requestId: rid, reason: '退学' },
    });
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    return { cardNo, operationId: `adm-close-${rid}` };
  }

  test('when the counter closes a card out, then finance, the auditor and the super admin see it due, and the rest are refused', async () => {
    const { cardNo, operationId } = await closedByCounter();
    for (const role of ['finance', 'auditor', 'super_admin'] as const) {
      const reply = await list(tokens[role]);
      assert.equal(reply.status, 200, role);
      const entry = reply.body.items.find((e) => e.operationId === operationId);
      assert.deepEqual(
        [entry?.cardNo, entry?.mainAmount, entry?.reason],
        [cardNo, 1_250, 'card_closed'],
        role,
      );
    }
    for (const role of ['card_operator', 'device_admin', 'content_editor', 'department_admin'] as const) {
      assert.equal((await list(tokens[role])).status, 403, role);
    }
  });

  test('when finance pays a refund out in cash, then it is paid once and audited once; a retry answers the same, the bank is refused, others may not pay', async () => {
    const { operationId } = await closedByCounter();
    for (const role of ['auditor', 'card_operator', 'device_admin'] as const) {
      assert.equal((await payout(tokens[role], operationId, { channel: 'cash' })).status, 403, role);
    }
    assert.equal((await payout(tokens.finance, operationId, {})).status, 400, 'a channel is required');

    const paid = await payout(tokens.finance, operationId, { channel: 'cash', requestId: requestId() });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.deepEqual(
      [paid.body.status, paid.body.channel, paid.body.changed, paid.body.paidByName],
      ['paid', 'cash', true, '演示财务'],
    );
    const again = await payout(tokens.finance, operationId, { channel: 'cash', requestId: requestId() });
    assert.deepEqual([again.status, again.body.changed], [200, false]);
    const bank = await payout(tokens.finance, operationId, { channel: 'bank' });
    assert.deepEqual([bank.status, bank.body.code], [409, 'REFUND_ALREADY_PAID']);
    assert.equal(await audited(operationId), 1);

    const paidList = await list(tokens.auditor, 'paid');
    const entry = paidList.body.items.find((e) => e.operationId === operationId);
    assert.deepEqual([entry?.status, entry?.channel, entry?.paidByName], ['paid', 'cash', '演示财务']);
    assert.ok(!(await list(tokens.finance)).body.items.some((e) => e.operationId === operationId));
  });

  test('when finance exports the due list, then it is a CSV with the amounts in yuan, audited', async () => {
    const { cardNo } = await closedByCounter();
    const response = await fetch(`${world.bff.url}${api}/refunds?status=due&format=csv`, {
      headers: { authorization: `Bearer ${tokens.finance}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    const text = Buffer.from(await response.arrayBuffer())
      .subarray(3)
      .toString('utf8');
    assert.match(text, /^学工号,卡号,退款金额\(元\),原因/);
    assert.ok(text.split('\r\n').some((line) => line.includes(`,${cardNo},12.50,销户,`)));
    const exports = await world.core.client.searchAudit({ action: 'refund.export', limit: 10 });
    assert.ok(exports.items.length >= 1);
  });

  test('when a student disputes a payment (消费纠错), then finance accepts it with a refund once, the student sees it accepted, and others may only read', async () => {
    const student = await boundStudent(world);
    const merchantId = (await world.core.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
    await world.core.client.topUp({
      id: `dp-top-${student.cardNo}`,
      cardNo: student.cardNo,
      amount: 2_000,
      channel: 'cash',
    });
    const paymentId = `dp-pay-${student.cardNo}`;
    await world.core.client.pay({ id: paymentId, cardNo: student.cardNo, merchantId, amount: 1_280 });
    const studentCall = <T>(method: string, path: string, body?: unknown) =>
      world.request<T>(method, `/api/v1${path}`, { token: student.accessToken, ...(body ? { body } : {}) });

    const opened = await studentCall<{ id: string; status: string }>('POST', '/disputes', {
      requestId: requestId(),
      paymentId,
      reason: 'wrong_amount',
      note: '只买了一份',
    });
    assert.deepEqual([opened.status, opened.body.status], [200, 'open'], JSON.stringify(opened.body));
    const twice = await studentCall<{ code: string }>('POST', '/disputes', {
      requestId: requestId(),
      paymentId,
      reason: 'other',
    });
    assert.deepEqual([twice.status, twice.body.code], [409, 'DISPUTE_ALREADY_OPEN']);

    const accept = (token: string, amount: unknown) =>
      world.request<{ status: string; code?: string; merchantName?: string; refundAmount?: number }>(
        'POST',
        `${api}/disputes/${opened.body.id}/accept`,
        { token, body: { amount } },
      );
    assert.equal(
      (await world.request('GET', `${api}/disputes?status=open`, { token: tokens.auditor })).status,
      200,
    );
    for (const role of ['auditor', 'card_operator', 'device_admin'] as const) {
      assert.equal((await accept(tokens[role], 100)).status, 403, role);
    }
    // Invalid amounts are refused, never corrected; more than the payment is refused by the ledger.
    for (const amount of [-5, 0, 1.5, '5'])
      assert.equal((await accept(tokens.finance, amount)).status, 400, String(amount));
    const tooMuch = await accept(tokens.finance, 1_281);
    assert.deepEqual([tooMuch.status, tooMuch.body.code], [422, 'REFUND_EXCEEDS_PAYMENT']);

    const accepted = await accept(tokens.finance, 280);
    assert.deepEqual(
      [accepted.status, accepted.body.status, accepted.body.merchantName, accepted.body.refundAmount],
      [200, 'accepted', '二食堂', 280],
    );
    assert.equal((await accept(tokens.finance, 280)).status, 200, 'a retry answers the accepted dispute');
    assert.equal((await world.core.client.getCard(student.cardNo)).balance.main, 2_000 - 1_280 + 280);
    const audits = await world.core.client.searchAudit({
      action: 'dispute.accept',
      targetId: opened.body.id,
      limit: 10,
    });
    assert.equal(audits.items.length, 1);

    const mine = await studentCall<{ items: { status: string; refundAmount: number }[] }>(
      'GET',
      `/disputes?paymentId=${paymentId}`,
    );
    assert.deepEqual(
      mine.body.items.map((d) => [d.status, d.refundAmount]),
      [['accepted', 280]],
    );
  });
});
