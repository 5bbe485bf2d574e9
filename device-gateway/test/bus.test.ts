import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId } from '@campus-card/tests/kit';
import { type Message, type OfflineRecord, signOfflineRecord } from '../src/protocol/index.ts';
import { offlineOn, phoneFor, registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

// Goal: a school-bus reader checks rides over a real socket — a booked seat boards, a rider without one
// pays the route's fare once, a refusal is definite — fetches its run's table for the road, and uploads
// its offline rides at the depot: a booked ride is accepted once, a ride whose sequence was refused online
// stays refused (nothing charged), and a card's rides beyond the offline cap are exceptions.
describe('school-bus reader', () => {
  let world: TestWorld;
  let reader: TestDevice;
  let readerId: number;
  let readerKey: Uint8Array;
  let runId: string;
  before(async () => {
    world = await startWorld();
    const g = await registerDevice(world, 'gate');
    readerId = g.deviceId;
    readerKey = g.key;
    // Offline use on: the reader may take fares on the road (a reader with it off: the last test).
    await world.client.putDeviceConfig(String(g.deviceId), { offline: offlineOn });
    reader = await TestDevice.connect(world.gateway.port, g.deviceId, g.key);
    assert.equal((await reader.signIn('gate')).message.kind, 'sign_in_accepted');
    // Offline records below take sequences 2 … 99; requests go on above them.
    reader.sequence = 100;
    const route = await world.client.addBusRoute({
      name: '东区—西区',
      stops: ['东门', '西门'],
      fareFen: 200,
    });
    runId = (
      await world.client.addBusRun({ routeId: route.id, departsAtMs: Date.now() + 3_600_000, seats: 10 })
    ).id;
  });
  after(async () => {
    reader.close();
    await world.stop();
  });

  async function rider(fen: number) {
    const cardNo = await openStudent(world.client);
    if (fen > 0) await world.client.topUp({ id: opId(), cardNo, amount: fen, channel: 'cash' });
    return { cardNo, phone: await phoneFor(world.client, cardNo) };
  }
  async function ride(code: string) {
    const reply = await reader.request({ kind: 'bus_ride_check', runId, code: { kind: 'qr', text: code } });
    assert.equal(reply.message.kind, 'bus_ride_result', JSON.stringify(reply.message));
    return {
      sequence: reply.sequence,
      result: reply.message as Extract<Message, { kind: 'bus_ride_result' }>,
    };
  }
  const offlineRide = (sequence: number, offlineNo: number, amountFen: number, code: string): OfflineRecord =>
    signOfflineRecord(readerKey, readerId, {
      recordKind: 'bus_ride',
      decision: 'accepted',
      sequence,
      offlineNo,
      takenAtMs: Date.now() - 1_000,
      amountFen,
      orderNo: 0,
      sessionId: runId,
      code: { kind: 'qr', text: code },
    });

  test('when a booked rider and a paying rider show their codes, then one boards on the seat and one pays the fare', async () => {
    const booked = await rider(0);
    await world.client.bookBus({ requestId: opId().slice(0, 32), cardNo: booked.cardNo, runId });
    const table = await reader.request({ kind: 'bus_run_table_request', runId });
    assert.equal(table.message.kind, 'bus_run_table');
    if (table.message.kind !== 'bus_run_table') return;
    assert.deepEqual(table.message.bookedCardNos, [booked.cardNo]);
    assert.equal(table.message.fareFen, 200);
    assert.deepEqual(table.message.freePersonTypes, ['staff']);

    assert.deepEqual((await ride(booked.phone.code())).result, {
      kind: 'bus_ride_result',
      decision: 'allow',
      rideKind: 'booked',
      reason: 'NONE',
      chargedFen: 0,
      balanceAfterFen: 0xffff_ffff,
    });
    assert.equal((await ride(booked.phone.code())).result.reason, 'ALREADY_BOARDED');

    const paying = await rider(1_000);
    assert.deepEqual((await ride(paying.phone.code())).result, {
      kind: 'bus_ride_result',
      decision: 'allow',
      rideKind: 'fare',
      reason: 'NONE',
      chargedFen: 200,
      balanceAfterFen: 800,
    });
    assert.equal((await world.client.getCard(paying.cardNo)).balance.main, 800);
  });

  test('when rides taken offline are uploaded, then a booked seat counts once, a refused sequence stays refused and the cap holds', async () => {
    // Online: refused for want of money; the reader must not turn that into a ride later.
    const poor = await rider(100);
    const refused = await ride(poor.phone.code());
    assert.equal(refused.result.reason, 'INSUFFICIENT_FUNDS');
    await world.client.topUp({ id: opId(), cardNo: poor.cardNo, amount: 1_000, channel: 'cash' });

    const booked = await rider(0);
    await world.client.bookBus({ requestId: opId().slice(0, 32), cardNo: booked.cardNo, runId });
    const payer = await rider(1_000);
    const records = [
      offlineRide(2, 1, 0, booked.phone.code()),
      offlineRide(refused.sequence, 2, 200, poor.phone.code()),
      offlineRide(3, 3, 200, payer.phone.code()),
      // The same card again on this run: beyond the offline cap of one ride.
      offlineRide(4, 4, 200, payer.phone.code()),
    ];
    const answer = await reader.request({ kind: 'offline_upload', records });
    assert.equal(answer.message.kind, 'offline_upload_result', JSON.stringify(answer.message));
    if (answer.message.kind !== 'offline_upload_result') return;
    assert.deepEqual(
      answer.message.results.map((r) => `${r.status}:${r.reason}`),
      ['accepted:NONE', 'exception:INSUFFICIENT_FUNDS', 'accepted:NONE', 'exception:LIMIT_EXCEEDED'],
    );
    assert.equal((await world.client.getCard(poor.cardNo)).balance.main, 1_100);
    assert.equal((await world.client.getCard(payer.cardNo)).balance.main, 800);
    const again = await reader.request({ kind: 'offline_upload', records: records.slice(0, 1) });
    assert.deepEqual(
      again.message.kind === 'offline_upload_result' && again.message.results.map((r) => r.status),
      ['duplicate'],
    );
    const counts = await world.client.busRunCounts(runId);
    assert.equal(counts.ridden, 2);
    const rides = (await world.client.busRides(runId)).items.filter((r) => r.source === 'offline');
    assert.deepEqual(rides.map((r) => `${r.kind}:${r.amountFen}`).sort(), ['booked:0', 'fare:200']);
  });
  test('when a reader whose offline use is off uploads a fare, then it is an exception and nothing is charged', async () => {
    const g = await registerDevice(world, 'gate');
    await world.client.putDeviceConfig(String(g.deviceId), { offline: { ...offlineOn, enabled: false } });
    const rogue = await TestDevice.connect(world.gateway.port, g.deviceId, g.key);
    assert.equal((await rogue.signIn('gate')).message.kind, 'sign_in_accepted');
    rogue.sequence = 100;
    const payer = await rider(1_000);
    const record = signOfflineRecord(g.key, g.deviceId, {
      recordKind: 'bus_ride',
      decision: 'accepted',
      sequence: 2,
      offlineNo: 1,
      takenAtMs: Date.now() - 1_000,
      amountFen: 200,
      orderNo: 0,
      sessionId: runId,
      code: { kind: 'qr', text: payer.phone.code() },
    });
    const answer = await rogue.request({ kind: 'offline_upload', records: [record] });
    assert.deepEqual(
      answer.message.kind === 'offline_upload_result' &&
        answer.message.results.map((r) => `${r.status}:${r.reason}`),
      ['exception:NOT_PERMITTED'],
    );
    assert.equal((await world.client.getCard(payer.cardNo)).balance.main, 1_000);
    rogue.close();
  });
});
