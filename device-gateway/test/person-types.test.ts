import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CoreClient } from '@campus-card/core/client';
import {
  campusSigningKeyFromSecret,
  generatePhoneKeyPair,
  issueCertificate,
  makeCode,
  type PersonType,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { openStudent, opId } from '@campus-card/tests/kit';
import { signOfflineRecord } from '../src/protocol/index.ts';
import {
  numericPhoneFor,
  offlineOn,
  registerDevice,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

/** Opens a staff card and returns its number. */
async function openStaff(client: CoreClient): Promise<string> {
  const card = await client.openCard({
    personNo: `T${process.pid}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`.slice(0, 32),
    name: '测试教工',
    type: 'staff',
    department: '后勤处',
  });
  return card.cardNo;
}

/** The development campus key (secret 32 × 0x01) the test gateway trusts. */
const campusKey = campusSigningKeyFromSecret(1, new Uint8Array(32).fill(1));

/** A phone whose certificate names the card's person type, as the BFF issues it; `code()` makes a QR text. */
async function phoneOf(client: CoreClient, cardNo: string, personType: PersonType) {
  const card = await client.getCard(cardNo);
  const keyPair = await generatePhoneKeyPair(webCryptoRandom);
  const certificate = issueCertificate(campusKey, {
    card: { cardNo, personType, cardVersion: card.version },
    phonePublicKey: keyPair.publicKey,
    validFromMs: Date.now() - 1000,
  });
  let counter = 0;
  return { code: () => makeCode({ keyPair, certificate, nowMs: Date.now(), counter: ++counter }) };
}

describe('a device limited to some person types (#12.21)', () => {
  let world: TestWorld;
  const devices: TestDevice[] = [];
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    for (const device of devices) device.close();
    await world.stop();
  });

  /** A device of this kind whose configuration allows staff only, signed in. */
  async function staffOnly(kind: 'pos' | 'gate', offline?: typeof offlineOn) {
    const { deviceId, key } = await registerDevice(world, kind);
    const current = await world.client.deviceConfig(String(deviceId));
    await world.client.putDeviceConfig(String(deviceId), {
      ...current.settings,
      personTypes: ['staff'],
      ...(offline === undefined ? {} : { offline }),
    });
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    devices.push(device);
    const signedIn = await device.signIn(kind);
    assert.equal(signedIn.message.kind, 'sign_in_accepted', JSON.stringify(signedIn.message));
    return { device, deviceId, key };
  }

  test('#12.21 when a staff-only till is shown a student’s code, then PAY_DECLINED NOT_PERMITTED and nothing is charged; a staff code is taken', async () => {
    const { device } = await staffOnly('pos');
    const student = await openStudent(world.client);
    const staff = await openStaff(world.client);
    for (const cardNo of [student, staff])
      await world.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const studentPhone = await phoneOf(world.client, student, 'student');
    const staffPhone = await phoneOf(world.client, staff, 'staff');

    const refused = await device.request({
      kind: 'pay',
      code: { kind: 'qr', text: studentPhone.code() },
      amountFen: 750,
      orderNo: 1,
      itemNo: 0,
    });
    assert.deepEqual(refused.message, { kind: 'pay_declined', reason: 'NOT_PERMITTED' });
    // A numeric pay code: the core's verdict names the card's person type.
    const numeric = await device.request({
      kind: 'pay',
      code: { kind: 'numeric', text: (await numericPhoneFor(world.client, student)).code() },
      amountFen: 750,
      orderNo: 3,
      itemNo: 0,
    });
    assert.deepEqual(numeric.message, { kind: 'pay_declined', reason: 'NOT_PERMITTED' });
    assert.equal((await world.client.getCard(student)).balance.main, 2_000, 'nothing charged');

    const taken = await device.request({
      kind: 'pay',
      code: { kind: 'qr', text: staffPhone.code() },
      amountFen: 750,
      orderNo: 2,
      itemNo: 0,
    });
    assert.deepEqual(taken.message, {
      kind: 'pay_approved',
      chargedFen: 750,
      subsidyFen: 0,
      balanceAfterFen: 1_250,
    });
    assert.equal((await world.client.getCard(staff)).balance.main, 1_250);
  });

  test('#12.21 when a staff-only gate checks a student’s code, then it denies NOT_PERMITTED, and allows a staff code', async () => {
    const { device } = await staffOnly('gate');
    const student = await phoneOf(world.client, await openStudent(world.client), 'student');
    const staff = await phoneOf(world.client, await openStaff(world.client), 'staff');
    const denied = await device.request({
      kind: 'identity_check',
      code: { kind: 'qr', text: student.code() },
      direction: 'in',
    });
    assert.equal(denied.message.kind === 'identity_result' && denied.message.decision, 'deny');
    assert.equal(denied.message.kind === 'identity_result' && denied.message.reason, 'NOT_PERMITTED');
    const allowed = await device.request({
      kind: 'identity_check',
      code: { kind: 'qr', text: staff.code() },
      direction: 'in',
    });
    assert.equal(allowed.message.kind === 'identity_result' && allowed.message.decision, 'allow');
  });

  test('#12.21 when a staff-only till uploads an offline payment by a student, then it is an exception NOT_PERMITTED and nothing is charged; a staff one is booked', async () => {
    const { device, deviceId, key } = await staffOnly('pos', offlineOn);
    const student = await openStudent(world.client);
    const staff = await openStaff(world.client);
    for (const cardNo of [student, staff])
      await world.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const phones = [
      await phoneOf(world.client, student, 'student'),
      await phoneOf(world.client, staff, 'staff'),
    ];
    device.sequence = 100;
    const records = phones.map((phone, i) =>
      signOfflineRecord(key, deviceId, {
        recordKind: 'payment',
        decision: 'accepted',
        sequence: 50 + i,
        offlineNo: i + 1,
        takenAtMs: Date.now() - 500,
        amountFen: 300,
        orderNo: i + 1,
        sessionId: '',
        code: { kind: 'qr', text: phone.code() },
      }),
    );
    const uploaded = await device.request({ kind: 'offline_upload', records });
    assert.deepEqual(uploaded.message.kind === 'offline_upload_result' && uploaded.message.results, [
      { sequence: 50, status: 'exception', reason: 'NOT_PERMITTED' },
      { sequence: 51, status: 'accepted', reason: 'NONE' },
    ]);
    assert.equal((await world.client.getCard(student)).balance.main, 2_000, 'the student is not charged');
    assert.equal((await world.client.getCard(staff)).balance.main, 1_700);
  });
});
