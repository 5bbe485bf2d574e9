// A card's centre that cannot be asked (docs/federation.md § A unreachable): centre A's offline policy (at
// most 20.00 a payment, 50.00 a card and day) travels to centre B over the link; while A is down, B's gateway
// approves A's cards within it, the card's cap reserved atomically at B, and B forwards each payment to A
// when A is back. A posts it (debits its student, owes B) or refuses it, and a refusal is an offline
// exception on both backoffices. Two cores on two MariaDB databases, B's gateway over TCP.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { shanghaiToday } from '../../core/src/time.ts';
import type { Message } from '../../device-gateway/src/protocol/index.ts';
import type { RunningGateway } from '../../device-gateway/src/server.ts';
import { offlineOn, phoneFor, startGatewayFor, TestDevice } from '../../device-gateway/test/support.ts';
import { PosTerminal } from '../../mock/devices/pos.ts';
import { type FederatedCentre, type Federation, startFederation } from '../kit/federation.ts';
import { openStudent, opId } from '../kit/index.ts';

const paymentMaxFen = 2_000;
const cardCapFen = 5_000;

const payOf = (text: string, amountFen: number): Message => ({
  kind: 'pay',
  code: { kind: 'qr', text },
  amountFen,
  orderNo: 7,
  itemNo: 0,
});

describe("federation: while centre A cannot be asked, B applies A's offline policy and forwards later", () => {
  let federation: Federation;
  let a: FederatedCentre;
  let b: FederatedCentre;
  let gatewayB: RunningGateway;
  let device: TestDevice;
  let deviceKey: Uint8Array;
  let merchantB: string;

  /** A funded card of A, and B's foreign payment request for it (as B's gateway makes it). */
  const cardOfA = async (amount: number) => {
    const cardNo = await openStudent(a.client);
    if (amount > 0) await a.client.topUp({ id: opId(), cardNo, amount, channel: 'cash' });
    const version = (await a.client.getCard(cardNo)).version;
    return {
      cardNo,
      request: (fen: number) => ({
        id: opId('dev'),
        centreId: 'CA',
        cardNo,
        merchantId: merchantB,
        amount: fen,
        cardVersion: version,
      }),
    };
  };
  const mainOf = async (cardNo: string) => (await a.client.getCard(cardNo)).balance.main;

  before(async () => {
    federation = await startFederation([
      {
        id: 'CA',
        name: '甲大学',
        env: {
          FEDERATION_OFFLINE_PAYMENT_MAX_FEN: String(paymentMaxFen),
          FEDERATION_OFFLINE_CARD_CAP_FEN: String(cardCapFen),
        },
      },
      { id: 'CB', name: '乙大学' },
    ]);
    a = federation.get('CA');
    b = federation.get('CB');
    merchantB = (await b.client.createMerchant({ name: '乙大学一食堂', category: 'canteen' })).id;
    gatewayB = await startGatewayFor(b, {}, { FEDERATION_KEYS_POLL_INTERVAL_MS: '200' });
    const registered = await b.client.registerDevice({ id: '9301', kind: 'pos', merchantId: merchantB });
    deviceKey = new Uint8Array(Buffer.from(registered.keyHex, 'hex'));
    device = await TestDevice.connect(gatewayB.port, 9301, deviceKey);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
  });

  after(async () => {
    device?.close();
    await gatewayB?.close();
    await federation?.stop();
  });

  test("when B reads A's offline policy over the link, then B's trust list keeps it for while A is down", async () => {
    const before = (await b.client.centres()).items.find((c) => c.id === 'CA');
    assert.deepEqual(before?.offlinePolicy, { paymentMaxFen: 0, cardCapFen: 0, readAtMs: null });
    assert.equal(await b.core.federation.forwards.refreshPolicies(), 1);
    const read = (await b.client.centres()).items.find((c) => c.id === 'CA');
    assert.equal(read?.offlinePolicy.paymentMaxFen, paymentMaxFen);
    assert.equal(read?.offlinePolicy.cardCapFen, cardCapFen);
    assert.ok((read?.offlinePolicy.readAtMs ?? 0) > 0);
    // A down: the policy stays as last read.
    a.link.mode = 'down';
    try {
      assert.equal(await b.core.federation.forwards.refreshPolicies(), 0);
      const kept = (await b.client.centres()).items.find((c) => c.id === 'CA');
      assert.equal(kept?.offlinePolicy.paymentMaxFen, paymentMaxFen);
    } finally {
      a.link.mode = 'pass';
    }
  });

  test("when A is down, then B's POS approves A's card within A's policy and declines above it; when A is back, the forward is posted at A and recorded at B as A's sale", async () => {
    const { cardNo } = await cardOfA(3_000);
    const phone = await phoneFor(a.client, cardNo, { key: a.campusKey });
    a.link.mode = 'down';
    const pay800 = payOf(phone.code(), 800);
    const taken = await device.request(pay800);
    assert.equal(taken.message.kind, 'pay_approved', JSON.stringify(taken.message));
    if (taken.message.kind === 'pay_approved') assert.equal(taken.message.chargedFen, 800);
    // The device's retry of that very frame while the forward is pending: the same approval, also from
    // another gateway instance, which finds the code used and asks the core what became of the payment.
    const again = await device.request(pay800, taken.sequence);
    assert.equal(again.message.kind, 'pay_approved', JSON.stringify(again.message));
    const gatewayB2 = await startGatewayFor(b, {}, { FEDERATION_KEYS_POLL_INTERVAL_MS: '200' });
    const moved = await TestDevice.connect(gatewayB2.port, 9301, deviceKey);
    try {
      assert.equal((await moved.signIn()).message.kind, 'sign_in_accepted');
      const elsewhere = await moved.request(pay800, taken.sequence);
      assert.equal(elsewhere.message.kind, 'pay_approved', JSON.stringify(elsewhere.message));
    } finally {
      moved.close();
      await gatewayB2.close();
    }
    const above = await device.request(payOf(phone.code(), paymentMaxFen + 1));
    assert.deepEqual(above.message, { kind: 'pay_declined', reason: 'LIMIT_EXCEEDED' });
    const id = `dev:9301:${taken.sequence}`;
    const pending = (await b.client.forwards('pending')).items.find((f) => f.id === id);
    assert.equal(pending?.amount, 800);
    assert.equal(await mainOf(cardNo), 3_000);

    // Still down: not answered, tried again later (backoff), nothing recorded.
    assert.equal(await b.core.federation.forwards.forwardDue(), 0);
    const postponed = (await b.client.forwards('pending')).items.find((f) => f.id === id);
    assert.equal(postponed?.attempts, 1);
    assert.ok((postponed?.nextAttemptAtMs ?? 0) > Date.now());
    assert.equal(await b.core.federation.forwards.forwardDue(), 0, 'not due again before its backoff');

    a.link.mode = 'pass';
    assert.ok((await b.core.federation.forwards.forwardDue(Date.now() + 60_000)) >= 1);
    assert.equal(await mainOf(cardNo), 2_200);
    const paidAtA = await a.client.getOperation(`fed:CB:${id}`);
    assert.equal(paidAtA.kind, 'payment');
    assert.equal(paidAtA.amount, 800);
    const soldAtB = await b.client.getOperation(id);
    assert.equal(soldAtB.kind, 'foreign_sale');
    assert.equal(soldAtB.result.status, 'ok');
    assert.equal((await b.client.forwards('accepted')).items.find((f) => f.id === id)?.status, 'accepted');
    // The device's retry of that sequence now finds A's sale: approved once, one debit.
    const retried = await device.request(pay800, taken.sequence);
    assert.equal(retried.message.kind, 'pay_approved', JSON.stringify(retried.message));
    assert.equal(await mainOf(cardNo), 2_200);
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [] });
  });

  test("when 50 payments of one card arrive at once while A is down, then B takes no more than A's cap for the card, and A posts exactly those", async () => {
    const { cardNo, request } = await cardOfA(10_000);
    a.link.mode = 'down';
    const answers = await Promise.all(Array.from({ length: 50 }, () => b.client.payForeign(request(300))));
    a.link.mode = 'pass';
    const taken = answers.filter((x) => x.status === 'ok');
    const refused = answers.filter((x) => x.status === 'rejected');
    assert.equal(taken.length, Math.floor(cardCapFen / 300));
    for (const r of refused) if (r.status === 'rejected') assert.equal(r.code, 'LIMIT_EXCEEDED');
    await b.core.federation.forwards.forwardDue(Date.now() + 60_000);
    assert.equal(await mainOf(cardNo), 10_000 - taken.length * 300);
    for (const t of taken) assert.equal((await b.client.getOperation(t.id)).result.status, 'ok');
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [] });
  });

  test('when A refuses forwards (insufficient funds, a card lost before the payment), then each is an offline exception at both centres, and stays refused', async () => {
    const poor = await cardOfA(100);
    const lost = await cardOfA(5_000);
    await a.client.changeCard(lost.cardNo, 'report_loss', { type: 'self', id: null });
    a.link.mode = 'down';
    const short = poor.request(500);
    const afterLoss = lost.request(400);
    assert.equal((await b.client.payForeign(short)).status, 'ok');
    assert.equal((await b.client.payForeign(afterLoss)).status, 'ok');
    a.link.mode = 'pass';
    await b.core.federation.forwards.forwardDue(Date.now() + 60_000);
    const refusedAtB = (await b.client.forwards('refused')).items;
    assert.equal(refusedAtB.find((f) => f.id === short.id)?.reason, 'INSUFFICIENT_FUNDS');
    assert.equal(refusedAtB.find((f) => f.id === afterLoss.id)?.reason, 'CARD_LOST');
    // B's backoffice: the goods went out, nothing is owed by A; the card is A's (never one of B's).
    const atB = (await b.client.offlineExceptions('open', 100)).items;
    for (const [r, reason] of [
      [short, 'INSUFFICIENT_FUNDS'],
      [afterLoss, 'CARD_LOST'],
    ] as const) {
      const e = atB.find((x) => x.operationId === r.id);
      assert.equal(e?.reason, reason);
      assert.equal(e?.centreId, 'CA');
      assert.equal(e?.centreCardNo, r.cardNo);
      assert.equal(e?.cardNo, null);
      assert.equal(e?.amount, r.amount);
    }
    // A's backoffice: its own card, the centre whose device took it.
    const atA = (await a.client.offlineExceptions('open', 100)).items;
    for (const r of [short, afterLoss]) {
      const e = atA.find((x) => x.operationId === `fed:CB:${r.id}`);
      assert.equal(e?.centreId, 'CB');
      assert.equal(e?.cardNo, r.cardNo);
    }
    // A refusal stays a refusal: money arrives at A, B asks again under the same id, still refused.
    await a.client.topUp({ id: opId(), cardNo: poor.cardNo, amount: 1_000, channel: 'cash' });
    assert.equal((await b.client.payForeign(short)).status, 'rejected');
    assert.equal(await mainOf(poor.cardNo), 1_100);
    assert.equal(await mainOf(lost.cardNo), 5_000);
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [] });
  });

  test("when A's card is reported lost after B took its payment but before the forward, then A posts it (A owes B) with the whole amount a receivable from the card holder, an exception at A to recover", async () => {
    const { cardNo, request } = await cardOfA(1_000);
    const late = request(300);
    a.link.mode = 'down';
    try {
      assert.equal((await b.client.payForeign(late)).status, 'ok');
    } finally {
      a.link.mode = 'pass';
    }
    await a.client.changeCard(cardNo, 'report_loss', { type: 'self', id: null });
    await b.core.federation.forwards.forwardDue(Date.now() + 60_000);
    assert.equal((await b.client.getOperation(late.id)).result.status, 'ok');
    const paidAtA = await a.client.getOperation(`fed:CB:${late.id}`);
    assert.equal(paidAtA.result.status, 'ok');
    // A lost card's wallets pay nothing offline: the amount is owed by the card holder, listed at A.
    assert.equal(await mainOf(cardNo), 1_000);
    const e = (await a.client.offlineExceptions('open', 100)).items.find(
      (x) => x.operationId === `fed:CB:${late.id}`,
    );
    assert.deepEqual(
      [e?.reason, e?.receivableAmount, e?.cardNo, e?.centreId],
      ['CARD_LOST', 300, cardNo, 'CB'],
    );
    assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [] });
  });

  test("when B's till is told A's policy, then offline it takes A's card within it and refuses above it; on upload the payment is forwarded and posted at A, and one a till took above it anyway is an exception at B with A's card named as A's", async () => {
    const registered = await b.client.registerDevice({ id: '9302', kind: 'pos', merchantId: merchantB });
    await b.client.putDeviceConfig('9302', { paymentMaxFen: 50_000, offline: offlineOn });
    const till = await PosTerminal.connect({
      port: gatewayB.port,
      deviceId: 9302,
      key: new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
    });
    try {
      for (const startedMs = Date.now(); !till.centres.get('CA')?.keys.some((k) => k.kid === a.kid); ) {
        assert.ok(Date.now() - startedMs < 60_000, "A's key did not reach B's till");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // A's policy, as B read it over the link, reaches the till (CENTRE_OFFLINE_POLICY).
      for (const startedMs = Date.now(); till.centrePolicies.get('CA')?.paymentMaxFen !== paymentMaxFen; ) {
        assert.ok(Date.now() - startedMs < 60_000, "A's offline policy did not reach B's till");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(till.centrePolicies.get('CA'), { paymentMaxFen, cardDailyMaxFen: cardCapFen });
      const { cardNo } = await cardOfA(3_000);
      const phone = await phoneFor(a.client, cardNo, { key: a.campusKey });
      till.disconnect();
      // The till's own limits allow both; A's policy, which the till applies, only the first.
      const small = await till.pay(phone.code(), 600);
      assert.equal(small.kind === 'offline' && small.accepted, true);
      const refused = await till.pay(phone.code(), paymentMaxFen + 500);
      assert.deepEqual(refused, { kind: 'offline', accepted: false, reason: 'LIMIT_EXCEEDED' });
      // A till that does not apply A's policy (older firmware) takes it: the upload judges it by the policy.
      till.centrePolicies.set('CA', { paymentMaxFen: 1_000_000, cardDailyMaxFen: 1_000_000 });
      const large = await till.pay(phone.code(), paymentMaxFen + 500);
      assert.equal(large.kind === 'offline' && large.accepted, true);
      a.link.mode = 'down';
      await till.connect();
      for (const startedMs = Date.now(); till.uploadResults.length < 2; ) {
        assert.ok(Date.now() - startedMs < 60_000, 'the till did not upload');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(
        till.uploadResults.map((r) => [r.status, r.reason]),
        [
          ['accepted', 'NONE'],
          ['exception', 'LIMIT_EXCEEDED'],
        ],
      );
      const [first, second] = till.uploadResults;
      const forwarded = (await b.client.forwards('pending')).items.find(
        (f) => f.id === `dev:9302:${first?.sequence}`,
      );
      assert.equal(forwarded?.cardNo, cardNo);
      assert.equal(forwarded?.amount, 600);
      const exception = (await b.client.offlineExceptions('open', 100)).items.find(
        (e) => e.deviceId === '9302' && e.sequence === second?.sequence,
      );
      assert.deepEqual(
        [exception?.cardNo, exception?.centreId, exception?.centreCardNo],
        [null, 'CA', cardNo],
      );
      a.link.mode = 'pass';
      await b.core.federation.forwards.forwardDue(Date.now() + 60_000);
      assert.equal(await mainOf(cardNo), 2_400);
      assert.equal((await b.client.getOperation(`dev:9302:${first?.sequence}`)).kind, 'foreign_sale');
      assert.deepEqual(await federation.ledgerBreaks(), { CA: [], CB: [] });
    } finally {
      a.link.mode = 'pass';
      till.close();
    }
  });

  test("when a day is settled, then the forwarded payments are in both centres' files on the day A accepted them, and the files agree", async () => {
    const day = shanghaiToday();
    const settledB = await b.client.reconcileCentreDay('CA', day);
    const settledA = await a.client.reconcileCentreDay('CB', day);
    assert.deepEqual([settledB.exceptions, settledA.exceptions], [[], []]);
    assert.equal(settledB.receivableAmount, settledA.payableAmount);
    // 800 from the POS, the burst's 16 × 300, the late loss's 300 and the till's 600, accepted today.
    assert.ok(settledB.receivableAmount >= 800 + 16 * 300 + 300 + 600);
  });
});
