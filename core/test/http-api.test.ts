import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  dialects,
  openStudent,
  opId,
  startTestCore,
  type TestCore,
  testServiceKey,
} from '@campus-card/tests/kit';
import { signedHeaders } from '../src/http/signature.ts';

describe('internal HTTP API', () => {
  let t: TestCore;
  let merchantId: string;
  let cardNo: string;

  async function call(
    method: string,
    path: string,
    body?: unknown,
    sign: { secret?: string; timestamp?: number; keyId?: string } = {},
  ) {
    const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${t.core.url}${path}`, {
      method,
      body: payload || undefined,
      headers: {
        'content-type': 'application/json',
        ...signedHeaders(
          { keyId: sign.keyId ?? testServiceKey.keyId, secret: sign.secret ?? testServiceKey.secret },
          method,
          path,
          payload,
          sign.timestamp,
        ),
      },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  before(async () => {
    t = await startTestCore(dialects[0] ?? 'mysql', { HOLD_SWEEP_INTERVAL_MS: '3600000' });
    merchantId = (await t.client.createMerchant({ name: '超市', category: 'shop' })).id;
    cardNo = await openStudent(t.client);
    await t.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
  });
  after(() => t.stop());

  test('when a request is unsigned, wrongly signed, stale or from an unknown key, then 401 and nothing runs', async () => {
    // Goal: only services holding a key can call the core.
    const body = { id: opId(), cardNo, amount: 100, channel: 'cash' };
    const unsigned = await fetch(`${t.core.url}/v1/top-ups`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(unsigned.status, 401);
    assert.equal(((await unsigned.json()) as { code: string }).code, 'UNAUTHENTICATED');
    assert.equal(
      (await call('POST', '/v1/top-ups', body, { secret: 'wrong-secret-wrong-secret' })).status,
      401,
    );
    assert.equal(
      (await call('POST', '/v1/top-ups', body, { timestamp: Date.now() - 10 * 60_000 })).status,
      401,
    );
    assert.equal((await call('POST', '/v1/top-ups', body, { keyId: 'nobody' })).status, 401);
    assert.equal((await t.client.getCard(cardNo)).balance.main, 1_000);
  });

  test('when the health check is asked, then it answers without a signature', async () => {
    // Goal: load balancers can probe the core.
    const response = await fetch(`${t.core.url}/health`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { status: string }).status, 'ok');
  });

  test('when a body is invalid, then 400 VALIDATION_FAILED names the fields and nothing is stored', async () => {
    // Goal: validation at the edge with a clear error.
    const id = opId();
    const bad = await call('POST', '/v1/payments', { id, cardNo, merchantId, amount: 12.5, extra: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
    assert.match(bad.body.message, /amount/);
    const notJson = await call('POST', '/v1/payments', '{not json');
    assert.equal(notJson.status, 400);
    assert.equal((await call('GET', `/v1/operations/${id}`)).status, 404);
    assert.equal((await call('POST', '/v1/payments', { id, cardNo, merchantId, amount: -5 })).status, 400);
  });

  test('when single-operation routes answer, then statuses follow the codes and replays say so', async () => {
    // Goal: 200 accepted, 422 refused by a rule, 409 for a reused id, with the replay header on retries.
    const id = opId();
    const first = await call('POST', '/v1/payments', { id, cardNo, merchantId, amount: 100 });
    assert.equal(first.status, 200);
    assert.equal(first.body.status, 'ok');
    const replay = await call('POST', '/v1/payments', { id, cardNo, merchantId, amount: 100 });
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    const reused = await call('POST', '/v1/payments', { id, cardNo, merchantId, amount: 200 });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.code, 'ID_REUSED');
    assert.deepEqual(reused.body.details.fields, ['amount']);
    const poor = await call('POST', '/v1/payments', { id: opId(), cardNo, merchantId, amount: 4_999 });
    assert.equal(poor.status, 422);
    assert.equal(poor.body.code, 'INSUFFICIENT_FUNDS');
    assert.equal((await call('GET', '/v1/cards/800000000009')).body.code, 'CARD_NOT_FOUND');
  });

  test('when a batch request holds good and bad items, then each is answered alone in order', async () => {
    // Goal: one invalid operation in a batch does not fail its neighbours.
    const good = opId();
    const response = await call('POST', '/v1/operations/batch', {
      operations: [
        { kind: 'top_up', id: good, cardNo, amount: 50, channel: 'bank' },
        { kind: 'payment', id: opId(), cardNo, merchantId },
        { kind: 'teleport', id: opId() },
      ],
    });
    assert.equal(response.status, 200);
    const [a, b, c] = response.body.answers;
    assert.equal(a.status, 'ok');
    assert.equal(b.code, 'VALIDATION_FAILED');
    assert.equal(c.code, 'VALIDATION_FAILED');
    assert.equal((await call('POST', '/v1/operations/batch', { operations: [] })).status, 400);
  });

  test('when a route does not exist, then 404 NOT_FOUND in the usual error shape', async () => {
    // Goal: one error shape everywhere.
    const missing = await call('GET', '/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
  });

  test('when a hold is posted after its deadline but before the sweeper ran, then HOLD_EXPIRED', async () => {
    // Goal: the deadline is decided on the database clock, not by whether the sweeper got there first.
    const holdId = opId('hold');
    const hold = await t.client.hold({ id: holdId, cardNo, merchantId, amount: 100, timeoutMs: 1_000 });
    assert.equal(hold.status, 'ok');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const late = await t.client.postHold(holdId, { id: opId(), amount: 50 });
    assert.equal((late as { code?: string }).code, 'HOLD_EXPIRED');
    assert.equal((await t.core.ledger.sweepExpiredHolds()) >= 1, true);
    assert.equal((await t.client.getHold(holdId)).status, 'expired');
  });

  test('when a card is cancelled, then it can neither pay nor be topped up', async () => {
    // Goal: CARD_CANCELLED for both directions of money.
    const card = await openStudent(t.client);
    await t.client.topUp({ id: opId(), cardNo: card, amount: 100, channel: 'cash' });
    await t.core.db.execute("UPDATE cards SET status = 'cancelled' WHERE card_no = ?", [card]);
    const pay = await t.client.pay({ id: opId(), cardNo: card, merchantId, amount: 10 });
    assert.equal((pay as { code?: string }).code, 'CARD_CANCELLED');
    const top = await t.client.topUp({ id: opId(), cardNo: card, amount: 10, channel: 'cash' });
    assert.equal((top as { code?: string }).code, 'CARD_CANCELLED');
  });

  test('when a person number is opened twice, or an unknown account adjusted, then ALREADY_EXISTS and ACCOUNT_NOT_FOUND', async () => {
    // Goal: the remaining refusal codes.
    await t.client.openCard({ personNo: 'DUP0001', name: '重复', type: 'staff' });
    await assert.rejects(t.client.openCard({ personNo: 'DUP0001', name: '重复', type: 'staff' }), {
      code: 'ALREADY_EXISTS',
    });
    const adjust = await t.client.adjust({
      id: opId(),
      accountId: 'NO-SUCH-ACCOUNT',
      amount: 5,
      reason: '测试',
    });
    assert.equal((adjust as { code?: string }).code, 'ACCOUNT_NOT_FOUND');
  });

  test('when a body is larger than the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    // Goal: every input is bounded.
    const huge = await call('POST', '/v1/payments', { id: 'x', pad: 'x'.repeat(600 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.code, 'PAYLOAD_TOO_LARGE');
  });

  test('when bills are paged, then the cursor walks every accepted operation once, newest first', async () => {
    // Goal: cursor pagination over a card's operations.
    const card = await openStudent(t.client);
    for (let i = 0; i < 5; i++)
      await t.client.topUp({ id: opId(), cardNo: card, amount: 10 + i, channel: 'wechat' });
    const seen: number[] = [];
    let page = await t.client.cardOperations(card, { limit: 2 });
    seen.push(...page.items.map((o) => o.amount));
    while (page.next) {
      page = await t.client.cardOperations(card, { limit: 2, ...page.next });
      seen.push(...page.items.map((o) => o.amount));
    }
    assert.deepEqual(seen, [14, 13, 12, 11, 10]);
  });

  test('when card affairs are repeated, then the second time answers changed = false and history keeps both', async () => {
    // Goal: card actions are idempotent by their result; invalid transitions are refused.
    const card = await openStudent(t.client);
    const actor = { type: 'self' as const, id: 'me' };
    assert.equal((await t.client.changeCard(card, 'report_loss', actor)).changed, true);
    assert.equal((await t.client.changeCard(card, 'report_loss', actor)).changed, false);
    await assert.rejects(t.client.changeCard(card, 'unfreeze', actor), { code: 'INVALID_TRANSITION' });
    const history = (await call('GET', `/v1/cards/${card}/history`)).body as { kind: string }[];
    assert.deepEqual(
      history.map((e) => e.kind),
      ['opened', 'report_loss'],
    );
  });
});
