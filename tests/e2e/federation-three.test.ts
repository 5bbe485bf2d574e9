// Three card centres on one machine (docs/federation.md): A on MariaDB, B on SQLite, C on MariaDB, each a
// complete system (its own core, database, keys; B and C with a gateway over TCP), every pair on each
// other's trust list. A's card pays at B's and C's POS, authorised at A; a card reported lost at A is
// refused at B and C; while A is down, B and C each take A's card under A's offline policy and A's cap over
// both is kept at A; the day is settled between each pair.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { shanghaiToday } from '../../core/src/time.ts';
import type { Message } from '../../device-gateway/src/protocol/index.ts';
import type { RunningGateway } from '../../device-gateway/src/server.ts';
import { phoneFor, startGatewayFor, TestDevice } from '../../device-gateway/test/support.ts';
import { type FederatedCentre, type Federation, startFederation } from '../kit/federation.ts';
import { openStudent, opId } from '../kit/index.ts';

const cardCapFen = 1_000;

const payOf = (text: string, amountFen: number): Message => ({
  kind: 'pay',
  code: { kind: 'qr', text },
  amountFen,
  orderNo: 3,
  itemNo: 0,
});

interface Shop {
  centre: FederatedCentre;
  gateway: RunningGateway;
  device: TestDevice;
  merchantId: string;
  deviceId: number;
}

describe('federation among three centres: A, B and C on different databases', () => {
  let federation: Federation;
  let a: FederatedCentre;
  const shops: Shop[] = [];

  before(async () => {
    federation = await startFederation([
      {
        id: 'CA',
        name: '甲大学',
        dialect: 'mysql',
        env: {
          FEDERATION_OFFLINE_PAYMENT_MAX_FEN: '500',
          FEDERATION_OFFLINE_CARD_CAP_FEN: String(cardCapFen),
        },
      },
      { id: 'CB', name: '乙大学', dialect: 'sqlite' },
      { id: 'CC', name: '丙大学', dialect: 'mysql' },
    ]);
    a = federation.get('CA');
    for (const [index, id] of ['CB', 'CC'].entries()) {
      const centre = federation.get(id);
      const merchantId = (
        await centre.client.createMerchant({ name: `${centre.name}食堂`, category: 'canteen' })
      ).id;
      const gateway = await startGatewayFor(
        centre,
        {},
        {
          CAMPUS_KEYS: centre.campusKeysEnv,
          FEDERATION_KEYS_POLL_INTERVAL_MS: '200',
          FEDERATION_BLACKLIST_POLL_INTERVAL_MS: '300',
        },
      );
      const deviceId = 9401 + index;
      const registered = await centre.client.registerDevice({
        id: String(deviceId),
        kind: 'pos',
        merchantId,
      });
      const device = await TestDevice.connect(
        gateway.port,
        deviceId,
        new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
      );
      assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
      shops.push({ centre, gateway, device, merchantId, deviceId });
    }
    // B and C have read A's offline policy over the link.
    for (const { centre } of shops) assert.equal(await centre.core.federation.forwards.refreshPolicies(), 2);
  });

  after(async () => {
    for (const shop of shops) {
      shop.device.close();
      await shop.gateway.close();
    }
    await federation?.stop();
  });

  test("when A's card pays at B's and C's POS, then each is authorised at A, A owes each, and each is owed by A", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    const phone = await phoneFor(a.client, cardNo, { key: a.campusKey });
    for (const [i, shop] of shops.entries()) {
      const reply = await shop.device.request(payOf(phone.code(), 1_000 + i * 100));
      assert.equal(reply.message.kind, 'pay_approved', JSON.stringify(reply.message));
      const sold = await shop.centre.client.getOperation(`dev:${shop.deviceId}:${reply.sequence}`);
      assert.equal(sold.kind, 'foreign_sale');
      const paid = await a.client.getOperation(
        `fed:${shop.centre.id}:dev:${shop.deviceId}:${reply.sequence}`,
      );
      const standsFor = (await a.client.centres()).items.find((c) => c.id === shop.centre.id)?.merchantId;
      assert.equal(paid.merchantId, standsFor);
    }
    assert.equal((await a.client.getCard(cardNo)).balance.main, 5_000 - 1_000 - 1_100);
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [], CC: [] });
  });

  test("when A's student reports the card lost at A, then B's and C's gateways hold it on A's list and refuse it, with nothing charged at A", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const phone = await phoneFor(a.client, cardNo, { key: a.campusKey });
    await a.client.changeCard(cardNo, 'report_loss', { type: 'self', id: null });
    const startedMs = Date.now();
    for (const shop of shops)
      while (shop.gateway.centres.entry('CA', cardNo)?.reason !== 'lost') {
        assert.ok(Date.now() - startedMs < 60_000, `the loss did not reach ${shop.centre.id}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    console.log(`A's loss reached B's and C's gateways within ${Date.now() - startedMs} ms`);
    for (const shop of shops) {
      const reply = await shop.device.request(payOf(phone.code(), 200));
      assert.deepEqual(reply.message, { kind: 'pay_declined', reason: 'CARD_LOST' });
    }
    assert.equal((await a.client.getCard(cardNo)).balance.main, 2_000);
  });

  test("when A is down, then B and C each take A's card within A's cap as they see it, and A, forwarded both, posts only what its cap over both allows", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    const version = (await a.client.getCard(cardNo)).version;
    a.link.mode = 'down';
    const taken: { shop: Shop; id: string }[] = [];
    try {
      for (const shop of shops)
        for (let i = 0; i < 3; i++) {
          const id = opId('dev');
          const answer = await shop.centre.client.payForeign({
            id,
            centreId: 'CA',
            cardNo,
            merchantId: shop.merchantId,
            amount: 400,
            cardVersion: version,
          });
          // Each centre's own view of the cap: two of 400 within 1,000, the third refused.
          assert.equal(answer.status, i < 2 ? 'ok' : 'rejected');
          if (answer.status === 'ok') taken.push({ shop, id });
        }
    } finally {
      a.link.mode = 'pass';
    }
    for (const { centre } of shops) await centre.core.federation.forwards.forwardDue(Date.now() + 60_000);
    // A's cap over both centres: 1,000 → two of the four posted, the other two refused at A.
    assert.equal((await a.client.getCard(cardNo)).balance.main, 5_000 - 800);
    const states = [];
    for (const { shop, id } of taken) {
      const forward = await shop.centre.core.federation.forwards.get(id);
      states.push(forward?.status === 'refused' ? forward.reason : forward?.status);
    }
    assert.deepEqual(states.sort(), ['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED', 'accepted', 'accepted']);
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [], CC: [] });
  });

  test('when the day is settled between each pair, then every pair of files agrees and the nets are recorded once on both sides', async () => {
    const day = shanghaiToday();
    const pairs = [
      ['CA', 'CB'],
      ['CA', 'CC'],
      ['CB', 'CC'],
    ] as const;
    for (const [x, y] of pairs) {
      const here = federation.get(x);
      const there = federation.get(y);
      const ours = await here.client.reconcileCentreDay(y, day);
      const theirs = await there.client.reconcileCentreDay(x, day);
      assert.deepEqual([ours.exceptions, theirs.exceptions], [[], []], `${x}–${y}`);
      assert.equal(ours.receivableAmount, theirs.payableAmount);
      assert.equal(ours.netAmount + theirs.netAmount, 0);
      await here.client.recordCentreNet(y, day, 'admin');
      await there.client.recordCentreNet(x, day, 'admin');
    }
    // What A's cards spent at B and C today (online and forwarded), owed by A to each.
    const atB = await federation.get('CB').client.centreSettlement('CA', day);
    const atC = await federation.get('CC').client.centreSettlement('CA', day);
    assert.ok(atB.receivableAmount >= 1_000 && atC.receivableAmount >= 1_100);
    assert.equal(atB.receivableAmount + atC.receivableAmount, 1_000 + 1_100 + 800);
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [], CC: [] });
  });
});
