import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisUrl, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import type { CardActivity } from '../src/activity/card-activity.ts';
import { redisNames } from '../src/redis.ts';

describe('card activity for live views', () => {
  let t: TestCore;
  let subscriber: Redis;
  const heard: CardActivity[] = [];
  const published: CardActivity[] = [];
  let merchantId: string;

  before(async () => {
    t = await startTestCore('mysql', { REDIS_URL: redisUrl });
    t.core.activity.on((a) => heard.push(a));
    subscriber = new Redis(redisUrl);
    subscriber.on('message', (_channel: string, message: string) => {
      published.push(JSON.parse(message) as CardActivity);
    });
    await subscriber.subscribe(redisNames(t.redisPrefix).channels.cardActivity);
    merchantId = (await t.client.createMerchant({ name: '第一食堂', category: 'canteen' })).id;
  });
  after(async () => {
    await subscriber.quit();
    await t.stop();
  });

  const waitFor = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setTimeout(r, 20));
    assert.ok(check(), 'the activity arrived');
  };

  test('when a top-up and a payment are accepted, then each is told once, in process and on Redis, with the balance after', async () => {
    const cardNo = await openStudent(t.client);
    const topUpId = opId('top');
    await t.client.topUp({ id: topUpId, cardNo, amount: 5_000, channel: 'cash' });
    const payId = opId('pay');
    await t.client.pay({ id: payId, cardNo, merchantId, amount: 1_200 });
    // A retry is not news: it must not be told again.
    await t.client.pay({ id: payId, cardNo, merchantId, amount: 1_200 });
    await waitFor(() => published.filter((a) => a.cardNo === cardNo).length >= 2);
    const mine = heard.filter((a) => a.cardNo === cardNo);
    assert.deepEqual(
      mine.map((a) => (a.type === 'operation' ? [a.kind, a.operationId, a.amount] : [a.type])),
      [
        ['top_up', topUpId, 5_000],
        ['payment', payId, 1_200],
      ],
    );
    const payment = mine[1];
    assert.ok(payment?.type === 'operation');
    assert.equal(payment.merchantId, merchantId);
    assert.equal(payment.balance?.main, 3_800);
    assert.deepEqual(
      published.filter((a) => a.cardNo === cardNo),
      mine,
    );
  });

  test('when a payment is refused, then nothing is told', async () => {
    const cardNo = await openStudent(t.client);
    const answer = await t.client.pay({ id: opId('pay'), cardNo, merchantId, amount: 100 });
    assert.equal(answer.status, 'rejected');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(heard.filter((a) => a.cardNo === cardNo).length, 0);
  });

  test('when a card is reported lost, then its new status and version are told', async () => {
    const cardNo = await openStudent(t.client);
    const change = await t.client.changeCard(cardNo, 'report_loss', { type: 'self', id: null });
    await waitFor(() => published.some((a) => a.cardNo === cardNo));
    const told = heard.filter((a) => a.cardNo === cardNo);
    assert.equal(told.length, 1);
    assert.deepEqual(
      { ...told[0], atMs: 0 },
      { type: 'card', cardNo, status: 'lost', version: change.version, atMs: 0 },
    );
  });
});
