import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStudent, opId } from '@campus-card/tests/kit';
import type { Message } from '../src/protocol/index.ts';
import { numericPhoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

const admin = { type: 'admin', id: 'A1' } as const;

describe('numeric pay codes over TCP against the real core', () => {
  let world: TestWorld;
  let pos: TestDevice;
  let orderNo = 0;
  before(async () => {
    world = await startWorld();
    const { deviceId, key } = await registerDevice(world);
    pos = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await pos.signIn()).message.kind, 'sign_in_accepted');
  });
  after(async () => {
    pos.close();
    await world.stop();
  });

  function payOf(digits: string, amountFen: number): Message {
    orderNo += 1;
    return { kind: 'pay', code: { kind: 'numeric', text: digits }, amountFen, orderNo, itemNo: 0 };
  }

  async function fundedCard(amount: number): Promise<string> {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount, channel: 'cash' });
    return cardNo;
  }

  test('when a till sends a numeric code made from the card secret, then PAY_APPROVED with the balance after', async () => {
    // Goal: PAY (numeric) → gateway → core verify → the same payment path as a QR code.
    const cardNo = await fundedCard(2_000);
    const phone = await numericPhoneFor(world.client, cardNo);
    const reply = await pos.request(payOf(phone.code(), 650));
    assert.deepEqual(reply.message, {
      kind: 'pay_approved',
      chargedFen: 650,
      subsidyFen: 0,
      balanceAfterFen: 1_350,
    });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_350);
  });

  test('when the same numeric code is sent again as a new payment, then PAY_DECLINED CODE_REPLAYED and no second charge', async () => {
    // Goal: a numeric code seen over the counter cannot be typed in again.
    const cardNo = await fundedCard(1_000);
    const code = (await numericPhoneFor(world.client, cardNo)).code();
    assert.equal((await pos.request(payOf(code, 300))).message.kind, 'pay_approved');
    assert.deepEqual((await pos.request(payOf(code, 300))).message, {
      kind: 'pay_declined',
      reason: 'CODE_REPLAYED',
    });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 700);
  });

  test('when the card is reported lost after the code was made, then PAY_DECLINED CARD_LOST and nothing is charged', async () => {
    // Goal: a lost phone's numeric codes die with the card, as its QR codes do.
    const cardNo = await fundedCard(1_000);
    const code = (await numericPhoneFor(world.client, cardNo)).code();
    await world.client.changeCard(cardNo, 'report_loss', { type: 'self', id: null });
    assert.deepEqual((await pos.request(payOf(code, 100))).message, {
      kind: 'pay_declined',
      reason: 'CARD_LOST',
    });
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_000);
  });

  test('when the card was reissued on a new phone, then the old phone codes are CREDENTIAL_REVOKED and the new phone pays', async () => {
    // Goal: the secret is per card version; the old phone's secret stops working at once.
    const cardNo = await fundedCard(1_000);
    const oldPhone = await numericPhoneFor(world.client, cardNo);
    await world.client.changeCard(cardNo, 'reissue', admin, 'new phone');
    assert.deepEqual((await pos.request(payOf(oldPhone.code(), 100))).message, {
      kind: 'pay_declined',
      reason: 'CREDENTIAL_REVOKED',
    });
    const newPhone = await numericPhoneFor(world.client, cardNo);
    assert.equal((await pos.request(payOf(newPhone.code(), 100))).message.kind, 'pay_approved');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 900);
  });

  test('when digits are not a campus code or a password is wrong, then PAY_DECLINED CODE_INVALID', async () => {
    // Goal: WeChat-looking digits, a wrong password and an unknown code id are all refused alike.
    const cardNo = await fundedCard(1_000);
    const code = (await numericPhoneFor(world.client, cardNo)).code();
    const wrong = `${code.slice(0, -1)}${(Number(code.at(-1)) + 1) % 10}`;
    for (const digits of ['134567890123456789', wrong, '880000000000000000']) {
      assert.deepEqual((await pos.request(payOf(digits, 100))).message, {
        kind: 'pay_declined',
        reason: 'CODE_INVALID',
      });
    }
    assert.equal((await world.client.getCard(cardNo)).balance.main, 1_000);
  });

  test('when a gate checks a numeric code, then it allows the card holder and records the event', async () => {
    // Goal: identity checks share the code path with payments.
    const { deviceId, key } = await registerDevice(world, 'gate');
    const gate = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
    const cardNo = await openStudent(world.client);
    const phone = await numericPhoneFor(world.client, cardNo);
    const reply = await gate.request({
      kind: 'identity_check',
      code: { kind: 'numeric', text: phone.code() },
      direction: 'in',
    });
    assert.equal(reply.message.kind === 'identity_result' && reply.message.decision, 'allow');
    assert.deepEqual(
      (await world.client.accessEvents(cardNo)).items.map((e) => `${e.direction}:${e.decision}`),
      ['in:allow'],
    );
    gate.close();
  });
  test('when one till sends 20 wrong numeric codes, then its numeric codes are refused for a while and another till still pays', async () => {
    // Goal: a till cannot sweep code ids; the core's per-id limit does not see a sweep across ids.
    const { deviceId, key } = await registerDevice(world);
    const sweeper = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await sweeper.signIn()).message.kind, 'sign_in_accepted');
    for (let i = 0; i < 20; i++) {
      // Paced under the session's 20 requests a second, which is not what this test is about.
      await sleep(60);
      const unknownId = String(100_000_000 + Math.floor(Math.random() * 800_000_000));
      const reply = await sweeper.request(payOf(`88${unknownId}0123456`, 100));
      assert.deepEqual(reply.message, { kind: 'pay_declined', reason: 'CODE_INVALID' });
    }
    const cardNo = await fundedCard(1_000);
    const phone = await numericPhoneFor(world.client, cardNo);
    assert.deepEqual((await sweeper.request(payOf(phone.code(), 100))).message, {
      kind: 'pay_declined',
      reason: 'CODE_INVALID',
    });
    assert.equal((await pos.request(payOf(phone.code(), 100))).message.kind, 'pay_approved');
    assert.equal((await world.client.getCard(cardNo)).balance.main, 900);
    sweeper.close();
  });
});
