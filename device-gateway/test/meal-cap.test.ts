import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, redisUrl } from '@campus-card/tests/kit';
import type { Message } from '../src/protocol/index.ts';
import type { RunningGateway } from '../src/server.ts';
import {
  phoneFor,
  registerDevice,
  startGatewayFor,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

function payOf(text: string, amountFen: number): Message {
  return { kind: 'pay', code: { kind: 'qr', text }, amountFen, orderNo: 7, itemNo: 0 };
}

/** A lunch window around the present Beijing minute, capping each card at capFen. */
function windowNow(capFen: number) {
  const minute = Math.floor((Date.now() / 60_000 + 480) % 1_440);
  return {
    meal: 'lunch' as const,
    startMinute: Math.max(0, minute - 60),
    endMinute: Math.min(1_440, minute + 60),
    perCardMaxFen: capFen,
  };
}

describe('meal window per-card cap (protocol § 7.8 perCardMaxFen)', () => {
  let world: TestWorld;
  let second: RunningGateway;
  before(async () => {
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    second = await startGatewayFor(world.core, {}, { REDIS_URL: redisUrl });
  });
  after(async () => {
    await second.close();
    await world.stop();
  });

  /** A till of the world's canteen with the window configured, signed in at the given instance. */
  async function till(capFen: number, port: number): Promise<TestDevice> {
    const { deviceId, key } = await registerDevice(world);
    await world.client.putDeviceConfig(String(deviceId), {
      paymentMaxFen: 5_000,
      mealWindows: [windowNow(capFen)],
    });
    const device = await TestDevice.connect(port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    return device;
  }

  test('#12.1 class: when 50 payments of one card race at ten tills of one canteen on two gateway instances against a 10 元 lunch cap, then exactly ten of 1 元 are charged and forty are LIMIT_EXCEEDED', async () => {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 10_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const tills = await Promise.all(
      Array.from({ length: 10 }, (_, i) => till(1_000, i % 2 === 0 ? world.gateway.port : second.port)),
    );
    // Every frame is on the wire before any answer is read.
    for (const device of tills) for (let i = 0; i < 5; i++) device.send(payOf(phone.code(), 100));
    const replies = (
      await Promise.all(
        tills.map((device) => Promise.all(Array.from({ length: 5 }, () => device.next(20_000)))),
      )
    ).flat();
    const approved = replies.filter((r) => r.message.kind === 'pay_approved');
    const limited = replies.filter(
      (r) => r.message.kind === 'pay_declined' && r.message.reason === 'LIMIT_EXCEEDED',
    );
    assert.equal(approved.length, 10, JSON.stringify(replies.map((r) => r.message)));
    assert.equal(
      limited.length,
      40,
      JSON.stringify(replies.filter((r) => r.message.kind !== 'pay_approved').map((r) => r.message)),
    );
    const card = await world.client.getCard(cardNo);
    assert.equal(card.balance.main, 9_000, 'the ledger charged exactly the cap');
    for (const device of tills) device.close();
  });

  test('#12.1 class: when the ledger refuses a payment inside the window, then its room comes back; a retried approved frame takes none', async () => {
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 300, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const device = await till(1_000, world.gateway.port);
    const first = phone.code();
    assert.equal((await device.request(payOf(first, 300))).message.kind, 'pay_approved');
    // Its retry under the same sequence is answered again and reserves nothing more.
    const retried = await device.request(payOf(first, 300), device.sequence);
    assert.equal(retried.message.kind, 'pay_approved');
    const poor = await device.request(payOf(phone.code(), 700));
    assert.equal(poor.message.kind === 'pay_declined' && poor.message.reason, 'INSUFFICIENT_FUNDS');
    await world.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    assert.equal(
      (await device.request(payOf(phone.code(), 700))).message.kind,
      'pay_approved',
      'room for 700 left',
    );
    const over = await device.request(payOf(phone.code(), 1));
    assert.equal(over.message.kind === 'pay_declined' && over.message.reason, 'LIMIT_EXCEEDED');
    device.close();
  });
});
