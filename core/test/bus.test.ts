import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';

// Goal: seats are booked atomically — 50 bookings at once never exceed a run's seats nor a person's
// daily limit, a retried booking is the same booking, a cancelled seat goes back, no-shows bar a person,
// and cancelling a run tells every booked rider. At the reader: a booked seat boards once however many
// checks race for it, staff ride free, others pay the fare once per (device, sequence), and a refusal
// stays a refusal when the same frame comes again.
let serial = 0;
const unique = (prefix: string) =>
  `${prefix}${process.pid}${Date.now().toString(36)}${++serial}`.slice(0, 32);

for (const dialect of dialects) {
  describe(`school bus bookings (${dialect})`, () => {
    let t: TestCore;
    let routeId: string;
    before(async () => {
      t = await startTestCore(dialect, { HOLD_SWEEP_INTERVAL_MS: '3600000' });
      routeId = (await t.client.addBusRoute({ name: '东区—西区', stops: ['东门', '图书馆', '西门'] })).id;
    });
    after(() => t.stop());
    let readerSequence = 0;
    const readerId = String(9_000 + (process.pid % 900));

    const rider = async () =>
      (await t.client.openCard({ personNo: unique('B'), name: '韩乘客', type: 'student' })).cardNo;
    const run = async (seats: number, departsInMs = 3_600_000) =>
      (await t.client.addBusRun({ routeId, departsAtMs: Date.now() + departsInMs, seats })).id;
    const code = (e: unknown) => (e instanceof CoreError ? e.code : String(e));

    test('when 50 people book a 20-seat run at once, then exactly 20 seats are booked and 30 are refused sold out', async () => {
      const runId = await run(20);
      const cards = await Promise.all(Array.from({ length: 50 }, rider));
      const results = await Promise.allSettled(
        cards.map((cardNo) => t.client.bookBus({ requestId: unique('req'), cardNo, runId })),
      );
      const booked = results.filter((r) => r.status === 'fulfilled').length;
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [code(r.reason)] : []));
      assert.equal(booked, 20);
      assert.deepEqual([...new Set(refused)], ['BUS_SOLD_OUT']);
      assert.equal((await t.client.busRun(runId)).booked, 20);
      assert.equal((await t.client.busRunCounts(runId)).booked, 20);
    });

    test('when one person books 10 runs of a day at once, then only the daily limit is booked', async () => {
      const cardNo = await rider();
      const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => run(40, 3_600_000 + i * 60_000)));
      const results = await Promise.allSettled(
        runs.map((runId) => t.client.bookBus({ requestId: unique('req'), cardNo, runId })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
      assert.deepEqual(
        [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [code(r.reason)] : [])))],
        ['BUS_BOOKING_LIMIT'],
      );
      // The refused attempts left no seat taken on their runs.
      const seats = await Promise.all(runs.map(async (id) => (await t.client.busRun(id)).booked));
      assert.equal(
        seats.reduce((a, b) => a + b, 0),
        2,
      );
    });

    test('when a booking is retried, then it is the same; a second seat on one run is refused; a cancelled seat goes back', async () => {
      const runId = await run(1);
      const cardNo = await rider();
      const requestId = unique('req');
      const first = await t.client.bookBus({ requestId, cardNo, runId });
      assert.equal((await t.client.bookBus({ requestId, cardNo, runId })).id, first.id);
      await assert.rejects(
        t.client.bookBus({ requestId: unique('req'), cardNo, runId }),
        (e) => code(e) === 'BUS_SOLD_OUT',
      );
      const bigger = await run(5);
      await t.client.bookBus({ requestId: unique('req'), cardNo, runId: bigger });
      const other = await rider();
      await t.client.bookBus({ requestId: unique('req'), cardNo: other, runId: bigger });
      const cancelled = await t.client.cancelBusBooking(first.id, cardNo);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal((await t.client.busRun(runId)).booked, 0);
      const again = await t.client.bookBus({ requestId: unique('req'), cardNo: other, runId });
      assert.equal(again.status, 'booked');
      await assert.rejects(
        t.client.cancelBusBooking(again.id, cardNo),
        (e) => code(e) === 'BUS_BOOKING_NOT_FOUND',
      );
    });

    test('when a run is cancelled, then its riders are told and it takes no booking', async () => {
      const runId = await run(3);
      const riders = [await rider(), await rider()];
      for (const cardNo of riders) await t.client.bookBus({ requestId: unique('req'), cardNo, runId });
      const { told, run: after } = await t.client.cancelBusRun(runId);
      assert.equal(told, 2);
      assert.equal(after.status, 'cancelled');
      for (const cardNo of riders) {
        const card = await t.client.getCard(cardNo);
        const notices = await t.client.personNotices(card.personId);
        assert.deepEqual(
          notices.items.map((n) => n.title),
          ['校车班次已取消'],
        );
      }
      await assert.rejects(
        t.client.bookBus({ requestId: unique('req'), cardNo: await rider(), runId }),
        (e) => code(e) === 'BUS_RUN_CLOSED',
      );
    });

    test('when a rider missed three booked runs, then they may not book for a while', async () => {
      const cardNo = await rider();
      for (let i = 0; i < 3; i++) {
        const runId = await run(5, 3_600_000 + i * 86_400_000);
        await t.client.bookBus({ requestId: unique('req'), cardNo, runId });
      }
      // The runs left (as if): their bookings become no-shows.
      await t.core.db.execute('UPDATE bus_runs SET departs_at_ms = departs_at_ms - ? WHERE route_id = ?', [
        10 * 86_400_000,
        routeId,
      ]);
      assert.ok((await t.client.markBusNoShows()).marked >= 3);
      await assert.rejects(
        t.client.bookBus({ requestId: unique('req'), cardNo, runId: await run(5) }),
        (e) => code(e) === 'BUS_BOOKING_BARRED',
      );
    });

    test('when 50 ride checks of one booked seat arrive at once, then the rider boards once and 49 are refused', async () => {
      const runId = await run(5);
      const cardNo = await rider();
      await t.client.bookBus({ requestId: unique('req'), cardNo, runId });
      const { version } = await t.client.getCard(cardNo);
      const sequences = Array.from({ length: 50 }, () => ++readerSequence);
      const answers = await Promise.all(
        sequences.map((sequence) =>
          t.client.checkBusRide({
            deviceId: readerId,
            sequence,
            runId,
            cardNo,
            cardVersion: version,
            merchantId: null,
          }),
        ),
      );
      const allowed = answers.flatMap((a, i) => (a.decision === 'allow' ? [i] : []));
      assert.equal(allowed.length, 1);
      assert.deepEqual(
        [...new Set(answers.flatMap((a) => (a.decision === 'deny' ? [a.reason] : [])))],
        ['ALREADY_BOARDED'],
      );
      assert.deepEqual(answers[allowed[0] ?? 0], {
        decision: 'allow',
        kind: 'booked',
        chargedFen: 0,
        balanceAfterFen: null,
      });
      // The boarding frame retried is the same boarding; a refused one stays refused.
      const again = (i: number) =>
        t.client.checkBusRide({
          deviceId: readerId,
          sequence: sequences[i] ?? 0,
          runId,
          cardNo,
          cardVersion: version,
          merchantId: null,
        });
      assert.equal((await again(allowed[0] ?? 0)).decision, 'allow');
      assert.equal((await again(allowed[0] === 0 ? 1 : 0)).decision, 'deny');
      assert.equal((await t.client.busRunCounts(runId)).ridden, 1);
      assert.equal((await t.client.busRun(runId)).boarded, 1);
      assert.deepEqual((await t.client.busRunTable(runId)).bookedCardNos, []);
    });

    test('when riders without a seat board, then staff ride free, a student pays the fare once, and a refusal is final', async () => {
      const fareRoute = await t.client.addBusRoute({
        name: unique('环线'),
        stops: ['南门', '北门'],
        fareFen: 200,
      });
      const runId = (
        await t.client.addBusRun({ routeId: fareRoute.id, departsAtMs: Date.now() + 3_600_000, seats: 2 })
      ).id;
      const merchantId = (await t.client.createMerchant({ name: '校车', category: 'transport' })).id;
      const open = async (type: 'staff' | 'student') => {
        const card = await t.client.openCard({ personNo: unique('B'), name: '韩乘客', type });
        return { cardNo: card.cardNo, cardVersion: card.version };
      };
      const check = (card: { cardNo: string; cardVersion: number }, sequence: number) =>
        t.client.checkBusRide({ deviceId: readerId, sequence, runId, merchantId, ...card });
      const staff = await open('staff');
      assert.deepEqual(await check(staff, ++readerSequence), {
        decision: 'allow',
        kind: 'free',
        chargedFen: 0,
        balanceAfterFen: null,
      });
      const student = await open('student');
      await t.client.topUp({ id: unique('top'), cardNo: student.cardNo, amount: 1_000, channel: 'cash' });
      const fareSequence = ++readerSequence;
      const paid = await check(student, fareSequence);
      assert.deepEqual(paid, { decision: 'allow', kind: 'fare', chargedFen: 200, balanceAfterFen: 800 });
      assert.deepEqual(await check(student, fareSequence), paid);
      assert.equal((await t.client.getCard(student.cardNo)).balance.main, 800);
      const poor = await open('student');
      const poorSequence = ++readerSequence;
      assert.deepEqual(await check(poor, poorSequence), { decision: 'deny', reason: 'INSUFFICIENT_FUNDS' });
      await t.client.topUp({ id: unique('top'), cardNo: poor.cardNo, amount: 1_000, channel: 'cash' });
      assert.deepEqual(await check(poor, poorSequence), { decision: 'deny', reason: 'INSUFFICIENT_FUNDS' });
      assert.equal((await t.client.getCard(poor.cardNo)).balance.main, 1_000);
      // A code for a card the core does not know (a leaked signing key): refused, not an error.
      assert.deepEqual(await check({ cardNo: '99999999999999', cardVersion: 1 }, ++readerSequence), {
        decision: 'deny',
        reason: 'NOT_PERMITTED',
      });
      const rides = (await t.client.busRides(runId)).items.filter((r) => r.cardNo !== '99999999999999');
      assert.deepEqual(rides.map((r) => `${r.kind ?? r.reason}:${r.amountFen}`).sort(), [
        'INSUFFICIENT_FUNDS:0',
        'fare:200',
        'free:0',
      ]);
      // The answer stored under a (device, sequence), for a retry at another gateway; none for a new one.
      assert.deepEqual((await t.client.busRideAnswered(readerId, fareSequence)).answer, paid);
      assert.deepEqual((await t.client.busRideAnswered(readerId, poorSequence)).answer, {
        decision: 'deny',
        reason: 'INSUFFICIENT_FUNDS',
      });
      assert.equal((await t.client.busRideAnswered(readerId, readerSequence + 1)).answer, null);
      // A rider's own history: rides let on only, newest first, a page at a time.
      const later = (
        await t.client.addBusRun({ routeId: fareRoute.id, departsAtMs: Date.now() + 5_400_000, seats: 2 })
      ).id;
      await t.client.checkBusRide({
        deviceId: readerId,
        sequence: ++readerSequence,
        runId: later,
        merchantId,
        ...staff,
      });
      const first = await t.client.busRidesOfCard(staff.cardNo, { limit: 1 });
      assert.deepEqual(
        first.items.map((r) => [r.runId, r.kind, r.fromStop, r.toStop]),
        [[later, 'free', '南门', '北门']],
      );
      assert.ok(first.next);
      const second = await t.client.busRidesOfCard(staff.cardNo, { limit: 1, before: first.next });
      assert.deepEqual(
        second.items.map((r) => r.runId),
        [runId],
      );
      assert.equal(second.next, null);
      assert.deepEqual((await t.client.busRidesOfCard(poor.cardNo)).items, []);
      // The transport office resizes the run, never below the seats booked.
      await t.client.bookBus({ requestId: unique('req'), cardNo: (await open('student')).cardNo, runId });
      await t.client.bookBus({ requestId: unique('req'), cardNo: (await open('student')).cardNo, runId });
      await assert.rejects(
        t.client.editBusRun(runId, { departsAtMs: Date.now() + 7_200_000, seats: 1 }),
        (e) => code(e) === 'BUS_SEATS_TAKEN',
      );
      assert.equal(
        (await t.client.editBusRun(runId, { departsAtMs: Date.now() + 7_200_000, seats: 3 })).seats,
        3,
      );
    });
  });
}
