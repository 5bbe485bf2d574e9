// Federation between card centres (docs/federation.md) with two complete systems on one machine: centre A
// and centre B each with its own core on its own MariaDB database; B's gateway over real TCP. A card of A
// pays at B's POS: B's gateway verifies A's code offline with A's key from B's trust list, B's core asks A's
// core over the signed federation link, A debits its student and owes B, B credits its merchant against a
// receivable from A. Both ledgers are checked after.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { shanghaiToday } from '../../core/src/time.ts';
import type { Message } from '../../device-gateway/src/protocol/index.ts';
import type { RunningGateway } from '../../device-gateway/src/server.ts';
import { phoneFor, startGatewayFor, TestDevice } from '../../device-gateway/test/support.ts';
import { type FederatedCentre, type Federation, startFederation } from '../kit/federation.ts';
import { openStudent, opId, startTestCore, type TestCore } from '../kit/index.ts';

/** A phone of A's card, its certificate signed by A's campus key. */
const phoneOf = (core: FederatedCentre, cardNo: string) =>
  phoneFor(core.client, cardNo, { key: core.campusKey });

const payOf = (text: string, amountFen: number): Message => ({
  kind: 'pay',
  code: { kind: 'qr', text },
  amountFen,
  orderNo: 7,
  itemNo: 0,
});

async function ledgerClean(core: TestCore, name: string): Promise<void> {
  const report = await checkLedger(core.core.db);
  assert.deepEqual(report.breaks, [], `ledger:check of centre ${name}`);
}

describe('federation: a card of centre A pays at centre B', () => {
  let federation: Federation;
  let a: FederatedCentre;
  let b: FederatedCentre;
  let gatewayB: RunningGateway;
  let device: TestDevice;
  let merchantB: string;
  /** B's link to A: `lose` lets A answer and cuts B off before the answer arrives. */
  let link: FederatedCentre['link'];

  before(async () => {
    // Two complete centres, each on its own MariaDB database, each on the other's trust list.
    federation = await startFederation([
      { id: 'CA', name: '甲大学' },
      { id: 'CB', name: '乙大学' },
    ]);
    a = federation.get('CA');
    b = federation.get('CB');
    link = a.link;
    merchantB = (await b.client.createMerchant({ name: '乙大学一食堂', category: 'canteen' })).id;
    gatewayB = await startGatewayFor(b, {}, { FEDERATION_KEYS_POLL_INTERVAL_MS: '200' });
    const registered = await b.client.registerDevice({ id: '9101', kind: 'pos', merchantId: merchantB });
    device = await TestDevice.connect(
      gatewayB.port,
      9101,
      new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
    );
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
  });

  after(async () => {
    device?.close();
    await gatewayB?.close();
    await federation?.stop();
  });

  test("when A's funded student pays at B's POS, then A debits the card and owes B, B credits its merchant against A, and both ledgers balance", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 3_000, channel: 'cash' });
    const phone = await phoneOf(a, cardNo);
    const reply = await device.request(payOf(phone.code(), 1_250));
    assert.deepEqual(reply.message, {
      kind: 'pay_approved',
      chargedFen: 1_250,
      subsidyFen: 0,
      balanceAfterFen: 1_750,
    });
    assert.equal((await a.client.getCard(cardNo)).balance.main, 1_750);
    // A's books: the student's payment to the merchant that stands for B (the payable to B).
    const centreAtA = (await a.client.centres()).items.find((c) => c.id === 'CB');
    const paidAtA = await a.client.getOperation(`fed:CB:dev:9101:${device.sequence}`);
    assert.equal(paidAtA.kind, 'payment');
    assert.equal(paidAtA.merchantId, centreAtA?.merchantId);
    // B's books: the foreign sale under the device's own operation id, owed by A.
    const soldAtB = await b.client.getOperation(`dev:9101:${device.sequence}`);
    assert.equal(soldAtB.kind, 'foreign_sale');
    assert.equal(soldAtB.amount, 1_250);
    assert.equal(soldAtB.merchantId, merchantB);
    await ledgerClean(a, 'A');
    await ledgerClean(b, 'B');
  });

  test('when B retries, times out and retries, or a second B core asks with the same id, then A debits once', async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const card = await a.client.getCard(cardNo);
    const id = opId('dev');
    const request = {
      id,
      centreId: 'CA',
      cardNo,
      merchantId: merchantB,
      amount: 400,
      cardVersion: card.version,
    };
    // A second B core instance on B's database, as a second gateway's core would be.
    const b2 = await startTestCore('mysql', {
      CENTRE_ID: 'CB',
      DATABASE_URL: b.databaseUrl,
      PII_KEY: b.piiKey,
    });
    try {
      const answers = await Promise.all([
        b.client.payForeign(request),
        b.client.payForeign(request),
        b2.client.payForeign(request),
      ]);
      for (const answer of answers) assert.equal(answer.status, 'ok');
      // A timeout then a retry: A's stored answer, nothing charged again.
      const retried = await b2.client.payForeign(request);
      assert.equal(retried.status, 'ok');
      assert.equal(retried.replayed, true);
    } finally {
      await b2.stop();
    }
    assert.equal((await a.client.getCard(cardNo)).balance.main, 1_600);
    await ledgerClean(a, 'A');
    await ledgerClean(b, 'B');
  });

  test("when A's answer is lost on the way back, then the POS is told BUSY, and its retry of the same sequence is approved with one debit at A", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const pay = payOf((await phoneOf(a, cardNo)).code(), 300);
    link.mode = 'lose';
    const lost = await device.request(pay);
    assert.equal(lost.message.kind, 'error');
    if (lost.message.kind === 'error') assert.equal(lost.message.code, 'BUSY');
    // A applied it: the card is debited, while B has recorded nothing yet.
    assert.equal((await a.client.getCard(cardNo)).balance.main, 700);
    link.mode = 'pass';
    const retried = await device.request(pay, lost.sequence);
    assert.deepEqual(retried.message, {
      kind: 'pay_approved',
      chargedFen: 300,
      subsidyFen: 0,
      balanceAfterFen: 700,
    });
    assert.equal((await a.client.getCard(cardNo)).balance.main, 700);
    assert.equal((await b.client.getOperation(`dev:9101:${lost.sequence}`)).kind, 'foreign_sale');
    await ledgerClean(a, 'A');
    await ledgerClean(b, 'B');
  });

  test("when A refuses (insufficient funds, a lost card), then B's POS is declined with A's reason, and a retry stays refused", async () => {
    const poor = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo: poor, amount: 100, channel: 'cash' });
    const reply = await device.request(payOf((await phoneOf(a, poor)).code(), 500));
    assert.deepEqual(reply.message, { kind: 'pay_declined', reason: 'INSUFFICIENT_FUNDS' });

    const lost = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo: lost, amount: 5_000, channel: 'cash' });
    const code = (await phoneOf(a, lost)).code();
    await a.client.changeCard(lost, 'report_loss', { type: 'self', id: null });
    const refused = await device.request(payOf(code, 300));
    assert.equal(refused.message.kind, 'pay_declined');
    if (refused.message.kind === 'pay_declined')
      assert.ok(['CARD_LOST', 'CREDENTIAL_REVOKED'].includes(refused.message.reason));

    // The refusal is B's record too: the same id after A's money arrived is still refused.
    const id = opId('dev');
    const card = await a.client.getCard(poor);
    const first = await b.client.payForeign({
      id,
      centreId: 'CA',
      cardNo: poor,
      merchantId: merchantB,
      amount: 500,
      cardVersion: card.version,
    });
    assert.equal(first.status, 'rejected');
    await a.client.topUp({ id: opId(), cardNo: poor, amount: 1_000, channel: 'cash' });
    const again = await b.client.payForeign({
      id,
      centreId: 'CA',
      cardNo: poor,
      merchantId: merchantB,
      amount: 500,
      cardVersion: card.version,
    });
    assert.equal(again.status, 'rejected');
    assert.equal((await a.client.getCard(poor)).balance.main, 1_100);
    await ledgerClean(a, 'A');
    await ledgerClean(b, 'B');
  });

  test('when B checks its link to A, then it is up with its round trip; with A unreachable it is down, and B keeps the last check', async () => {
    const up = await b.client.checkCentreLink('CA');
    assert.equal(up.up, true);
    assert.ok(up.roundTripMs !== null && up.roundTripMs >= 0);
    link.mode = 'down';
    try {
      const down = await b.client.checkCentreLink('CA');
      assert.deepEqual([down.up, down.roundTripMs], [false, null]);
      assert.ok(down.code !== null);
    } finally {
      link.mode = 'pass';
    }
    assert.equal((await b.client.linkChecks()).items.find((c) => c.centreId === 'CA')?.up, false);
  });

  test("when A's card is shown at B's gate, then it is refused: a foreign card pays at B and does nothing else there", async () => {
    const cardNo = await openStudent(a.client);
    const registered = await b.client.registerDevice({ id: '9102', kind: 'gate' });
    const gate = await TestDevice.connect(
      gatewayB.port,
      9102,
      new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
    );
    try {
      assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
      const reply = await gate.request({
        kind: 'identity_check',
        code: { kind: 'qr', text: (await phoneOf(a, cardNo)).code() },
        direction: 'in',
      });
      assert.equal(reply.message.kind, 'identity_result');
      if (reply.message.kind === 'identity_result') {
        assert.equal(reply.message.decision, 'deny');
        assert.equal(reply.message.reason, 'NOT_PERMITTED');
      }
    } finally {
      gate.close();
    }
  });

  test("when B revokes A's key, then B's gateway refuses A's codes offline, before asking anyone", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneOf(a, cardNo);
    await b.client.revokeCentreKey(a.kid, { reason: '密钥泄露', adminId: 'admin-b' });
    // The gateway reloads the trust list on its poll: wait for the key to be gone, not for a fixed time.
    for (const startedMs = Date.now(); gatewayB.federationKeys.keyring.get(a.kid) !== undefined; ) {
      assert.ok(Date.now() - startedMs < 30_000, 'the gateway did not drop the revoked key');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reply = await device.request(payOf(phone.code(), 200));
    assert.deepEqual(reply.message, { kind: 'pay_declined', reason: 'CODE_INVALID' });
    assert.equal((await a.client.getCard(cardNo)).balance.main, 1_000);
    const audit = await b.client.searchAudit({ action: 'federation.key_revoke', limit: 5 });
    assert.equal(audit.items[0]?.targetId, 'CA');
    assert.equal(audit.items[0]?.actorId, 'admin-b');
  });

  test("when a day is settled, then each side's file is reconciled with the other's, an answer B never got is an exception on both sides until it is settled, and the net is recorded once as transfers", async () => {
    const day = shanghaiToday();
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const card = await a.client.getCard(cardNo);
    // A debits, B never hears it and nobody retries (yet).
    const orphan = {
      id: opId('dev'),
      centreId: 'CA',
      cardNo,
      merchantId: merchantB,
      amount: 200,
      cardVersion: card.version,
    };
    link.mode = 'lose';
    await assert.rejects(
      b.client.payForeign(orphan),
      (e: { code?: string }) => e.code === 'FEDERATION_UNAVAILABLE',
    );
    link.mode = 'pass';

    // What the hourly job does for yesterday, here for today: every active centre's day reconciled.
    assert.equal(await b.core.federation.settlement.reconcileAll(day), 1);
    const atB = await b.client.centreSettlement('CA', day);
    // A's file's own total, read from its file: the orphan is in it, not in B's.
    assert.equal(atB.theirReceivableAmount, atB.receivableAmount + 200);
    assert.deepEqual(atB.exceptions, [
      {
        direction: 'receivable',
        operationId: orphan.id,
        kind: 'missing_here',
        ourAmount: null,
        theirAmount: 200,
        state: 'open',
        resolution: null,
      },
    ]);
    const atA = await a.client.reconcileCentreDay('CB', day);
    assert.deepEqual(atA.exceptions, [
      {
        direction: 'payable',
        operationId: orphan.id,
        kind: 'missing_there',
        ourAmount: 200,
        theirAmount: null,
        state: 'open',
        resolution: null,
      },
    ]);
    await assert.rejects(
      b.client.recordCentreNet('CA', day, 'admin-b'),
      (e: { code?: string }) => e.code === 'INVALID_TRANSITION',
    );

    // The same id asked again settles it: A answers what it did, B records the sale.
    assert.equal((await b.client.payForeign(orphan)).status, 'ok');
    const settledB = await b.client.reconcileCentreDay('CA', day);
    const settledA = await a.client.reconcileCentreDay('CB', day);
    assert.deepEqual([settledB.exceptions, settledA.exceptions], [[], []]);
    // The two sides agree on the figures, each from its own view.
    assert.equal(settledB.receivableAmount, settledA.payableAmount);
    assert.deepEqual(
      [settledB.theirReceivableAmount, settledB.theirPayableAmount],
      [settledA.payableAmount, settledA.receivableAmount],
    );
    assert.equal(settledB.netAmount, -settledA.netAmount);
    assert.ok(settledB.netAmount >= 1_250 + 400 + 300 + 200);

    const recorded = await b.client.recordCentreNet('CA', day, 'admin-b');
    assert.ok(recorded.netRecordedAtMs !== null);
    await b.client.recordCentreNet('CA', day, 'admin-b');
    await a.client.recordCentreNet('CB', day, 'admin-a');
    const receivable = await b.client.getOperation(`fednet:CA:${day}:paid`);
    assert.equal(receivable.amount, settledB.netAmount);
    // After the net is booked, what A owed B and what A's books owed B are both back to nothing.
    const owedAtB = (
      await b.core.db.select<{ n: unknown }>(
        'SELECT credits_posted - debits_posted AS n FROM accounts WHERE id = ?',
        ['SYS-FED-CA'],
      )
    )[0];
    assert.equal(Number(owedAtB?.n), 0);
    const owedAtA = (
      await a.core.db.select<{ n: unknown }>(
        'SELECT credits_posted - debits_posted AS n FROM accounts WHERE id = ?',
        ['SYS-FED-CB'],
      )
    )[0];
    assert.equal(Number(owedAtA?.n), 0);
    await assert.rejects(
      b.client.reconcileCentreDay('CA', day),
      (e: { code?: string }) => e.code === 'INVALID_TRANSITION',
    );
    await ledgerClean(a, 'A');
    await ledgerClean(b, 'B');
  });
});
