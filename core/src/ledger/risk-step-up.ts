/**
 * The payment path's risk step-up (docs/analytics.md, "The PIN step-up"): after payments that look
 * like a thief's first ones, the card's next payment needs its PIN, whatever the amount. The owner
 * knows the PIN and the prompt costs them a few seconds; a thief does not, and the refused prompt
 * (PIN_REQUIRED or PIN_INVALID in the journal) is the evidence the abnormal-spending detector lacked.
 *
 * The rule, judged at each accepted online payment of a card that has a PIN and a history of places:
 * within windowMs of the first payment of the current window, highPaymentsMin payments of at least
 * amountMinFen, newPlacePaymentsMin of them at places (merchants) new to the card (isNewPlace: not
 * paid at within placeMemoryDays before the window, as the detector's profile sees it), and the next
 * payment needs the PIN. Bursts anywhere (burstPaymentsMin, when set) are asked one payment earlier:
 * the high payment that would be the burstPaymentsMin-th within the window needs the PIN itself
 * (burstAsksPin), so a thief paying at places the card knows is refused at that payment, not after
 * it. A payment made with the right PIN is the owner's: it clears a step-up and starts the count again.
 *
 * Pure, so the ledger's batch (apply-payments.ts, where the card row is locked while the counters
 * are read and written) and the synthetic campus (synthetic-thefts.ts) run the same rule.
 */

export interface StepUpRule {
  /** High payments within the window that step the card up; 0 switches the step-up off. */
  highPaymentsMin: number;
  /** Of those, how many must be at places new to the card. */
  newPlacePaymentsMin: number;
  /**
   * The high payment that would be this many within the window, wherever they were made, needs the PIN
   * itself (the card is stepped up as it is asked); 0: this part off.
   */
  burstPaymentsMin: number;
  amountMinFen: number;
  windowMs: number;
}

export const stepUpDefaults: Readonly<StepUpRule> = Object.freeze({
  highPaymentsMin: 2,
  newPlacePaymentsMin: 1,
  burstPaymentsMin: 3,
  amountMinFen: 1_500,
  windowMs: 60 * 60_000,
});

const dayMs = 86_400_000;

/**
 * How long a place stays known to a card after its last payment there: the abnormal-spending
 * detector's profile (abnormalDefaults.profileDays), so a place new to the detector is new here too,
 * and the step-up's prompt comes where the detector would otherwise flag new_places.
 */
export const placeMemoryDays = 60;

/**
 * A card's last payment at a place (card_places.last_paid_at_ms) is written again only once it is a
 * day old: the memory is exact to a day (a place can be taken for new up to a day early, never late),
 * and a card that pays at its canteen three times a day writes that place once.
 */
export const placeTouchMs = dayMs;

/** What the card's row in card_places says of one place. */
export interface PlaceSeen {
  /** The card's last payment there (to placeTouchMs). */
  lastPaidAtMs: number;
  /** Its first payment there after more than placeMemoryDays without one: since when the place is known. */
  knownSinceMs: number;
}

/**
 * Whether a place is new to the card at atMs: never paid at (undefined), not within placeMemoryDays,
 * or known only since a payment within windowMs. The last is the detector's rule too: a thief's first
 * payment at a shop does not make the shop familiar for the second.
 */
export const isNewPlace = (place: PlaceSeen | undefined, atMs: number, windowMs: number) =>
  place === undefined ||
  atMs - place.lastPaidAtMs > placeMemoryDays * dayMs ||
  atMs - place.knownSinceMs <= windowMs;

/**
 * The place's row after a payment at atMs, or undefined when nothing needs writing (placeTouchMs). The
 * card's first payment ever (`first`) makes its place known from the start: a card with no history has
 * nothing to differ from, as in the detector (a card without a profile).
 */
export function placeAfterPayment(
  place: PlaceSeen | undefined,
  atMs: number,
  first = false,
): PlaceSeen | undefined {
  if (place === undefined || atMs - place.lastPaidAtMs > placeMemoryDays * dayMs)
    return { lastPaidAtMs: atMs, knownSinceMs: first ? 0 : atMs };
  if (atMs - place.lastPaidAtMs >= placeTouchMs) return { ...place, lastPaidAtMs: atMs };
  return undefined;
}

/** What a card carries for the rule (the cards row's risk_* columns). */
export interface RiskState {
  /** The first high payment of the current window; null: none. */
  windowStartMs: number | null;
  highPayments: number;
  newPlacePayments: number;
  /** Since when the card's payments need the PIN; null: not stepped up. */
  stepUpAtMs: number | null;
}

export const riskClear: Readonly<RiskState> = Object.freeze({
  windowStartMs: null,
  highPayments: 0,
  newPlacePayments: 0,
  stepUpAtMs: null,
});

export interface PaymentSeen {
  atMs: number;
  amount: number;
  /** The place is new to the card (isNewPlace; false for a card with no places yet: nothing to differ from). */
  newPlace: boolean;
  /** The payment came with the card's right PIN. */
  withPin: boolean;
}

/** Whether a payment of this card needs the PIN because of the step-up. */
export const pinStepUpOn = (state: RiskState) => state.stepUpAtMs !== null;

/**
 * The card's state after an accepted payment, and whether this payment stepped it up or cleared it.
 * The payment itself is never refused here: the one that completes the pattern goes through, the
 * next needs the PIN.
 */
export function afterPayment(
  state: RiskState,
  p: PaymentSeen,
  rule: StepUpRule,
): { state: RiskState; steppedUp: boolean; cleared: boolean } {
  if (p.withPin) return { state: { ...riskClear }, steppedUp: false, cleared: state.stepUpAtMs !== null };
  if (rule.highPaymentsMin <= 0 || state.stepUpAtMs !== null || p.amount < rule.amountMinFen)
    return { state, steppedUp: false, cleared: false };
  const fresh = state.windowStartMs === null || p.atMs - state.windowStartMs > rule.windowMs;
  const next: RiskState = {
    windowStartMs: fresh ? p.atMs : state.windowStartMs,
    highPayments: (fresh ? 0 : state.highPayments) + 1,
    newPlacePayments: (fresh ? 0 : state.newPlacePayments) + (p.newPlace ? 1 : 0),
    stepUpAtMs: null,
  };
  const atNewPlaces =
    next.highPayments >= rule.highPaymentsMin && next.newPlacePayments >= rule.newPlacePaymentsMin;
  if (atNewPlaces) return { state: steppedUpAt(p.atMs), steppedUp: true, cleared: false };
  return { state: next, steppedUp: false, cleared: false };
}

/**
 * Whether a payment offered without the PIN (not yet taken) would complete a burst of burstPaymentsMin
 * high payments within the window, wherever: it then needs the PIN itself, and the card is stepped up
 * as it is asked (a refusal that steps the card up: the owner answers with the PIN, a thief cannot).
 */
export function burstAsksPin(state: RiskState, p: Pick<PaymentSeen, 'atMs' | 'amount'>, rule: StepUpRule) {
  if (rule.highPaymentsMin <= 0 || rule.burstPaymentsMin <= 0) return false;
  if (state.stepUpAtMs !== null || p.amount < rule.amountMinFen) return false;
  const fresh = state.windowStartMs === null || p.atMs - state.windowStartMs > rule.windowMs;
  return (fresh ? 0 : state.highPayments) + 1 >= rule.burstPaymentsMin;
}

/** The card's state once a burst asked for the PIN (burstAsksPin): stepped up from that payment on. */
export const steppedUpAt = (atMs: number): RiskState => ({ ...riskClear, stepUpAtMs: atMs });

/** The card event's reason for a step-up, in the card's history (Chinese: staff read it). */
export const stepUpReason = (rule: StepUpRule) =>
  `${Math.round(rule.windowMs / 60_000)} 分钟内 ${rule.highPaymentsMin} 笔较大消费，其中 ${rule.newPlacePaymentsMin} 笔在 ${placeMemoryDays} 天内未消费过的商户：下一笔须输入密码`;

/** The same for a burst that asked for the PIN at its own payment (burstAsksPin). */
export const burstStepUpReason = (rule: StepUpRule) =>
  `${Math.round(rule.windowMs / 60_000)} 分钟内第 ${rule.burstPaymentsMin} 笔较大消费：本笔起须输入密码`;
