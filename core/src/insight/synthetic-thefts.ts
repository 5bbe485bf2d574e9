import {
  afterPayment,
  burstAsksPin,
  isNewPlace,
  type PlaceSeen,
  pinStepUpOn,
  placeAfterPayment,
  type RiskState,
  riskClear,
  type StepUpRule,
  steppedUpAt,
  stepUpDefaults,
} from '../ledger/risk-step-up.ts';
import { dayBoundsMs, monthKeyRangeMs, shanghaiDay } from '../time.ts';
import type { AbnormalAlert } from './abnormal-spending.ts';
import type { CardEventRow, CodeUseRow, MerchantRow, OperationRow, PlaceRow } from './insight-store.ts';
import { random, type SyntheticCampus } from './synthetic-campus.ts';

/**
 * Stolen cards planted into a synthetic term (synthetic-campus.ts), with the harmless oddities that
 * make false alarms: the abnormal-spending detector's evaluation (`npm run eval:insight`).
 *
 * Places: the main campus (canteens, shops, a café, a supermarket, showers within about a kilometre)
 * and an east campus 15 km away. Harmless oddities, for every student over the whole term:
 * - now and then one payment at a shop, the café or the supermarket they had not used (1.5 % of days);
 * - a shopping trip: two or three payments at such places within 40 minutes (0.2 % of days);
 * - a weekly class at the east campus for 3 % of students, lunch there by shuttle.
 * Thefts, in the term's last month (the months before are each card's profile), of three kinds:
 * - phone (50 %): the phone with the pay code is taken; the owner stops paying and the thief spends
 *   3–8 times at shops 2–15 minutes apart, 18–49.90 yuan each (under the PIN-free limit);
 * - copy (30 %): the code is copied and used at the east campus while the owner keeps paying;
 * - careful (20 %): meal-sized payments at the owner's own canteens hours apart. Made to be missed:
 *   what no rule should catch, so the recall reported is not flattered.
 * The pay codes, as the ledger's code_uses holds them (docs/ledger.md): 90 % of payments are QR codes,
 * signed by the phone's key with the phone's rising 16-bit code counter (one to four codes made per
 * code used: the page refreshes while it is open), the rest numeric codes (no key). 2 % of students
 * change phones during the term (a new key, a new counter). A phone thief pays with the owner's phone
 * (the same key and counter); a copier with a second device holding a copy of the owner's key and
 * counter as they were 1–20 days before (a backup restored, malware): its counter runs on from there
 * while the owner's phone keeps counting.
 * The payment path's PIN step-up (core/src/ledger/risk-step-up.ts, the same rule), unless switched off
 * (`stepUp: null`): every card has a PIN. When a card is stepped up, its next payment is refused
 * PIN_REQUIRED (a burst's last high payment, when the rule asks at bursts, is refused itself) and then,
 * by its own random stream:
 * - the owner types the PIN and pays (a wrong PIN first in `ownerMistype` of cases), or in
 *   `ownerWalkAway` of cases leaves without paying (forgot the PIN, paid another way) and is asked
 *   again at their next payment;
 * - a thief does not know it: half walk away at once, half try one to three wrong PINs first; either
 *   way the thief pays no more with that card.
 * The refusals are operations with those outcomes, the step-ups and their clearing card events, as
 * the ledger writes them.
 */

export type TheftKind = 'phone' | 'copy' | 'careful';

export interface PlantedTheft {
  cardNo: string;
  kind: TheftKind;
  startMs: number;
  /** The thief's payments, oldest first, and when each was made (a payment refused for the PIN is one). */
  paymentIds: string[];
  paymentAtMs: number[];
}

export interface TheftCampus {
  merchants: MerchantRow[];
  places: PlaceRow[];
  operations: OperationRow[];
  /** The pay code each payment consumed. */
  codeUses: CodeUseRow[];
  /** The PIN step-up's card events (pin_step_up, pin_step_up_cleared). */
  cardEvents: CardEventRow[];
  thefts: PlantedTheft[];
  /** The assessed month (the term's last) as [fromMs, toMs). */
  fromMs: number;
  toMs: number;
}

export interface TheftOptions {
  seed: number;
  /** Share of students whose card is stolen in the assessed month. */
  theftShare: number;
  /** The payment path's PIN step-up; null: none (the journal as it was before it). */
  stepUp: StepUpRule | null;
  /** Of the owners asked for the PIN, how many leave without paying, and how many type a wrong one first. */
  ownerWalkAway: number;
  ownerMistype: number;
}

const minuteMs = 60_000;
const hourMs = 3_600_000;

const extraMerchants: MerchantRow[] = [
  { id: 'SHOP2', category: 'shop' },
  { id: 'SHOP3', category: 'shop' },
  { id: 'CAFE1', category: 'shop' },
  { id: 'MARKET1', category: 'shop' },
  { id: 'EAST_CANTEEN', category: 'canteen' },
  { id: 'EAST_SHOP', category: 'shop' },
];

const places: PlaceRow[] = [
  { merchantId: 'CANTEEN1', site: '主校区', xM: 0, yM: 0 },
  { merchantId: 'CANTEEN2', site: '主校区', xM: 600, yM: 200 },
  { merchantId: 'CANTEEN3', site: '主校区', xM: 300, yM: 700 },
  { merchantId: 'SHOP1', site: '主校区', xM: 400, yM: 300 },
  { merchantId: 'SHOWER1', site: '主校区', xM: 800, yM: 800 },
  { merchantId: 'SHOP2', site: '主校区', xM: 900, yM: 100 },
  { merchantId: 'SHOP3', site: '主校区', xM: 200, yM: 900 },
  { merchantId: 'CAFE1', site: '主校区', xM: 500, yM: 500 },
  { merchantId: 'MARKET1', site: '主校区', xM: 1_000, yM: 600 },
  { merchantId: 'EAST_CANTEEN', site: '东校区', xM: 15_000, yM: 2_000 },
  { merchantId: 'EAST_SHOP', site: '东校区', xM: 15_200, yM: 2_100 },
];

const rareShops = ['SHOP2', 'SHOP3', 'CAFE1', 'MARKET1'];
const thiefShops = ['SHOP1', 'SHOP2', 'SHOP3', 'CAFE1', 'MARKET1'];

export function plantThefts(campus: SyntheticCampus, options: Partial<TheftOptions> = {}): TheftCampus {
  const o = {
    seed: 1,
    theftShare: 0.03,
    stepUp: stepUpDefaults as StepUpRule | null,
    ownerWalkAway: 0.02,
    ownerMistype: 0.05,
    ...options,
  };
  const rnd = random(o.seed ^ 0x5eed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)] as T;
  const range = monthKeyRangeMs(campus.months.at(-1) as string) as { fromMs: number; toMs: number };
  let serial = 0;
  const pay = (cardNo: string, merchantId: string, amount: number, at: number): OperationRow => {
    serial += 1;
    const atMs = Math.round(at);
    return {
      id: `n${serial}`,
      kind: 'payment',
      outcome: 'ok',
      cardNo,
      merchantId,
      deviceId: null,
      amount: Math.round(amount),
      subsidyAmount: 0,
      createdDay: shanghaiDay(atMs),
      createdAtMs: atMs,
    };
  };

  const byCard = new Map<string, OperationRow[]>();
  for (const row of campus.operations) {
    const list = byCard.get(row.cardNo as string);
    if (list) list.push(row);
    else byCard.set(row.cardNo as string, [row]);
  }
  const operations: OperationRow[] = [];
  const cardEvents: CardEventRow[] = [];
  const thefts: PlantedTheft[] = [];
  // The PIN prompts draw from their own stream too.
  const pinRnd = random(o.seed ^ 0x9119);
  const refusal = (r: OperationRow, outcome: 'PIN_REQUIRED' | 'PIN_INVALID', atMs: number): OperationRow => {
    serial += 1;
    return { ...r, id: `n${serial}`, outcome, createdAtMs: atMs, createdDay: shanghaiDay(atMs) };
  };
  /**
   * One card's payments in time order under the step-up (see the header): the payments accepted, the
   * refusals, the card events, and the thief's payment refused for the PIN (if any).
   */
  const stepUpCard = (
    cardNo: string,
    rows: readonly OperationRow[],
    thiefIds: ReadonlySet<string>,
    rule: StepUpRule,
  ) => {
    let state: RiskState = { ...riskClear };
    // The card's places as the ledger keeps them (card_places: the last payment, written once a day).
    const places = new Map<string, PlaceSeen>();
    const accepted: OperationRow[] = [];
    const refused: OperationRow[] = [];
    const events: CardEventRow[] = [];
    let thiefRefused: OperationRow | undefined;
    const event = (kind: string, atMs: number) => {
      serial += 1;
      events.push({
        id: `e${serial}`,
        cardNo,
        kind,
        fromStatus: 'active',
        toStatus: 'active',
        actorType: kind === 'pin_step_up' ? 'system' : 'self',
        createdAtMs: atMs,
      });
    };
    for (const r of rows) {
      const isThief = thiefIds.has(r.id);
      if (isThief && thiefRefused) continue;
      let withPin = false;
      // A burst's last high payment asks for the PIN itself (as the ledger: stepped up as it is asked).
      if (burstAsksPin(state, { atMs: r.createdAtMs, amount: r.amount }, rule)) {
        const askedAtMs = isThief ? r.createdAtMs : r.createdAtMs - 30_000;
        state = steppedUpAt(askedAtMs);
        event('pin_step_up', askedAtMs);
      }
      if (pinStepUpOn(state)) {
        if (isThief) {
          thiefRefused = refusal(r, 'PIN_REQUIRED', r.createdAtMs);
          refused.push(thiefRefused);
          const guesses = pinRnd() < 0.5 ? 0 : 1 + Math.floor(pinRnd() * 3);
          for (let k = 1; k <= guesses; k++)
            refused.push(refusal(r, 'PIN_INVALID', r.createdAtMs + k * 20_000));
          continue;
        }
        const roll = pinRnd();
        refused.push(refusal(r, 'PIN_REQUIRED', r.createdAtMs - 30_000));
        if (roll < o.ownerWalkAway) continue;
        if (roll < o.ownerWalkAway + o.ownerMistype)
          refused.push(refusal(r, 'PIN_INVALID', r.createdAtMs - 15_000));
        withPin = true;
      }
      const place = r.merchantId as string;
      const newPlace = accepted.length > 0 && isNewPlace(places.get(place), r.createdAtMs, rule.windowMs);
      const seen = afterPayment(state, { atMs: r.createdAtMs, amount: r.amount, newPlace, withPin }, rule);
      state = seen.state;
      if (seen.steppedUp) event('pin_step_up', r.createdAtMs);
      if (seen.cleared) event('pin_step_up_cleared', r.createdAtMs);
      const placeNow = placeAfterPayment(places.get(place), r.createdAtMs, accepted.length === 0);
      if (placeNow) places.set(place, placeNow);
      accepted.push(r);
    }
    return { accepted, refused, events, thiefRefused };
  };
  const codeUses: CodeUseRow[] = [];
  const copied = new Map<string, { ids: Set<string>; startMs: number }>();
  // The codes draw from their own stream, so the payments planted are the same with or without them.
  const codeRnd = random(o.seed ^ 0xc0de);
  const codeBetween = (lo: number, hi: number) => lo + (hi - lo) * codeRnd();
  /** One card's payments in time order → the code each consumed (see the header). */
  const codesOf = (cardNo: string, rows: readonly OperationRow[]): CodeUseRow[] => {
    const changeMs =
      codeRnd() < 0.02 ? codeBetween(range.fromMs - 60 * 86_400_000, range.toMs) : Number.POSITIVE_INFINITY;
    let owner = { key: `${cardNo}a`, counter: Math.floor(codeRnd() * 65_536) };
    const history: { atMs: number; key: string; counter: number }[] = [];
    const copy = copied.get(cardNo);
    let thief: { key: string; counter: number } | undefined;
    const uses: CodeUseRow[] = [];
    for (const r of rows) {
      if (r.createdAtMs >= changeMs && owner.key.endsWith('a'))
        owner = { key: `${cardNo}b`, counter: Math.floor(codeRnd() * 65_536) };
      const isThief = copy?.ids.has(r.id) === true;
      if (isThief && thief === undefined) {
        const snapMs = (copy?.startMs ?? 0) - codeBetween(1, 20) * 86_400_000;
        const before = history.filter((h) => h.atMs < snapMs).at(-1);
        thief = { key: before?.key ?? owner.key, counter: before?.counter ?? owner.counter };
      }
      const device = isThief ? (thief as { key: string; counter: number }) : owner;
      device.counter = (device.counter + 1 + Math.floor(codeRnd() * 4)) % 65_536;
      if (!isThief) history.push({ atMs: r.createdAtMs, key: device.key, counter: device.counter });
      const qr = codeRnd() < 0.9;
      uses.push({
        operationId: r.id,
        cardNo,
        kind: qr ? 'qr' : 'num',
        keyId: qr ? device.key : null,
        madeAtS: qr ? Math.floor((r.createdAtMs - codeBetween(2_000, 50_000)) / 1_000) : null,
        counter: qr ? device.counter : null,
        usedAtMs: r.createdAtMs,
      });
    }
    return uses;
  };
  for (const s of campus.students) {
    const own = (byCard.get(s.cardNo) ?? []).sort((a, b) => a.createdAtMs - b.createdAtMs);
    const days = [...new Set(own.map((r) => r.createdDay))];
    const extra: OperationRow[] = [];
    const eastClass = rnd() < 0.03;
    const away: [number, number][] = [];
    for (const day of days) {
      const noonMs = dayBoundsMs(day).startMs + 12 * hourMs;
      if (rnd() < 0.015)
        extra.push(pay(s.cardNo, pick(rareShops), between(300, 3_500), noonMs + between(1, 8) * hourMs));
      if (rnd() < 0.002) {
        let at = noonMs + between(1, 7) * hourMs;
        const stops = rnd() < 0.5 ? 2 : 3;
        for (let k = 0; k < stops; k++) {
          extra.push(pay(s.cardNo, pick(rareShops), between(500, 4_000), at));
          at += between(5, 20) * minuteMs;
        }
      }
      // Wednesdays (1970-01-01 was a Thursday) at the east campus from 10:00 to 16:00: lunch there.
      if (eastClass && (day + 4) % 7 === 3) {
        away.push([noonMs - 2 * hourMs, noonMs + 4 * hourMs]);
        extra.push(pay(s.cardNo, 'EAST_CANTEEN', between(900, 1_500), noonMs + between(0, 40) * minuteMs));
      }
    }
    let kept = [...own, ...extra]
      .filter(
        (r) =>
          r.merchantId?.startsWith('EAST') || !away.some(([a, b]) => r.createdAtMs >= a && r.createdAtMs < b),
      )
      .sort((a, b) => a.createdAtMs - b.createdAtMs);

    let planted: PlantedTheft | undefined;
    if (s.profile !== 'away' && rnd() < o.theftShare) {
      const roll = rnd();
      const kind: TheftKind = roll < 0.5 ? 'phone' : roll < 0.8 ? 'copy' : 'careful';
      const day = shanghaiDay(range.fromMs) + 2 + Math.floor(rnd() * 23);
      const startMs = dayBoundsMs(day).startMs + between(9, 19) * hourMs;
      const thief: OperationRow[] = [];
      if (kind === 'phone') {
        let at = startMs;
        const n = 3 + Math.floor(rnd() * 6);
        for (let k = 0; k < n; k++) {
          thief.push(pay(s.cardNo, pick(thiefShops), between(1_800, 4_990), at));
          at += between(2, 15) * minuteMs;
        }
        // The owner pays no more until the day after they noticed.
        kept = kept.filter((r) => r.createdAtMs < startMs || r.createdAtMs > startMs + 30 * hourMs);
      } else if (kind === 'copy') {
        const ownerAt = kept.find((r) => r.createdAtMs >= startMs)?.createdAtMs ?? startMs;
        let at = ownerAt + between(3, 40) * minuteMs;
        const n = 2 + Math.floor(rnd() * 4);
        for (let k = 0; k < n; k++) {
          thief.push(pay(s.cardNo, pick(['EAST_SHOP', 'EAST_CANTEEN']), between(800, 4_000), at));
          at += between(3, 25) * minuteMs;
        }
      } else {
        const usual = [
          ...new Set(own.filter((r) => r.createdAtMs < startMs).map((r) => r.merchantId)),
        ].filter((m) => m?.startsWith('CANTEEN'));
        let at = startMs;
        const n = 3 + Math.floor(rnd() * 4);
        for (let k = 0; k < n; k++) {
          thief.push(
            pay(s.cardNo, pick(usual.length > 0 ? usual : ['CANTEEN1']) as string, between(800, 1_600), at),
          );
          at += between(2, 6) * hourMs;
        }
        const endMs = at;
        kept = kept.filter((r) => r.createdAtMs < startMs || r.createdAtMs > endMs);
      }
      planted = {
        cardNo: s.cardNo,
        kind,
        startMs,
        paymentIds: thief.map((r) => r.id),
        paymentAtMs: thief.map((r) => r.createdAtMs),
      };
      thefts.push(planted);
      kept.push(...thief);
      if (kind === 'copy') copied.set(s.cardNo, { ids: new Set(thief.map((r) => r.id)), startMs });
    }
    kept.sort((a, b) => a.createdAtMs - b.createdAtMs);
    if (o.stepUp) {
      const guarded = stepUpCard(s.cardNo, kept, new Set(planted?.paymentIds), o.stepUp);
      kept = guarded.accepted;
      operations.push(...guarded.refused);
      cardEvents.push(...guarded.events);
      if (planted) {
        const attempts = [
          ...kept.filter((r) => planted?.paymentIds.includes(r.id)),
          ...(guarded.thiefRefused ? [guarded.thiefRefused] : []),
        ];
        planted.paymentIds = attempts.map((r) => r.id);
        planted.paymentAtMs = attempts.map((r) => r.createdAtMs);
        const copy = copied.get(s.cardNo);
        if (copy) copy.ids = new Set(planted.paymentIds);
      }
    }
    operations.push(...kept);
    codeUses.push(
      ...codesOf(
        s.cardNo,
        kept.sort((a, b) => a.createdAtMs - b.createdAtMs),
      ),
    );
  }
  return {
    merchants: [...campus.merchants, ...extraMerchants],
    places,
    operations,
    codeUses,
    cardEvents,
    thefts,
    fromMs: range.fromMs,
    toMs: range.toMs,
  };
}

export interface AbnormalScore {
  alerts: number;
  /** Alerts raised at one of a thief's payments. */
  truePositives: number;
  falseAlarms: number;
  thefts: number;
  /** By kind: planted, flagged, and flagged by the thief's third payment. */
  byKind: Record<TheftKind, { planted: number; flagged: number; within3: number }>;
  /** For each flagged theft, the thief's payments up to and including the one flagged (1 = the first). */
  paymentsUntilFlagged: number[];
}

/**
 * Scores alerts over the assessed month against the planted thefts. An alert is right when it comes
 * while the card is being misused: at one of the thief's payments, or on the stolen card between the
 * thief's first payment and a day after the last (a copier found out at the owner's next payment,
 * made after the copy's). For each theft flagged: the thief's payments made by the first such alert.
 */
export function scoreAbnormal(
  alerts: readonly AbnormalAlert[],
  thefts: readonly PlantedTheft[],
): AbnormalScore {
  const theftOf = new Map<string, PlantedTheft>();
  for (const theft of thefts) theftOf.set(theft.cardNo, theft);
  const byKind: AbnormalScore['byKind'] = {
    phone: { planted: 0, flagged: 0, within3: 0 },
    copy: { planted: 0, flagged: 0, within3: 0 },
    careful: { planted: 0, flagged: 0, within3: 0 },
  };
  for (const theft of thefts) byKind[theft.kind].planted += 1;
  const flagged = new Map<PlantedTheft, number>();
  let truePositives = 0;
  for (const alert of alerts) {
    const theft = theftOf.get(alert.cardNo);
    const first = theft?.paymentAtMs[0];
    const last = theft?.paymentAtMs.at(-1);
    if (!theft || first === undefined || last === undefined) continue;
    const byThief = theft.paymentIds.includes(alert.paymentId);
    if (!byThief && (alert.atMs < first || alert.atMs > last + 86_400_000)) continue;
    truePositives += 1;
    if (!flagged.has(theft)) flagged.set(theft, theft.paymentAtMs.filter((at) => at <= alert.atMs).length);
  }
  for (const [theft, payments] of flagged) {
    byKind[theft.kind].flagged += 1;
    if (payments <= 3) byKind[theft.kind].within3 += 1;
  }
  return {
    alerts: alerts.length,
    truePositives,
    falseAlarms: alerts.length - truePositives,
    thefts: thefts.length,
    byKind,
    paymentsUntilFlagged: [...flagged.values()].sort((a, b) => a - b),
  };
}
