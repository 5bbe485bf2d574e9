import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectAbnormalSpending, type PaymentPoint, type PinEvent } from './abnormal-spending.ts';

// The detector with the PIN step-up's evidence (abnormal-spending.ts detectCard): the spending rules
// leave a stepped-up card to its PIN prompt, and a prompt left without the right PIN is flagged.

const minute = 60_000;
const fromMs = Date.UTC(2026, 10, 10, 0, 0);
const toMs = fromMs + 86_400_000;
const card = '800000000001';
let serial = 0;
const pay = (atMs: number, merchantId: string, amount: number): PaymentPoint => ({
  id: `p${++serial}`,
  cardNo: card,
  atMs,
  merchantId,
  amount,
  xM: null,
  yM: null,
});
const pin = (atMs: number, kind: PinEvent['kind']): PinEvent => ({
  cardNo: card,
  id: `e${++serial}`,
  atMs,
  kind,
});

// A profile: a week of lunches at the canteen before the day assessed.
const profile = Array.from({ length: 7 }, (_, d) => pay(fromMs - (d + 1) * 86_400_000, 'CANTEEN1', 1_200));
const t0 = fromMs + 14 * 60 * minute;
const trip = [pay(t0, 'SHOP2', 2_500), pay(t0 + 10 * minute, 'CAFE1', 2_600)];

test('when two payments at new places stepped the card up, then new_places is left to the PIN prompt and no alert comes without one', () => {
  // Goal: without the step-up this burst is a new_places alert; with it, the prompt decides.
  assert.deepEqual(
    detectAbnormalSpending([...profile, ...trip], fromMs, toMs).map((a) => a.reasons[0]?.code),
    ['new_places'],
  );
  assert.deepEqual(
    detectAbnormalSpending([...profile, ...trip], fromMs, toMs, {}, [pin(t0 + 10 * minute, 'step_up')]),
    [],
  );
});

test('when the owner types the right PIN at the prompt (after a wrong one), then nothing is flagged; when nobody does within 10 minutes, then pin_refused at the refused payment', () => {
  // Goal: the right PIN is the owner's evidence; a prompt walked away from is a thief's.
  const stepUp = pin(t0 + 10 * minute, 'step_up');
  const asked = pin(t0 + 20 * minute, 'refused');
  const owner = [stepUp, asked, pin(t0 + 20 * minute + 15_000, 'refused'), pin(t0 + 21 * minute, 'cleared')];
  const next = pay(t0 + 21 * minute, 'SHOP3', 2_000);
  assert.deepEqual(detectAbnormalSpending([...profile, ...trip, next], fromMs, toMs, {}, owner), []);
  const thief = [stepUp, asked, pin(t0 + 20 * minute + 20_000, 'refused')];
  const alerts = detectAbnormalSpending([...profile, ...trip], fromMs, toMs, {}, thief);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.paymentId, asked.id);
  assert.equal(alerts[0]?.atMs, asked.atMs + 10 * minute, 'decided when the answer time is up');
  assert.deepEqual(alerts[0]?.reasons, [
    { code: 'pin_refused', prompts: 2, stepUpAtMs: stepUp.atMs, refusedAtMs: asked.atMs },
  ]);
  // A prompt whose answer time is not up by the window's end is left to a later run.
  assert.deepEqual(
    detectAbnormalSpending([...profile, ...trip], fromMs, asked.atMs + 5 * minute, {}, thief),
    [],
  );
});

test('when a payment is refused for the PIN on a card that is not stepped up (above the PIN-free limit), then it is no evidence', () => {
  // Goal: only prompts the step-up asked for count; a large purchase abandoned is not a theft.
  assert.deepEqual(detectAbnormalSpending(profile, fromMs, toMs, {}, [pin(t0, 'refused')]), []);
});

test('when new_places is left to the step-up, then only the cards the step-up guards (with a PIN) give it up; a card without a PIN keeps it', () => {
  // Goal: the switches act per card (InsightStore.abnormalInput's guarded), never on a card the payment path cannot ask.
  const switches = { newPlacesByStepUp: true };
  const codes = (guarded?: ReadonlySet<string>) =>
    detectAbnormalSpending([...profile, ...trip], fromMs, toMs, switches, [], guarded).map(
      (a) => a.reasons[0]?.code,
    );
  assert.deepEqual(codes(new Set()), ['new_places'], 'no PIN: the rule stays');
  assert.deepEqual(codes(new Set([card])), [], 'a PIN: the step-up decides');
  assert.deepEqual(codes(), [], 'no set given: every card has a PIN (the synthetic campus)');
});

test('when a prompt is left without any PIN typed, then it waits pinLeftMs for the owner: answered within it, nothing; else pin_refused then; another prompt meanwhile decides 10 minutes after it', () => {
  // Goal: an owner who walked away and paid with the PIN later is no alarm; a card asked again and again is.
  const hour = 60 * minute;
  const stepUp = pin(t0 + 10 * minute, 'step_up');
  const left = pin(t0 + 20 * minute, 'refused');
  const codes = (pins: PinEvent[], t = {}) =>
    detectAbnormalSpending([...profile, ...trip], fromMs, toMs + 86_400_000, t, pins).map((a) => [
      a.reasons[0]?.code,
      a.atMs,
    ]);
  assert.deepEqual(codes([stepUp, left, pin(left.atMs + 4 * hour, 'cleared')]), [], 'the owner came back');
  assert.deepEqual(codes([stepUp, left]), [['pin_refused', left.atMs + 12 * hour]]);
  assert.deepEqual(
    codes([stepUp, left], { pinLeftMs: 0 }),
    [['pin_refused', left.atMs + 10 * minute]],
    'no wait',
  );
  const again = pin(left.atMs + 2 * hour, 'refused');
  assert.deepEqual(codes([stepUp, left, again]), [['pin_refused', again.atMs + 10 * minute]]);
  // Not decided before the wait is up: left to a later run.
  assert.deepEqual(
    detectAbnormalSpending([...profile, ...trip], fromMs, left.atMs + 11 * hour, {}, [stepUp, left]),
    [],
  );
});

test('when a stepped-up card is refused again days after its alert, then the same step-up is not flagged twice', () => {
  // Goal: one alert per step-up; the card needs its PIN until the owner gives it, later prompts say nothing new.
  const stepUp = pin(t0 - 3 * 86_400_000, 'step_up');
  const first = [stepUp, pin(stepUp.atMs + minute, 'refused'), pin(stepUp.atMs + minute + 20_000, 'refused')];
  const later = [pin(t0, 'refused'), pin(t0 + 20_000, 'refused')];
  assert.deepEqual(detectAbnormalSpending(profile, fromMs, toMs, {}, [...first, ...later]), []);
  assert.equal(detectAbnormalSpending(profile, fromMs, toMs, {}, [stepUp, ...later]).length, 1);
});
