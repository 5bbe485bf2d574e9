import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '@campus-card/tests/kit';
import type { Message } from '../src/protocol/index.ts';
import { phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

describe('PAY over TCP against the real core', () => {
  let world: TestWorld;
  let device: TestDevice;
  before(async () => {
    world = await startWorld();
    const { deviceId, key } = await registerDevice(world);
    device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
  });
  after(async () => {
    device.close();
    await world.stop();
  });

  function payOf(text: string, amountFen: number): Message {
    return { kind: 'pay', code: { kind: 'qr', text }, amountFen, orderNo: 42, itemNo: 0 };
  }

  test('when a funded card pays, then PAY_APPROVED carries the amount and the balance after', async () => {
    // Goal: frame → session → handler → core → ledger and back, with the right figures.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const reply = await device.request(payOf(phone.code(), 750));
    assert.deepEqual(reply.message, {
      kind: 'pay_approved',
      chargedFen: 750,
      subsidyFen: 0,
      balanceAfterFen: 1_250,
    });
    assert.equal(reply.sequence, device.sequence);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_250);
  });

  test('when the balance is too small, then PAY_DECLINED with INSUFFICIENT_FUNDS and nothing is charged', async () => {
    // Goal: a core refusal reaches the till as its protocol reason.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 100, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const reply = await device.request(payOf(phone.code(), 500));
    assert.deepEqual(reply.message, { kind: 'pay_declined', reason: 'INSUFFICIENT_FUNDS' });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 100);
  });

  test('when the card was reported lost, then PAY_DECLINED with CARD_LOST', async () => {
    // Goal: a lost card cannot pay with a code made before it was reported.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const code = phone.code();
    await world.client.changeCard(cardNo, 'report_loss', { type: 'self', id: null });
    const reply = await device.request(payOf(code, 100));
    assert.equal(reply.message.kind, 'pay_declined');
    if (reply.message.kind === 'pay_declined') {
      assert.ok(['CARD_LOST', 'CREDENTIAL_REVOKED'].includes(reply.message.reason), reply.message.reason);
    }
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_000);
  });

  test('when the QR code is garbage, then PAY_DECLINED with CODE_INVALID', async () => {
    // Goal: the verifier guards the ledger.
    const reply = await device.request(payOf('CC:NOT-A-CODE', 100));
    assert.deepEqual(reply.message, { kind: 'pay_declined', reason: 'CODE_INVALID' });
  });

  test('when the device retries the same sequence, then it gets the original answer and is charged once', async () => {
    // Goal: protocol § 11 — a retry is never a second charge, even when sent before the first is answered.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const message = payOf(phone.code(), 300);
    const sequence = device.sequence + 1;
    device.send(message, sequence);
    device.send(message, sequence);
    const first = await device.next();
    const second = await device.next();
    device.sequence = sequence;
    const third = await device.request(message, sequence);
    const approved = { kind: 'pay_approved', chargedFen: 300, subsidyFen: 0, balanceAfterFen: 700 };
    assert.deepEqual(first.message, approved);
    assert.deepEqual(second.message, approved);
    assert.deepEqual(third.message, approved);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 700);
  });

  test('when a retried sequence carries a different request, then SEQUENCE_CONFLICT', async () => {
    // Goal: a sequence number names one request only.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const code = phone.code();
    const sequence = device.sequence + 1;
    device.sequence = sequence;
    assert.equal((await device.request(payOf(code, 100), sequence)).message.kind, 'pay_approved');
    const conflict = await device.request(payOf(code, 999), sequence);
    assert.equal(conflict.message.kind, 'error');
    if (conflict.message.kind === 'error') assert.equal(conflict.message.code, 'SEQUENCE_CONFLICT');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 900);
  });

  test('when a new request reuses an old sequence number, then STALE_SEQUENCE', async () => {
    // Goal: sequence numbers only go up.
    const cardNo = await openStudent(world.client);
    const phone = await phoneFor(world.client, cardNo);
    const reply = await device.request(payOf(phone.code(), 100), 1);
    assert.equal(reply.message.kind, 'error');
    if (reply.message.kind === 'error') assert.equal(reply.message.code, 'STALE_SEQUENCE');
  });

  test('when a gate checks an active card, then IDENTITY_RESULT allows it with the name and person type, encrypted', async () => {
    // Goal: identity check answers from the core's card record.
    const cardNo = await openStudent(world.client);
    const phone = await phoneFor(world.client, cardNo);
    const registered = await registerDevice(world, 'gate');
    const gate = await TestDevice.connect(world.gateway.port, registered.deviceId, registered.key);
    assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
    const reply = await gate.request({
      kind: 'identity_check',
      code: { kind: 'qr', text: phone.code() },
      direction: 'in',
    });
    assert.equal(reply.flags, 1, 'the name travels sealed');
    assert.deepEqual(reply.message, {
      kind: 'identity_result',
      decision: 'allow',
      reason: 'NONE',
      personType: 'student',
      displayName: '测试学生',
    });
    gate.close();
  });

  test('#13 when a gate checks a card, then the gateway makes one core request, which records the access event', async () => {
    // Goal: the gate hot path is one round trip (card, door rules and access event in one call), allowed or denied.
    const registered = await registerDevice(world, 'gate');
    const gate = await TestDevice.connect(world.gateway.port, registered.deviceId, registered.key);
    assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
    const lost = await openStudent(world.client);
    const lostPhone = await phoneFor(world.client, lost);
    await world.client.changeCard(lost, 'report_loss', { type: 'self', id: null });
    for (const [cardNo, phone, expected] of [
      [await openStudent(world.client), undefined, { decision: 'allow', reason: 'NONE' }],
      [lost, lostPhone, { decision: 'deny', reason: 'CARD_LOST' }],
    ] as const) {
      const code = (phone ?? (await phoneFor(world.client, cardNo))).code();
      const before = await coreRequests(world);
      const reply = await gate.request({
        kind: 'identity_check',
        code: { kind: 'qr', text: code },
        direction: 'in',
      });
      const made = (await coreRequests(world)) - before;
      assert.equal(reply.message.kind === 'identity_result' && reply.message.decision, expected.decision);
      assert.equal(reply.message.kind === 'identity_result' && reply.message.reason, expected.reason);
      assert.equal(made, 1, 'one core request per gate check');
      const [event] = (await world.client.accessEvents(cardNo)).items;
      assert.equal(event?.deviceId, String(registered.deviceId));
      assert.equal(event?.sequence, gate.sequence);
      assert.equal(event?.decision, expected.decision);
      assert.equal(event?.reason, expected.reason === 'NONE' ? null : expected.reason);
    }
    gate.close();
  });

  test('when a device is re-keyed and its sequence starts again at 1, then its payments are charged, not taken for old ones', async () => {
    // Goal: a re-key restarts the counters (protocol § 4); operation ids and answers of the old key do not collide.
    const { deviceId, key } = await registerDevice(world);
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const before = await TestDevice.connect(world.gateway.port, deviceId, key);
    await before.signIn();
    assert.equal((await before.request(payOf(phone.code(), 300), 5)).message.kind, 'pay_approved');
    before.close();
    const rekeyed = await world.client.rekeyDevice(String(deviceId));
    const after = await TestDevice.connect(
      world.gateway.port,
      deviceId,
      new Uint8Array(Buffer.from(rekeyed.keyHex, 'hex')),
    );
    await after.signIn();
    const again = await after.request(payOf(phone.code(), 400), 5);
    assert.equal(again.message.kind, 'pay_approved');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_300);
    after.close();
  });

  test('when a payment above the PIN-free amount is retried with PAY_WITH_PIN, then a wrong PIN is refused and the right one pays once', async () => {
    // Goal: the PIN travels sealed, reaches the core's check, and a re-sealed retry is the same request.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 10_000, channel: 'cash' });
    await world.client.setPin(cardNo, '135790', { type: 'self', id: null });
    const phone = await phoneFor(world.client, cardNo);
    const withPin = (pin: string): Message => ({
      kind: 'pay_with_pin',
      code: { kind: 'qr', text: phone.code() },
      amountFen: 6_000,
      orderNo: 43,
      itemNo: 0,
      pin,
    });
    assert.deepEqual((await device.request(payOf(phone.code(), 6_000))).message, {
      kind: 'pay_declined',
      reason: 'PIN_REQUIRED',
    });
    assert.deepEqual((await device.request(withPin('000000'))).message, {
      kind: 'pay_declined',
      reason: 'PIN_INVALID',
    });
    const right = withPin('135790');
    const sequence = device.sequence + 1;
    const first = await device.request(right, sequence);
    assert.equal(first.message.kind, 'pay_approved');
    // The retry is sealed again under a fresh nonce: other bytes, the same request.
    const again = await device.request(right, sequence);
    assert.deepEqual(again.message, first.message);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 4_000);
  });

  test('#12.20 when a PAY is answered PIN_REQUIRED, then the till sends the same code with the PIN once (a wrong PIN keeps it for one more try), and nowhere else and never again', async () => {
    // Goal: protocol § 7.11 — the code the PIN_REQUIRED PAY used up stays good for that till's PAY_WITH_PIN
    // only: the card holder does not show a new code, and the code still pays once.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 10_000, channel: 'cash' });
    await world.client.setPin(cardNo, '246801', { type: 'self', id: null });
    const code = (await phoneFor(world.client, cardNo)).code();
    // The test before sent a sequence of its own choosing: go on above it.
    device.sequence += 10;
    const withPin = (pin: string): Message => ({
      kind: 'pay_with_pin',
      code: { kind: 'qr', text: code },
      amountFen: 6_000,
      orderNo: 44,
      itemNo: 0,
      pin,
    });
    assert.deepEqual((await device.request(payOf(code, 6_000))).message, {
      kind: 'pay_declined',
      reason: 'PIN_REQUIRED',
    });
    // Another till cannot ride on this till's PIN retry.
    const registered = await registerDevice(world);
    const other = await TestDevice.connect(world.gateway.port, registered.deviceId, registered.key);
    assert.equal((await other.signIn()).message.kind, 'sign_in_accepted');
    assert.deepEqual((await other.request(withPin('246801'))).message, {
      kind: 'pay_declined',
      reason: 'CODE_REPLAYED',
    });
    other.close();
    assert.deepEqual((await device.request(withPin('000000'))).message, {
      kind: 'pay_declined',
      reason: 'PIN_INVALID',
    });
    assert.equal((await device.request(withPin('246801'))).message.kind, 'pay_approved');
    assert.deepEqual((await device.request(withPin('246801'))).message, {
      kind: 'pay_declined',
      reason: 'CODE_REPLAYED',
    });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 4_000);
  });

  test("#12.2 when a gate reads a code whose certificate names another version than the card's, higher or lower, then deny CREDENTIAL_REVOKED", async () => {
    // Goal: only the card's current version passes, so a certificate forged for a made-up version does not.
    const cardNo = await openStudent(world.client);
    const version = (await world.client.getCard(cardNo)).version;
    const registered = await registerDevice(world, 'gate');
    const gate = await TestDevice.connect(world.gateway.port, registered.deviceId, registered.key);
    assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
    for (const [i, cardVersion] of [version + 1, 4_000_000_000].entries()) {
      const phone = await phoneFor(world.client, cardNo, { cardVersion });
      // The replay key is (card, second, counter): the second phone uses counter 2.
      if (i > 0) phone.code();
      const reply = await gate.request({
        kind: 'identity_check',
        code: { kind: 'qr', text: phone.code() },
        direction: 'in',
      });
      assert.equal(reply.message.kind === 'identity_result' && reply.message.reason, 'CREDENTIAL_REVOKED');
    }
    gate.close();
  });
});

/**
 * Requests the core has answered, from its /metrics: every route but the scrape itself and what the gateway
 * does on its own time and may fall between two readings (presence reports, fetching announced blacklist changes).
 */
async function coreRequests(world: TestWorld): Promise<number> {
  const text = await (await fetch(`${world.core.core.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_requests_total{') || /route="[^"]*(metrics|presence|blacklist)/.test(line))
      continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
