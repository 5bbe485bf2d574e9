import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStudent, startTestCore, type TestCore, testServiceKey } from '@campus-card/tests/kit';
import { type Answer, CoreClient } from '../src/client/index.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/**
 * Jepsen's "bank" test against MariaDB: 32 clients run thousands of random payments, top-ups,
 * holds (post, void, expire) and refunds, mixed with duplicate and altered retries. Afterwards
 * the books balance, no wallet is negative, every acknowledged operation is present exactly once
 * with its effect, and every refused one left nothing behind.
 */
const clientsCount = 32;
const stepsPerClient = Number(process.env.BANK_STEPS ?? 120);
const cardsCount = 40;

let t: TestCore;
let cards: string[] = [];
const merchants: string[] = [];

before(async () => {
  t = await startTestCore('mysql', {
    HOLD_SWEEP_INTERVAL_MS: '1000',
    LEDGER_EXECUTORS: '4',
    LEDGER_BATCH_SIZE_MAX: '32',
  });
  for (let i = 0; i < 4; i++)
    merchants.push(
      (await t.client.createMerchant({ name: `商户${i}`, category: i === 3 ? 'shower' : 'canteen' })).id,
    );
  cards = await Promise.all(Array.from({ length: cardsCount }, () => openStudent(t.client)));
  await Promise.all(
    cards.map((cardNo, i) => t.client.topUp({ id: `seed-${i}`, cardNo, amount: 5_000, channel: 'wechat' })),
  );
});
after(() => t.stop());

interface Sent {
  method: 'pay' | 'topUp' | 'subsidize' | 'hold' | 'refund' | 'post' | 'void';
  body: Record<string, unknown>;
  holdId?: string;
}

test('when 32 clients race random operations with retries, then every acknowledged operation counts exactly once', async () => {
  // Goal: linearizable money under concurrency — checked from the client's own acknowledgements.
  const acknowledged = new Map<string, { sent: Sent; answer: Answer }>();
  const refused = new Map<string, Answer>();
  let serial = 0;

  async function send(client: CoreClient, s: Sent): Promise<Answer> {
    const b = s.body as never;
    switch (s.method) {
      case 'pay':
        return client.pay(b);
      case 'topUp':
        return client.topUp(b);
      case 'subsidize':
        return client.subsidize(b);
      case 'hold':
        return client.hold(b);
      case 'refund':
        return client.refund(b);
      case 'post':
        return client.postHold(s.holdId as string, b);
      case 'void':
        return client.voidHold(s.holdId as string, b);
    }
  }

  await Promise.all(
    Array.from({ length: clientsCount }, async (_, worker) => {
      const client = new CoreClient({ url: t.core.url, ...testServiceKey, connectionsMax: 2 });
      const history: Sent[] = [];
      const myPayments: string[] = [];
      const myHolds: string[] = [];
      try {
        for (let step = 0; step < stepsPerClient; step++) {
          const roll = randomInt(100);
          const id = `w${worker}-${serial++}`;
          const cardNo = cards[randomInt(cards.length)] as string;
          let sent: Sent;
          if (roll < 10 && history.length > 0) {
            sent = history[randomInt(history.length)] as Sent; // A duplicate retry of an earlier request.
          } else if (roll < 15 && history.length > 0) {
            const earlier = history[randomInt(history.length)] as Sent;
            if (earlier.body.amount === undefined) continue;
            const body = { ...earlier.body, amount: Number(earlier.body.amount ?? 0) + 1 };
            const answer = await send(client, { ...earlier, body });
            assert.equal(answer.status, 'rejected');
            assert.equal((answer as { code: string }).code, 'ID_REUSED');
            continue;
          } else if (roll < 50) {
            sent = {
              method: 'pay',
              body: { id, cardNo, merchantId: merchants[randomInt(3)], amount: 1 + randomInt(900) },
            };
          } else if (roll < 60) {
            sent = { method: 'topUp', body: { id, cardNo, amount: 1 + randomInt(1_500), channel: 'alipay' } };
          } else if (roll < 65) {
            sent = { method: 'subsidize', body: { id, cardNo, amount: 1 + randomInt(300) } };
          } else if (roll < 75) {
            // Some holds are left to expire: the sweeper settles them at their reported usage.
            sent = {
              method: 'hold',
              body: {
                id,
                cardNo,
                merchantId: merchants[3],
                amount: 100 + randomInt(500),
                timeoutMs: 1_000 + randomInt(2) * 30_000,
              },
            };
          } else if (roll < 88 && myHolds.length > 0) {
            const holdId = myHolds[randomInt(myHolds.length)] as string;
            sent =
              randomInt(3) === 0
                ? { method: 'void', holdId, body: { id } }
                : { method: 'post', holdId, body: { id, amount: randomInt(700) } };
          } else if (myPayments.length > 0) {
            sent = {
              method: 'refund',
              body: { id, paymentId: myPayments[randomInt(myPayments.length)], amount: 1 + randomInt(400) },
            };
          } else {
            continue;
          }
          const answer = await send(client, sent);
          const key = String(sent.body.id);
          if (answer.replayed) {
            // A retry must answer exactly what the first request was answered.
            const first = acknowledged.get(key)?.answer ?? refused.get(key);
            assert.ok(first, `replay of unknown ${key}`);
            assert.deepEqual({ ...answer, replayed: false }, { ...first, replayed: false });
            continue;
          }
          history.push(sent);
          if (answer.status === 'ok') {
            acknowledged.set(key, { sent, answer });
            if (sent.method === 'pay') myPayments.push(key);
            if (sent.method === 'hold') myHolds.push(key);
            if (sent.method === 'hold' && randomInt(2) === 0) await client.reportUsage(key, randomInt(100));
          } else {
            refused.set(key, answer);
          }
        }
      } finally {
        await client.close();
      }
    }),
  );

  // Let the short holds expire and be swept.
  await sleep(1_500);
  const db = t.core.db;
  for (let i = 0; i < 50; i++) {
    const left = await db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM holds WHERE status = 'pending' AND expires_at_ms < ?",
      [Date.now()],
    );
    if (Number(left[0]?.n) === 0) break;
    await sleep(100);
  }

  const report = await checkLedger(db);
  assert.deepEqual(report.breaks, [], 'ledger check');
  assert.ok(
    acknowledged.size > clientsCount * stepsPerClient * 0.4,
    `only ${acknowledged.size} operations accepted`,
  );

  const rows = await db.select<{ id: string; outcome: string }>('SELECT id, outcome FROM operations');
  const stored = new Map(rows.map((r) => [r.id, r.outcome]));
  for (const id of acknowledged.keys())
    assert.equal(stored.get(id), 'ok', `acknowledged ${id} is not stored as ok`);
  for (const [id, answer] of refused)
    assert.equal(stored.get(id), (answer as { code: string }).code, `refused ${id}`);
  const legs = await db.select<{ operation_id: string }>(
    "SELECT DISTINCT t.operation_id FROM transfers t JOIN operations o ON o.id = t.operation_id WHERE o.outcome <> 'ok'",
  );
  assert.deepEqual(legs, []);

  // Every card's balance is what its acknowledged operations (and the server's hold expiries) say.
  const expected = new Map(cards.map((c) => [c, 5_000]));
  const paymentCard = new Map<string, string>();
  const holdCard = new Map<string, string>();
  for (const { sent, answer } of acknowledged.values()) {
    const a = answer as { amount: number; cardNo?: string };
    const card = a.cardNo as string;
    if (sent.method === 'pay') paymentCard.set(String(sent.body.id), card);
    if (sent.method === 'hold') holdCard.set(String(sent.body.id), card);
    const sign =
      sent.method === 'topUp' || sent.method === 'subsidize' || sent.method === 'refund'
        ? 1
        : sent.method === 'hold' || sent.method === 'void'
          ? 0
          : -1;
    expected.set(card, (expected.get(card) ?? 0) + sign * a.amount);
  }
  const expired = await db.select<{ id: string; card_no: string; resolved_amount: number }>(
    "SELECT id, card_no, resolved_amount FROM holds WHERE status = 'expired'",
  );
  for (const h of expired)
    expected.set(h.card_no, (expected.get(h.card_no) ?? 0) - Number(h.resolved_amount));
  const pendingHolds = await db.select<{ card_no: string; amount: number }>(
    "SELECT card_no, amount FROM holds WHERE status = 'pending'",
  );
  for (const h of pendingHolds) expected.set(h.card_no, (expected.get(h.card_no) ?? 0) - Number(h.amount));
  for (const cardNo of cards) {
    const card = await t.client.getCard(cardNo);
    assert.equal(card.balance.main + card.balance.subsidy, expected.get(cardNo), `balance of ${cardNo}`);
    assert.ok(card.balance.main >= 0 && card.balance.subsidy >= 0);
  }
});
