import { placeMemoryDays } from '../ledger/risk-step-up.ts';
import { dayBoundsMs, shanghaiDay } from '../time.ts';

/**
 * Abnormal spending: a stolen phone or card, or a copied pay code, seen in the card's own payments.
 * Each card is compared with its own profile (the places it paid at and the amounts it paid in the
 * profileDays whole Asia/Shanghai days before the assessed window's first day, and on that day before
 * the window), never with other students. Three rules, each tunable:
 *
 * - new_places: newPlacePaymentsMin payments or more within burstWindowMs at places the card never
 *   used, each high: above both amountMinFen and amountProfileFactor times the card's own
 *   90th-percentile payment;
 * - high_burst: highPaymentsMin high payments or more within burstWindowMs, wherever;
 * - rapid: rapidPaymentsMin payments or more within rapidWindowMs (a meal paid at two windows is two);
 * - impossible_travel: two payments at places travelDistanceMinM or more apart, closer in time than
 *   travelSpeedMaxMps allows.
 *
 * The detector reads payments in time order, as they would have arrived, and decides at each
 * payment from what came before it only; so the evaluation can say after how many of a thief's
 * payments a card is flagged. A card is flagged at most once per alertGapMs. Pure: payments in,
 * alerts out.
 */

export interface AbnormalThresholds {
  profileDays: number;
  burstWindowMs: number;
  newPlacePaymentsMin: number;
  amountMinFen: number;
  amountProfileFactor: number;
  highPaymentsMin: number;
  rapidWindowMs: number;
  rapidPaymentsMin: number;
  travelDistanceMinM: number;
  travelSpeedMaxMps: number;
  alertGapMs: number;
  /** How long a PIN prompt of a stepped-up card may wait for the right PIN before it counts as refused. */
  pinAnswerMs: number;
  /**
   * How long a prompt left without any PIN typed (no wrong PIN, no second prompt) waits for the owner
   * to come back and give the right one (an owner who forgot it pays another way and answers at their
   * next payment; the card pays nothing without the PIN meanwhile). At most pinAnswerMs: no wait.
   */
  pinLeftMs: number;
  /**
   * The payment path runs the PIN step-up (PIN_STEP_UP_PAYMENTS above 0): new_places is then left to it
   * altogether on the cards it guards (those with a PIN: the detector's `guarded`), whose refused
   * prompts are flagged instead (pin_refused); a card without a PIN keeps the rule.
   */
  newPlacesByStepUp: boolean;
  /**
   * The same for high_burst, where the step-up also asks at bursts anywhere (PIN_STEP_UP_BURST: the
   * burst's last payment is refused for the PIN, so a thief is flagged at that payment by pin_refused).
   */
  highBurstByStepUp: boolean;
}

export const abnormalDefaults: Readonly<AbnormalThresholds> = Object.freeze({
  // The step-up's memory of places is this profile: a place new to one is new to the other.
  profileDays: placeMemoryDays,
  burstWindowMs: 60 * 60_000,
  newPlacePaymentsMin: 2,
  amountMinFen: 1_500,
  amountProfileFactor: 1.2,
  highPaymentsMin: 3,
  rapidWindowMs: 10 * 60_000,
  rapidPaymentsMin: 5,
  travelDistanceMinM: 2_000,
  travelSpeedMaxMps: 15,
  alertGapMs: 24 * 3_600_000,
  pinAnswerMs: 10 * 60_000,
  pinLeftMs: 12 * 3_600_000,
  newPlacesByStepUp: false,
  highBurstByStepUp: false,
});

/** One accepted payment, with its place's position where the card centre set one (insight_places). */
export interface PaymentPoint {
  id: string;
  cardNo: string;
  atMs: number;
  merchantId: string;
  amount: number;
  xM: number | null;
  yM: number | null;
  /**
   * For a payment by QR code, the phone key that signed it (its fingerprint), the second the phone
   * made the code at and the phone's code counter (the extract's code_uses); absent otherwise.
   */
  keyId?: string | null;
  madeAtS?: number | null;
  counter?: number | null;
}

/**
 * What the payment path's PIN step-up (core/src/ledger/risk-step-up.ts) left in the journal for a card:
 * the step-up (card event pin_step_up), a payment refused for the PIN (PIN_REQUIRED, PIN_INVALID), and
 * the right PIN given (card event pin_step_up_cleared). InsightStore.pinEvidence reads them.
 */
export interface PinEvent {
  cardNo: string;
  /** The card event's or the refused operation's id. */
  id: string;
  atMs: number;
  kind: 'step_up' | 'refused' | 'cleared';
}

export type AbnormalReason =
  | { code: 'new_places'; payments: number; amountFen: number; ownP90Fen: number }
  | { code: 'high_burst'; payments: number; amountFen: number; ownP90Fen: number }
  | { code: 'rapid'; payments: number; minutes: number }
  | { code: 'cloned_key'; keyId: string; counter: number; earlierCounter: number }
  | { code: 'pin_refused'; prompts: number; stepUpAtMs: number; refusedAtMs: number }
  | {
      code: 'impossible_travel';
      distanceM: number;
      minutes: number;
      fromMerchant: string;
      toMerchant: string;
    };

export interface AbnormalAlert {
  cardNo: string;
  /** The payment at which the card was flagged, and when. */
  paymentId: string;
  atMs: number;
  reasons: AbnormalReason[];
  /** The payments that make up the evidence, oldest first. */
  evidence: { id: string; atMs: number; merchantId: string; amount: number }[];
}

const dayMs = 86_400_000;

function percentile90(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] as number;
}

/**
 * What a card's payments before the assessed window say about it: how many there were, the places,
 * the 90th-percentile payment, and the last one (for the travel rule at the window's first payment).
 * InsightStore.abnormalInput computes the same from the summaries per card and day.
 */
export interface CardProfile {
  payments: number;
  known: readonly string[];
  ownP90: number;
  last: PaymentPoint | undefined;
  /** Per phone key, the code made last (its second and counter). */
  keys: ReadonlyMap<string, KeyUse>;
}

export interface KeyUse {
  madeAtS: number;
  counter: number;
}

export const emptyProfile: Readonly<CardProfile> = Object.freeze({
  payments: 0,
  known: [],
  ownP90: 0,
  last: undefined,
  keys: new Map(),
});

/** The profile of payments in time order. */
export function profileOf(payments: readonly PaymentPoint[]): CardProfile {
  const keys = new Map<string, KeyUse>();
  for (const p of payments) noteKey(keys, p);
  return {
    payments: payments.length,
    known: [...new Set(payments.map((p) => p.merchantId))],
    ownP90: percentile90(payments.map((p) => p.amount)),
    last: payments.at(-1),
    keys,
  };
}

/** Remembers a QR payment's code when it was made after every earlier one of its key. */
function noteKey(keys: Map<string, KeyUse>, p: PaymentPoint): void {
  if (!p.keyId || p.madeAtS == null || p.counter == null) return;
  const last = keys.get(p.keyId);
  if (!last || p.madeAtS > last.madeAtS) keys.set(p.keyId, { madeAtS: p.madeAtS, counter: p.counter });
}

/** The phone counts its codes (16 bits, wrapping): whether `counter` comes after `earlier`. */
const counterAhead = (counter: number, earlier: number) => {
  const step = (counter - earlier + 65_536) % 65_536;
  return step > 0 && step < 32_768;
};

/** Where the profile of a window starting at fromMs begins: profileDays days before fromMs's day. */
export const profileStartMs = (fromMs: number, profileDays: number) =>
  dayBoundsMs(shanghaiDay(fromMs)).startMs - profileDays * dayMs;

/**
 * The alerts raised over payments in [fromMs, toMs). `payments` holds those and the card's earlier
 * ones back to profileStartMs (what InsightStore.paymentPoints answers), in any order. `guarded`: the
 * cards the payment path's step-up guards (a PIN set), where newPlacesByStepUp and highBurstByStepUp
 * apply; undefined: every card (the synthetic campus, where every card has a PIN).
 */
export function detectAbnormalSpending(
  payments: readonly PaymentPoint[],
  fromMs: number,
  toMs: number,
  thresholds: Partial<AbnormalThresholds> = {},
  pins: readonly PinEvent[] = [],
  guarded?: ReadonlySet<string>,
): AbnormalAlert[] {
  const t = { ...abnormalDefaults, ...thresholds };
  const byCard = groupByCard(payments, profileStartMs(fromMs, t.profileDays), toMs);
  const pinsByCard = groupPins(pins, toMs);
  const alerts: AbnormalAlert[] = [];
  for (const cardNo of new Set([...byCard.keys(), ...pinsByCard.keys()])) {
    const list = (byCard.get(cardNo) ?? []).sort(byTime);
    const start = list.findIndex((p) => p.atMs >= fromMs);
    const window = start < 0 ? [] : list.slice(start);
    const profile = profileOf(start < 0 ? list : list.slice(0, start));
    const tc = stepUpThresholds(t, guarded, cardNo);
    alerts.push(...detectCard(profile, window, tc, pinsByCard.get(cardNo) ?? [], fromMs, toMs));
  }
  return alerts.sort(byAlert);
}

/**
 * The same alerts from each card's profile (InsightStore.abnormalInput) and the window's payments
 * only: what the alert job and the pages use, so a day's assessment does not read months of rows.
 * `guarded` as for detectAbnormalSpending (InsightStore.abnormalInput answers it).
 */
export function detectAbnormalFromProfiles(
  profiles: ReadonlyMap<string, CardProfile>,
  payments: readonly PaymentPoint[],
  fromMs: number,
  toMs: number,
  thresholds: Partial<AbnormalThresholds> = {},
  pins: readonly PinEvent[] = [],
  guarded?: ReadonlySet<string>,
): AbnormalAlert[] {
  const t = { ...abnormalDefaults, ...thresholds };
  const byCard = groupByCard(payments, fromMs, toMs);
  const pinsByCard = groupPins(pins, toMs);
  const alerts: AbnormalAlert[] = [];
  for (const cardNo of new Set([...byCard.keys(), ...pinsByCard.keys()])) {
    const list = (byCard.get(cardNo) ?? []).sort(byTime);
    const cardPins = pinsByCard.get(cardNo) ?? [];
    const tc = stepUpThresholds(t, guarded, cardNo);
    alerts.push(...detectCard(profiles.get(cardNo) ?? emptyProfile, list, tc, cardPins, fromMs, toMs));
  }
  return alerts.sort(byAlert);
}

/** A card the step-up does not guard (no PIN) keeps every spending rule. */
const stepUpThresholds = (
  t: AbnormalThresholds,
  guarded: ReadonlySet<string> | undefined,
  cardNo: string,
): AbnormalThresholds =>
  guarded === undefined || guarded.has(cardNo) || !(t.newPlacesByStepUp || t.highBurstByStepUp)
    ? t
    : { ...t, newPlacesByStepUp: false, highBurstByStepUp: false };

/** The PIN events before toMs by card, in time order. */
function groupPins(pins: readonly PinEvent[], toMs: number): Map<string, PinEvent[]> {
  const byCard = new Map<string, PinEvent[]>();
  for (const e of pins) {
    if (e.atMs >= toMs) continue;
    const list = byCard.get(e.cardNo);
    if (list) list.push(e);
    else byCard.set(e.cardNo, [e]);
  }
  // A burst's step-up is written at the same instant as the refusal that asked for the PIN: it comes first.
  const rank = { step_up: 0, refused: 1, cleared: 2 } as const;
  for (const list of byCard.values())
    list.sort((a, b) => a.atMs - b.atMs || rank[a.kind] - rank[b.kind] || a.id.localeCompare(b.id));
  return byCard;
}

/** The payments in [fromMs, toMs) by card. */
function groupByCard(
  payments: readonly PaymentPoint[],
  fromMs: number,
  toMs: number,
): Map<string, PaymentPoint[]> {
  const byCard = new Map<string, PaymentPoint[]>();
  for (const p of payments) {
    if (p.atMs >= toMs || p.atMs < fromMs) continue;
    const list = byCard.get(p.cardNo);
    if (list) list.push(p);
    else byCard.set(p.cardNo, [p]);
  }
  return byCard;
}

const byTime = (a: PaymentPoint, b: PaymentPoint) => a.atMs - b.atMs || a.id.localeCompare(b.id);
const byAlert = (a: AbnormalAlert, b: AbnormalAlert) => a.atMs - b.atMs || a.cardNo.localeCompare(b.cardNo);

/**
 * One card's alerts over its window's payments (time order), each judged from what came before it,
 * and from the PIN step-up's events (time order) where the payment path asked for the PIN:
 * - new_places is left to the payment path when it stepped the card up within burstWindowMs before
 *   the payment (the next payment needs the PIN, and the answer to that prompt is the better
 *   evidence), and no spending rule (new_places, high_burst, rapid) fires when the right PIN was given
 *   within that time: the owner was paying;
 * - pin_refused: a payment of the stepped-up card refused for the PIN, and the right PIN not given
 *   within pinAnswerMs (the owner types it at the till; a thief walks away or guesses). Decided, and
 *   dated, when that time is up; a prompt whose time is not up by toMs is left to a later run.
 */
function detectCard(
  profile: CardProfile,
  list: PaymentPoint[],
  t: AbnormalThresholds,
  pins: readonly PinEvent[],
  fromMs: number,
  toMs: number,
): AbnormalAlert[] {
  // A card with no history has no profile to differ from: new_places waits for one.
  const hasProfile = profile.payments > 0;
  const known = new Set(profile.known);
  const keys = new Map(profile.keys);
  const ownP90 = profile.ownP90;
  const amountGate = Math.max(t.amountMinFen, Math.round(ownP90 * t.amountProfileFactor));
  const candidates: AbnormalAlert[] = [];
  let settled = 0;
  // The payment path stepped the card up, or its owner gave the right PIN, within the burst.
  const within = (atMs: number, kinds: readonly PinEvent['kind'][]) =>
    pins.some((e) => kinds.includes(e.kind) && e.atMs <= atMs && e.atMs >= atMs - t.burstWindowMs);
  for (let i = 0; i < list.length; i++) {
    const p = list[i] as PaymentPoint;
    // A place becomes known once its payment lies outside the burst window: a thief's first shop
    // does not make the second one familiar.
    for (; settled < i && (list[settled] as PaymentPoint).atMs < p.atMs - t.burstWindowMs; settled++)
      known.add((list[settled] as PaymentPoint).merchantId);
    const reasons: AbnormalReason[] = [];
    const evidence = new Set<PaymentPoint>();

    if (hasProfile && p.amount >= amountGate) {
      const high: PaymentPoint[] = [];
      for (let j = i; j >= 0 && p.atMs - (list[j] as PaymentPoint).atMs <= t.burstWindowMs; j--) {
        const q = list[j] as PaymentPoint;
        if (q.amount >= amountGate) high.push(q);
      }
      const burst = high.filter((q) => !known.has(q.merchantId));
      // new_places is what the step-up watches for: once it stepped the card up, its prompt decides.
      // The right PIN in the burst answers every spending rule: the owner was paying.
      const owner = within(p.atMs, ['cleared']);
      const leftToStepUp = owner || t.newPlacesByStepUp || within(p.atMs, ['step_up']);
      if (!leftToStepUp && burst.length >= t.newPlacePaymentsMin && !known.has(p.merchantId)) {
        reasons.push({
          code: 'new_places',
          payments: burst.length,
          amountFen: burst.reduce((n, q) => n + q.amount, 0),
          ownP90Fen: ownP90,
        });
        for (const q of burst) evidence.add(q);
      } else if (
        !owner &&
        !t.highBurstByStepUp &&
        !(t.newPlacesByStepUp && within(p.atMs, ['step_up'])) &&
        high.length >= t.highPaymentsMin
      ) {
        reasons.push({
          code: 'high_burst',
          payments: high.length,
          amountFen: high.reduce((n, q) => n + q.amount, 0),
          ownP90Fen: ownP90,
        });
        for (const q of high) evidence.add(q);
      }
    }

    const rapid: PaymentPoint[] = [];
    for (let j = i; j >= 0 && p.atMs - (list[j] as PaymentPoint).atMs <= t.rapidWindowMs; j--)
      rapid.push(list[j] as PaymentPoint);
    if (rapid.length >= t.rapidPaymentsMin && !within(p.atMs, ['cleared'])) {
      const first = rapid.at(-1) as PaymentPoint;
      reasons.push({
        code: 'rapid',
        payments: rapid.length,
        minutes: Math.round((p.atMs - first.atMs) / 60_000),
      });
      for (const q of rapid) evidence.add(q);
    }

    const before = i === 0 ? profile.last : list[i - 1];
    if (before && p.xM !== null && p.yM !== null && before.xM !== null && before.yM !== null) {
      const distanceM = Math.hypot(p.xM - before.xM, p.yM - before.yM);
      const seconds = Math.max(1, (p.atMs - before.atMs) / 1_000);
      if (distanceM >= t.travelDistanceMinM && distanceM / seconds > t.travelSpeedMaxMps) {
        reasons.push({
          code: 'impossible_travel',
          distanceM: Math.round(distanceM),
          minutes: Math.round(seconds / 60),
          fromMerchant: before.merchantId,
          toMerchant: p.merchantId,
        });
        evidence.add(before);
        evidence.add(p);
      }
    }

    // A phone makes its codes with a rising counter: a code made later than the key's last one but
    // with a counter not past it was made by a second device holding the same key (a copied phone).
    const earlier = p.keyId ? keys.get(p.keyId) : undefined;
    if (
      earlier &&
      p.keyId &&
      p.madeAtS != null &&
      p.counter != null &&
      p.madeAtS > earlier.madeAtS &&
      !counterAhead(p.counter, earlier.counter)
    ) {
      reasons.push({
        code: 'cloned_key',
        keyId: p.keyId,
        counter: p.counter,
        earlierCounter: earlier.counter,
      });
      evidence.add(p);
    }
    noteKey(keys, p);

    if (reasons.length > 0) {
      candidates.push({
        cardNo: p.cardNo,
        paymentId: p.id,
        atMs: p.atMs,
        reasons,
        evidence: [...evidence]
          .sort((a, b) => a.atMs - b.atMs)
          .map((q) => ({ id: q.id, atMs: q.atMs, merchantId: q.merchantId, amount: q.amount })),
      });
    }
  }
  candidates.push(...pinRefusals(t, pins, fromMs, toMs));
  candidates.sort((a, b) => a.atMs - b.atMs || a.paymentId.localeCompare(b.paymentId));
  const alerts: AbnormalAlert[] = [];
  let lastAlertMs = Number.NEGATIVE_INFINITY;
  for (const a of candidates) {
    if (a.atMs - lastAlertMs < t.alertGapMs) continue;
    lastAlertMs = a.atMs;
    alerts.push(a);
  }
  return alerts;
}

/**
 * The pin_refused alerts of one card (see detectCard): prompts in [fromMs, toMs) left unanswered, at
 * most one per step-up (the card stays stepped up until the right PIN: later prompts of the same
 * step-up tell the student nothing new). A prompt answered with a wrong PIN, or followed by another
 * prompt, is decided pinAnswerMs after its last refusal; one simply left, after pinLeftMs.
 */
function pinRefusals(
  t: AbnormalThresholds,
  pins: readonly PinEvent[],
  fromMs: number,
  toMs: number,
): AbnormalAlert[] {
  const alerts: AbnormalAlert[] = [];
  let stepUpAtMs: number | null = null;
  let alertedStepUpAtMs: number | null = null;
  let decidedUntilMs = Number.NEGATIVE_INFINITY;
  const leftMs = Math.max(t.pinAnswerMs, t.pinLeftMs);
  for (let i = 0; i < pins.length; i++) {
    const e = pins[i] as PinEvent;
    if (e.kind === 'step_up') stepUpAtMs = e.atMs;
    else if (e.kind === 'cleared') stepUpAtMs = null;
    // Prompts before the window are decided too (not told again): a step-up told once is not told twice.
    if (e.kind !== 'refused' || stepUpAtMs === null || e.atMs <= decidedUntilMs) continue;
    if (stepUpAtMs === alertedStepUpAtMs) continue;
    const later = pins.slice(i + 1);
    // Wrong PINs typed at this prompt; else the next prompt of the card while it waits for its owner.
    const guesses = later.filter((f) => f.kind === 'refused' && f.atMs <= e.atMs + t.pinAnswerMs).length;
    const again = later.find((f) => f.kind === 'refused' && f.atMs <= e.atMs + leftMs);
    const prompts = 1 + (guesses > 0 ? guesses : again ? 1 : 0);
    const untilMs =
      guesses > 0 ? e.atMs + t.pinAnswerMs : again ? again.atMs + t.pinAnswerMs : e.atMs + leftMs;
    if (untilMs >= toMs) break;
    decidedUntilMs = untilMs;
    if (later.some((f) => f.kind === 'cleared' && f.atMs <= untilMs)) continue;
    alertedStepUpAtMs = stepUpAtMs;
    if (e.atMs < fromMs) continue;
    alerts.push({
      cardNo: e.cardNo,
      paymentId: e.id,
      atMs: untilMs,
      reasons: [{ code: 'pin_refused', prompts, stepUpAtMs, refusedAtMs: e.atMs }],
      // The payments that stepped the card up may lie before the window (and the store passes only the
      // cards a spending rule could flag): the reason names the step-up's time instead.
      evidence: [],
    });
  }
  return alerts;
}
