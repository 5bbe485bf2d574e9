import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AbnormalThresholds,
  abnormalDefaults,
  type CardProfile,
  detectAbnormalFromProfiles,
  detectAbnormalSpending,
  type PaymentPoint,
  profileStartMs,
} from '../src/insight/abnormal-spending.ts';
import { InsightStore, type OperationRow } from '../src/insight/insight-store.ts';
import { generateCampus } from '../src/insight/synthetic-campus.ts';
import { plantThefts, scoreAbnormal } from '../src/insight/synthetic-thefts.ts';
import { shanghaiDay } from '../src/time.ts';

const dayMs = 86_400_000;
const minuteMs = 60_000;
const fromMs = Date.UTC(2025, 11, 1) - 8 * 3_600_000;

/** Thirty days of one card's ordinary life before fromMs: lunch at one canteen, a shower, the shop. */
function ordinaryLife(cardNo = 'C1'): PaymentPoint[] {
  const points: PaymentPoint[] = [];
  for (let d = 30; d >= 1; d--) {
    const noon = fromMs - d * dayMs + 4 * 3_600_000;
    const at = (merchantId: string, offsetMs: number, amount: number, xM: number | null = 0) =>
      points.push({
        id: `${cardNo}-${d}-${merchantId}`,
        cardNo,
        atMs: noon + offsetMs,
        merchantId,
        amount,
        xM,
        yM: xM,
      });
    at('CANTEEN1', 0, 1_200 + (d % 5) * 50);
    at('SHOWER1', 9 * 3_600_000, 300, 500);
    if (d % 3 === 0) at('SHOP1', 5 * 3_600_000, 1_000, 300);
  }
  return points;
}

const pay = (
  id: string,
  atMs: number,
  merchantId: string,
  amount: number,
  xM: number | null = 0,
): PaymentPoint => ({
  id,
  cardNo: 'C1',
  atMs,
  merchantId,
  amount,
  xM,
  yM: xM === null ? null : 0,
});

test('when a card pays high amounts at two places it never used within the hour, then it is flagged at the second with the evidence; its own habits are not', () => {
  const life = ordinaryLife();
  const t0 = fromMs + 2 * dayMs + 3 * 3_600_000;
  const payments = [
    ...life,
    // Its usual lunch and shower on the day: nothing.
    pay('own1', t0 - 3_600_000, 'CANTEEN1', 1_300),
    pay('own2', t0 - 1_800_000, 'SHOWER1', 300, 500),
    pay('thief1', t0, 'MARKET1', 4_200, null),
    pay('thief2', t0 + 6 * minuteMs, 'CAFE1', 3_800, null),
    pay('thief3', t0 + 12 * minuteMs, 'SHOP3', 4_900, null),
  ];
  const alerts = detectAbnormalSpending(payments, fromMs, fromMs + 10 * dayMs);
  assert.equal(alerts.length, 1, 'one alert per card per day');
  const [alert] = alerts;
  assert.equal(alert?.paymentId, 'thief2');
  assert.deepEqual(
    alert?.reasons.map((r) => r.code),
    ['new_places'],
  );
  assert.deepEqual(
    alert?.evidence.map((e) => e.id),
    ['thief1', 'thief2'],
  );
  // The same new places at ordinary amounts are a student trying a new café, not a thief.
  const curious = [
    ...life,
    pay('new1', t0, 'MARKET1', 900, null),
    pay('new2', t0 + 6 * minuteMs, 'CAFE1', 1_100, null),
  ];
  assert.deepEqual(detectAbnormalSpending(curious, fromMs, fromMs + 10 * dayMs), []);
  // Thresholds are tunable: asking for three new places waits for the third payment.
  const stricter = detectAbnormalSpending(payments, fromMs, fromMs + 10 * dayMs, { newPlacePaymentsMin: 3 });
  assert.equal(stricter[0]?.paymentId, 'thief3');
});

test('when a card pays at two places 15 km apart ten minutes apart, then it is flagged as impossible travel; the same trip by shuttle in an hour is not', () => {
  const life = ordinaryLife();
  const t0 = fromMs + 3 * dayMs;
  const fast = [
    ...life,
    pay('a', t0, 'CANTEEN1', 1_200, 0),
    pay('b', t0 + 10 * minuteMs, 'EAST', 1_200, 15_000),
  ];
  const [alert] = detectAbnormalSpending(fast, fromMs, fromMs + 10 * dayMs);
  assert.equal(alert?.paymentId, 'b');
  assert.deepEqual(alert?.reasons, [
    {
      code: 'impossible_travel',
      distanceM: 15_000,
      minutes: 10,
      fromMerchant: 'CANTEEN1',
      toMerchant: 'EAST',
    },
  ]);
  const shuttle = [
    ...life,
    pay('a', t0, 'CANTEEN1', 1_200, 0),
    pay('b', t0 + 60 * minuteMs, 'EAST', 1_200, 15_000),
  ];
  assert.deepEqual(detectAbnormalSpending(shuttle, fromMs, fromMs + 10 * dayMs), []);
});

test('when a card pays five times within ten minutes, then it is flagged as rapid', () => {
  const t0 = fromMs + 4 * dayMs;
  const burst = Array.from({ length: abnormalDefaults.rapidPaymentsMin }, (_, i) =>
    pay(`r${i}`, t0 + i * 2 * minuteMs, 'CANTEEN1', 500),
  );
  const alerts = detectAbnormalSpending([...ordinaryLife(), ...burst], fromMs, fromMs + 10 * dayMs);
  assert.equal(alerts[0]?.paymentId, `r${abnormalDefaults.rapidPaymentsMin - 1}`);
  assert.equal(alerts[0]?.reasons[0]?.code, 'rapid');
});

test('when codes signed by one phone key come with a counter that goes back, then a second device holds the key and the card is flagged; a new phone, a wrapped counter and a late upload are not', () => {
  // The owner's phone counts its codes: each QR payment of the profile carries key K and a rising counter.
  const life = ordinaryLife().map((p, i) => ({
    ...p,
    keyId: 'K',
    madeAtS: Math.floor(p.atMs / 1000) - 10,
    // Past 65535 the counter wraps to 0 within the profile: still rising.
    counter: (65_400 + i * 3) % 65_536,
  }));
  const lastCounter = life.at(-1)?.counter ?? 0;
  assert.ok(lastCounter > 30 && lastCounter < 1_000, 'the profile wrapped');
  const coded = (
    id: string,
    atMs: number,
    keyId: string,
    counter: number,
    madeAtS = Math.floor(atMs / 1000) - 10,
  ) => ({
    ...pay(id, atMs, 'CANTEEN1', 1_200),
    keyId,
    madeAtS,
    counter: counter % 65_536,
  });
  const t0 = fromMs + 3 * dayMs + 4 * 3_600_000;
  const ordinary = [
    // The owner's next code.
    coded('own1', t0, 'K', lastCounter + 4),
    // A code made before the last one, uploaded late by an offline till: not judged.
    coded('late', t0 + 3_600_000, 'K', lastCounter + 2, Math.floor(t0 / 1000) - 600),
    // A new phone: a new key with any counter.
    coded('newPhone', t0 + 2 * dayMs, 'K2', 12),
    coded('newPhone2', t0 + 2 * dayMs + 3_600_000, 'K2', 15),
  ];
  assert.deepEqual(detectAbnormalSpending([...life, ...ordinary], fromMs, fromMs + 10 * dayMs), []);
  // A copy of key K made days ago pays an ordinary lunch at the owner's own canteen: flagged at once.
  const copy = coded('copy1', t0 + 5 * dayMs, 'K', lastCounter - 30);
  const alerts = detectAbnormalSpending(
    [...life, ...ordinary.slice(0, 2), copy],
    fromMs,
    fromMs + 10 * dayMs,
  );
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  assert.equal(alerts[0]?.paymentId, 'copy1');
  assert.deepEqual(alerts[0]?.reasons, [
    {
      code: 'cloned_key',
      keyId: 'K',
      counter: (lastCounter - 30 + 65_536) % 65_536,
      earlierCounter: (lastCounter + 4) % 65_536,
    },
  ]);
});

test('when a planted term with stolen cards goes through the DuckDB store, then most phone and copied-code thefts are flagged within three payments (with the PIN step-up evidence)', async () => {
  // Goal: the path eval:insight measures (store payments with places → detector → score), on a small campus.
  const campus = generateCampus({ seed: 5, students: 240, firstDay: '2025-10-01', lastDay: '2025-12-31' });
  const planted = plantThefts(campus, { seed: 5, theftShare: 0.08 });
  const store = await InsightStore.open({ path: ':memory:' });
  try {
    await store.replaceMerchants(planted.merchants);
    await store.replacePlaces(planted.places);
    await store.putOperations(planted.operations);
    await store.putCodeUses(planted.codeUses);
    await store.putCardEvents(planted.cardEvents);
    const points = await store.paymentPoints(planted.fromMs - 60 * dayMs, planted.toMs);
    // The PIN step-up's evidence (the generator runs the payment path's rule): step-ups, refusals, clearings.
    const pins = await store.pinEvidence(planted.fromMs - 60 * dayMs, planted.toMs);
    assert.deepEqual(
      [...new Set(pins.map((e) => e.kind))].sort(),
      ['cleared', 'refused', 'step_up'],
      'pin evidence copied',
    );
    assert.ok(
      points.some((p) => p.merchantId === 'EAST_SHOP' && p.xM === 15_200),
      'places joined',
    );
    const score = scoreAbnormal(
      detectAbnormalSpending(points, planted.fromMs, planted.toMs, {}, pins),
      planted.thefts,
    );
    const loud = score.byKind.phone.planted + score.byKind.copy.planted;
    const loudFlagged = score.byKind.phone.flagged + score.byKind.copy.flagged;
    assert.ok(loud >= 8, `planted ${loud}`);
    assert.ok(loudFlagged / loud >= 0.7, `flagged ${loudFlagged} of ${loud}`);
    // Every copied phone is found by its key's counter, by the copy's third payment.
    assert.equal(score.byKind.copy.within3, score.byKind.copy.planted, JSON.stringify(score.byKind));
    const within3 = score.paymentsUntilFlagged.filter((n) => n <= 3).length;
    assert.ok(within3 / score.paymentsUntilFlagged.length >= 0.7, JSON.stringify(score.paymentsUntilFlagged));
    assert.ok(score.truePositives > 0 && score.falseAlarms < score.alerts, JSON.stringify(score));
    // The profiles computed in DuckDB (what the alert job and the bench use) give the same alerts as
    // the profiles the pure detector builds from every payment, over the month and over one day.
    const month = await store.abnormalInput(planted.fromMs, planted.toMs);
    const expected = detectAbnormalSpending(points, planted.fromMs, planted.toMs, {}, pins);
    assert.ok(expected.length > 5, `alerts ${expected.length}`);
    assert.ok(
      expected.some((a) => a.reasons.some((r) => r.code === 'pin_refused')),
      'a thief walked away from a prompt',
    );
    assert.deepEqual(
      detectAbnormalFromProfiles(month.profiles, month.payments, planted.fromMs, planted.toMs, {}, pins),
      expected,
    );
    // Only the cards that could be flagged under the thresholds cross into JavaScript (the store
    // prunes the others in DuckDB): the same alerts as the pure detector under other thresholds too,
    // looser and stricter, and over a window starting mid-day (part of its first day in the profile).
    const variants: Partial<AbnormalThresholds>[] = [
      { newPlacePaymentsMin: 3, highPaymentsMin: 4 },
      { amountMinFen: 500, amountProfileFactor: 0.8, rapidPaymentsMin: 3, rapidWindowMs: 30 * 60_000 },
      { burstWindowMs: 3 * 3_600_000, travelDistanceMinM: 300, travelSpeedMaxMps: 0.5 },
    ];
    for (const thresholds of variants) {
      const fromMs = planted.fromMs + 9.5 * 3_600_000;
      const input = await store.abnormalInput(fromMs, planted.toMs, thresholds);
      const pure = detectAbnormalSpending(points, fromMs, planted.toMs, thresholds, pins);
      assert.ok(pure.length > 5, `alerts ${pure.length} under ${JSON.stringify(thresholds)}`);
      assert.deepEqual(
        detectAbnormalFromProfiles(input.profiles, input.payments, fromMs, planted.toMs, thresholds, pins),
        pure,
        JSON.stringify(thresholds),
      );
    }
    // Which cards have a PIN comes with the holders (the step-up guards those cards): the switches that
    // leave rules to the step-up act on them only, the same through the store as over every payment.
    const cardNos = [...new Set(points.map((p) => p.cardNo))].sort();
    const withPin = new Set(cardNos.filter((_, i) => i % 2 === 0));
    await store.replaceHolders(
      cardNos.map((cardNo) => ({
        cardNo,
        personNo: cardNo,
        type: 'student',
        department: null,
        status: 'active',
        pinSet: withPin.has(cardNo),
      })),
    );
    const switches = { newPlacesByStepUp: true, highBurstByStepUp: true };
    const guarded = await store.abnormalInput(planted.fromMs, planted.toMs, switches);
    assert.ok(guarded.guarded.size > 0, 'cards with a PIN among those that could be flagged');
    assert.deepEqual(
      [...guarded.guarded].filter((c) => !withPin.has(c)),
      [],
    );
    const perCard = detectAbnormalSpending(points, planted.fromMs, planted.toMs, switches, pins, withPin);
    assert.deepEqual(
      detectAbnormalFromProfiles(
        guarded.profiles,
        guarded.payments,
        planted.fromMs,
        planted.toMs,
        switches,
        pins,
        guarded.guarded,
      ),
      perCard,
    );
    // The rules a card without a PIN keeps, seen without the step-up's evidence (with it, a thief's burst
    // is refused at its third payment and the spending rules have little left to flag).
    assert.ok(
      detectAbnormalSpending(points, planted.fromMs, planted.toMs, switches, [], withPin).length >
        detectAbnormalSpending(points, planted.fromMs, planted.toMs, switches, []).length,
      'the cards without a PIN kept their rules',
    );
    const theftDay = planted.thefts[0]?.startMs ?? planted.fromMs;
    const dayFrom = theftDay - (theftDay % dayMs);
    const day = await store.abnormalInput(dayFrom, dayFrom + dayMs);
    const dayCards = new Set(
      points.filter((p) => p.atMs >= dayFrom && p.atMs < dayFrom + dayMs).map((p) => p.cardNo),
    );
    assert.ok(
      day.profiles.size > 0 && day.profiles.size < dayCards.size / 4,
      `${day.profiles.size} of ${dayCards.size}`,
    );
    assert.deepEqual(
      detectAbnormalFromProfiles(day.profiles, day.payments, dayFrom, dayFrom + dayMs, {}, pins),
      detectAbnormalSpending(
        await store.paymentPoints(profileStartMs(dayFrom, 60), dayFrom + dayMs),
        dayFrom,
        dayFrom + dayMs,
        {},
        pins,
      ),
    );
    // The profiles' pieces are summaries per card and day kept by the loads: the day before loaded
    // again changes nothing; a late payment on a profile day moves that card's profile, and only it.
    const before = dayFrom - dayMs;
    await store.putOperations(planted.operations.filter((o) => Math.abs(o.createdAtMs - before) < dayMs));
    assert.deepEqual((await store.abnormalInput(dayFrom, dayFrom + dayMs)).profiles, day.profiles);
    const [cardNo, profile] = [...day.profiles][0] as [string, CardProfile];
    // A small one, so the card stays one that could be flagged (its 90th percentile can only drop).
    const late = { ...(planted.operations[0] as OperationRow), id: 'late1', cardNo, merchantId: 'SHOP9' };
    await store.putOperations([
      { ...late, amount: 100, createdAtMs: before, createdDay: shanghaiDay(before) },
    ]);
    const moved = (await store.abnormalInput(dayFrom, dayFrom + dayMs)).profiles;
    assert.equal(moved.get(cardNo)?.payments, profile.payments + 1);
    assert.deepEqual(
      new Map([...moved].filter(([c]) => c !== cardNo)),
      new Map([...day.profiles].filter(([c]) => c !== cardNo)),
    );
  } finally {
    store.close();
  }
});
