import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signOfflineRecord } from '@campus-card/device-gateway/protocol';
import { openStudent, opId, redisUrl } from '@campus-card/tests/kit';
import {
  numericPhoneFor,
  phoneFor,
  registerDevice,
  startWorld,
  TestDevice,
  type TestWorld,
} from '../../device-gateway/test/support.ts';
import { AttendanceReader } from './attendance-reader.ts';
import { BusReader } from './bus-reader.ts';
import { GateReader } from './gate.ts';
import { PosTerminal } from './pos.ts';
import { LaundryMeter, ShowerMeter } from './shower-meter.ts';

const admin = { type: 'admin', id: 'A1' } as const;

/** A POS allowed to pay offline: 20 yuan a payment, 50 a card a day, 100 in all, 100 records, an hour. */
const offlinePosConfig = {
  paymentMaxFen: 20_000,
  offline: {
    enabled: true,
    codeValiditySeconds: 60,
    clockSkewSeconds: 30,
    paymentMaxFen: 2_000,
    perCardDailyMaxFen: 5_000,
    deviceTotalMaxFen: 10_000,
    recordsMax: 100,
    durationMaxSeconds: 3_600,
  },
};

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('device simulators against the real gateway and core', () => {
  let world: TestWorld;
  before(async () => {
    // Presence reports flushed every 200 ms, so the backoffice's view is checked without waiting; Redis
    // carries a changed configuration from the core to the gateway, which pushes it at once.
    const redis = { REDIS_URL: redisUrl };
    world = await startWorld({}, { PRESENCE_FLUSH_INTERVAL_MS: '200', ...redis }, redis);
  });
  after(async () => {
    await world.stop();
  });

  test('when the POS simulator pays with a fresh code, then it is approved with the balance after', async () => {
    // Goal: the simulator signs in, checks the server proof and pays through gateway → core.
    const { deviceId, key } = await registerDevice(world, 'pos');
    const pos = await PosTerminal.connect({ port: world.gateway.port, deviceId, key });
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_500, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    assert.deepEqual(await pos.pay(phone.code(), 1_200), {
      kind: 'pay_approved',
      chargedFen: 1_200,
      subsidyFen: 0,
      balanceAfterFen: 300,
    });
    assert.deepEqual(await pos.pay(phone.code(), 1_200), {
      kind: 'pay_declined',
      reason: 'INSUFFICIENT_FUNDS',
    });
    pos.close();
  });

  test('when a POS simulator connects and later gets a new configuration, then it confirms what it applies and the backoffice shows it up to date', async () => {
    // Goal: a busy terminal sends no idle heartbeats, so it confirms each version it applies at once.
    const { deviceId, key } = await registerDevice(world, 'pos');
    await world.client.putDeviceConfig(String(deviceId), { paymentMaxFen: 3_000 });
    const pos = await PosTerminal.connect({ port: world.gateway.port, deviceId, key });
    const current = async () => {
      const found = (await world.client.devices()).items.find((d) => d.id === String(deviceId));
      return found?.presence;
    };
    const upToDate = async () => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const presence = await current();
        if (presence?.online && !presence.configBehind && !presence.blacklistBehind) return presence;
        if (Date.now() > deadline) throw new Error(`still behind: ${JSON.stringify(presence)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const first = await upToDate();
    assert.ok(first.configVersion > 0 && first.blacklistVersion > 0, JSON.stringify(first));
    await world.client.putDeviceConfig(String(deviceId), { paymentMaxFen: 5_000 });
    await until(() => pos.config?.paymentMaxFen === 5_000);
    const second = await upToDate();
    assert.ok(second.configVersion > first.configVersion, JSON.stringify(second));
    pos.close();
  });

  test('when the shower simulator runs a session, then the card pays exactly the metered seconds', async () => {
    // Goal: the meter simulator drives hold → usage → settle.
    const { deviceId, key } = await registerDevice(world, 'shower');
    const meter = await ShowerMeter.connect({ port: world.gateway.port, deviceId, key });
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    assert.equal((await meter.start(phone.code(), 600)).kind, 'meter_started');
    const usage = await meter.report(60);
    assert.equal(usage.kind === 'meter_usage_ack' && usage.usageFen, 60);
    const settled = await meter.stop(95);
    assert.deepEqual(settled, {
      kind: 'meter_settled',
      chargedFen: 95,
      releasedFen: 505,
      balanceAfterFen: 905,
    });
    meter.close();
  });

  test('when the key is wrong, then connecting refuses with the gateway error', async () => {
    // Goal: the simulator surfaces a refused sign-in instead of hanging.
    const { deviceId } = await registerDevice(world, 'pos');
    await assert.rejects(
      PosTerminal.connect({ port: world.gateway.port, deviceId, key: new Uint8Array(32).fill(5) }),
      /sign-in refused: BAD_MAC/,
    );
  });

  test('when the gate, attendance reader and laundry simulators are used online, then allow, recorded and settled', async () => {
    // Goal: every kind of terminal the demo runs works against the real gateway and core.
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 2_000, channel: 'cash' });
    const phone = await phoneFor(world.client, cardNo);
    const g = await registerDevice(world, 'gate');
    const gate = await GateReader.connect({ port: world.gateway.port, deviceId: g.deviceId, key: g.key });
    const checked = await gate.check(phone.code(), 'in');
    assert.equal(checked.kind === 'identity_result' && checked.decision, 'allow');

    const { personNo } = await world.client.getCard(cardNo);
    const now = Date.now();
    await world.client.putAttendanceSession({
      id: 'SIM-CLASS-1',
      kind: 'class',
      title: '高等数学',
      startsAtMs: now,
      endsAtMs: now + 5_400_000,
      signInFromMs: now - 600_000,
      signInUntilMs: now + 600_000,
      roster: [personNo],
    });
    const a = await registerDevice(world, 'attendance');
    const reader = await AttendanceReader.connect(
      { port: world.gateway.port, deviceId: a.deviceId, key: a.key },
      'SIM-CLASS-1',
    );
    const signed = await reader.signIn(phone.code());
    assert.equal(signed.kind === 'attendance_result' && signed.status, 'recorded');

    const l = await registerDevice(world, 'laundry');
    const washer = await LaundryMeter.connect({ port: world.gateway.port, deviceId: l.deviceId, key: l.key });
    assert.equal((await washer.start(phone.code(), 400)).kind, 'meter_started');
    const washed = await washer.stop(300);
    assert.equal(washed.kind === 'meter_settled' && washed.chargedFen, 300);
    gate.close();
    reader.close();
    washer.close();
  });

  test("#12.2 when a POS offline sees a reissued card, then it accepts only the card's current version: older phones and never-issued (forged) versions are refused, and an upload of a forged one charges nothing", async () => {
    // Goal: the offline verifier accepts a certificate only for the current version, from the blacklist's
    // reissued entry (cardVersionMax + 1 is current); the gateway applies the same rule to uploads.
    const { deviceId, key } = await registerDevice(world, 'pos');
    await world.client.putDeviceConfig(String(deviceId), offlinePosConfig);
    const pos = await PosTerminal.connect({ port: world.gateway.port, deviceId, key });
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const oldPhone = await phoneFor(world.client, cardNo);
    await world.client.changeCard(cardNo, 'freeze', admin);
    await world.client.changeCard(cardNo, 'unfreeze', admin);
    const version = (await world.client.getCard(cardNo)).version;
    await until(() => pos.blacklist.get(cardNo)?.reason === 'reissued');
    const current = await phoneFor(world.client, cardNo);
    const forged = await phoneFor(world.client, cardNo, { cardVersion: 4_000_000_000 });
    const nextOne = await phoneFor(world.client, cardNo, { cardVersion: version + 1 });

    pos.disconnect();
    // The replay key is (card, second, counter): each phone here uses counters of its own.
    const codeAt = (phone: { code(): string }, counter: number) => {
      let text = '';
      for (let i = 0; i < counter; i++) text = phone.code();
      return text;
    };
    for (const [i, phone] of [oldPhone, forged, nextOne].entries()) {
      assert.deepEqual(await pos.pay(codeAt(phone, 2 + i), 100), {
        kind: 'offline',
        accepted: false,
        reason: 'BLACKLISTED',
      });
    }
    const accepted = await pos.pay(codeAt(current, 5), 100);
    assert.equal(accepted.kind === 'offline' && accepted.accepted, true);
    // A device that did not apply the rule (old firmware) stored a forged version: the upload charges nothing.
    const rogue = await registerDevice(world, 'pos');
    const rogueDevice = await TestDevice.connect(world.gateway.port, rogue.deviceId, rogue.key);
    assert.equal((await rogueDevice.signIn()).message.kind, 'sign_in_accepted');
    const record = signOfflineRecord(rogue.key, rogue.deviceId, {
      recordKind: 'payment',
      decision: 'accepted',
      sequence: 60,
      offlineNo: 1,
      takenAtMs: Date.now() - 500,
      amountFen: 300,
      orderNo: 1,
      sessionId: '',
      code: { kind: 'qr', text: codeAt(forged, 3) },
    });
    const uploaded = await rogueDevice.request({ kind: 'offline_upload', records: [record] });
    assert.deepEqual(uploaded.message.kind === 'offline_upload_result' && uploaded.message.results, [
      { sequence: 60, status: 'exception', reason: 'CREDENTIAL_REVOKED' },
    ]);
    rogueDevice.close();
    await pos.connect();
    assert.deepEqual(
      pos.uploadResults.map((r) => r.status),
      ['accepted'],
    );
    assert.equal((await world.client.getCard(cardNo)).balance.main, 900, 'only the current phone paid');
    pos.close();
  });

  test('when a POS loses the gateway, then it pays offline within its limits, refuses blacklisted cards, and uploads on reconnect', async () => {
    // Goal: offline mode end to end: config and blacklist from the server, offline decisions, upload, charge once.
    const { deviceId, key } = await registerDevice(world, 'pos');
    await world.client.putDeviceConfig(String(deviceId), offlinePosConfig);
    const pos = await PosTerminal.connect({ port: world.gateway.port, deviceId, key });
    assert.equal(pos.config?.offline.enabled, true);
    const good = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo: good, amount: 1_000, channel: 'cash' });
    const lost = await openStudent(world.client);
    const goodPhone = await phoneFor(world.client, good);
    const lostPhone = await phoneFor(world.client, lost);
    await world.client.changeCard(lost, 'report_loss', admin);
    await until(() => pos.blacklist.has(lost));

    pos.disconnect();
    const accepted = await pos.pay(goodPhone.code(), 800);
    assert.equal(accepted.kind === 'offline' && accepted.accepted, true);
    const refused = await pos.pay(lostPhone.code(), 100);
    assert.deepEqual(refused, { kind: 'offline', accepted: false, reason: 'BLACKLISTED' });
    const tooBig = await pos.pay(goodPhone.code(), 5_000);
    assert.deepEqual(tooBig, { kind: 'offline', accepted: false, reason: 'LIMIT_EXCEEDED' });
    assert.equal(pos.records.length, 1);
    assert.equal((await world.client.getCard(good)).balance.main, 1_000, 'nothing charged while offline');

    await pos.connect();
    assert.equal(pos.records.length, 0);
    assert.deepEqual(
      pos.uploadResults.map((r) => r.status),
      ['accepted'],
    );
    assert.equal((await world.client.getCard(good)).balance.main, 200);
    pos.close();
  });

  test('when a gate is offline, then it decides alone, keeps allowed and refused checks, and they become access events', async () => {
    // Goal: offline identity checks are not lost.
    const g = await registerDevice(world, 'gate');
    await world.client.putDeviceConfig(String(g.deviceId), {
      offline: {
        enabled: true,
        codeValiditySeconds: 60,
        clockSkewSeconds: 30,
        paymentMaxFen: 0,
        perCardDailyMaxFen: 0,
        deviceTotalMaxFen: 0,
        recordsMax: 100,
        durationMaxSeconds: 3_600,
      },
    });
    const gate = await GateReader.connect({ port: world.gateway.port, deviceId: g.deviceId, key: g.key });
    const cardNo = await openStudent(world.client);
    const phone = await phoneFor(world.client, cardNo);
    gate.disconnect();
    const allowed = await gate.check(phone.code());
    assert.equal(allowed.kind === 'offline' && allowed.accepted, true);
    const refused = await gate.check('CC:FORGED');
    assert.equal(refused.kind === 'offline' && refused.accepted, false);
    assert.equal(gate.records.length, 2);
    await gate.connect();
    assert.deepEqual(
      gate.uploadResults.map((r) => r.status),
      ['accepted', 'accepted'],
    );
    const events = (await world.client.accessEvents(cardNo)).items;
    assert.deepEqual(
      events.map((e) => [e.decision, e.source]),
      [['allow', 'offline']],
    );
    gate.close();
  });
  test('when a POS is offline and a numeric code is typed, then it declines NUMERIC_CODE_ONLINE_ONLY; online the code pays', async () => {
    // Goal: devices never accept numeric codes on their own (only the core holds the secrets).
    const { deviceId, key } = await registerDevice(world, 'pos');
    await world.client.putDeviceConfig(String(deviceId), offlinePosConfig);
    const pos = await PosTerminal.connect({ port: world.gateway.port, deviceId, key });
    const cardNo = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const phone = await numericPhoneFor(world.client, cardNo);
    pos.disconnect();
    assert.deepEqual(await pos.pay(phone.code(), 300), {
      kind: 'offline',
      accepted: false,
      reason: 'NUMERIC_CODE_ONLINE_ONLY',
    });
    assert.equal(pos.records.length, 0);
    await pos.connect();
    assert.deepEqual(await pos.pay(phone.code(), 300), {
      kind: 'pay_approved',
      chargedFen: 300,
      subsidyFen: 0,
      balanceAfterFen: 700,
    });
    pos.close();
  });
  test('when a bus reader loses the network, then it decides from its run table and the depot upload charges the fare once', async () => {
    // Goal: the bus reader simulator fetches its table at the depot, rides offline within the per-card cap,
    // and its upload boards the booked rider and charges the paying one.
    const g = await registerDevice(world, 'gate');
    await world.client.putDeviceConfig(String(g.deviceId), offlinePosConfig);
    const route = await world.client.addBusRoute({ name: '环线', stops: ['南门', '北门'], fareFen: 200 });
    const runId = (
      await world.client.addBusRun({ routeId: route.id, departsAtMs: Date.now() + 3_600_000, seats: 5 })
    ).id;
    const seated = await openStudent(world.client);
    await world.client.bookBus({ requestId: opId().slice(0, 32), cardNo: seated, runId });
    const payer = await openStudent(world.client);
    await world.client.topUp({ id: opId(), cardNo: payer, amount: 1_000, channel: 'cash' });
    const bus = await BusReader.connect(
      { port: world.gateway.port, deviceId: g.deviceId, key: g.key },
      runId,
    );
    assert.deepEqual(bus.table?.bookedCardNos, [seated]);
    const seatedPhone = await phoneFor(world.client, seated);
    const payerPhone = await phoneFor(world.client, payer);
    bus.disconnect();
    const onSeat = await bus.ride(seatedPhone.code());
    const paying = await bus.ride(payerPhone.code());
    const again = await bus.ride(payerPhone.code());
    assert.equal(onSeat.kind === 'offline' && onSeat.accepted && onSeat.record.amountFen, 0);
    assert.equal(paying.kind === 'offline' && paying.accepted && paying.record.amountFen, 200);
    assert.equal(again.kind === 'offline' && !again.accepted && again.reason, 'LIMIT_EXCEEDED');
    await bus.connect();
    assert.deepEqual(
      bus.uploadResults.map((r) => r.status),
      ['accepted', 'accepted', 'accepted'],
    );
    assert.equal((await world.client.getCard(payer)).balance.main, 800);
    assert.equal((await world.client.busRunCounts(runId)).ridden, 1);
    bus.close();
  });
});
