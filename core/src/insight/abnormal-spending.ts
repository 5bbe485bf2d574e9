/**
 * Abnormal spending: a stolen phone or card, or a copied pay code, seen in the card's own payments.
 * Each card is compared with its own profile (the places it paid at and the amounts it paid in the
 * profileDays before the assessed window), never with other students. Three rules, each tunable:
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
}

export const abnormalDefaults: Readonly<AbnormalThresholds> = Object.freeze({
  profileDays: 60,
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
}

export type AbnormalReason =
  | { code: 'new_places'; payments: number; amountFen: number; ownP90Fen: number }
  | { code: 'high_burst'; payments: number; amountFen: number; ownP90Fen: number }
  | { code: 'rapid'; payments: number; minutes: number }
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
 * The alerts raised over payments in [fromMs, toMs). `payments` holds those and the card's earlier
 * ones back to fromMs − profileDays (what InsightStore.paymentPoints answers), in any order.
 */
export function detectAbnormalSpending(
  payments: readonly PaymentPoint[],
  fromMs: number,
  toMs: number,
  thresholds: Partial<AbnormalThresholds> = {},
): AbnormalAlert[] {
  const t = { ...abnormalDefaults, ...thresholds };
  const byCard = new Map<string, PaymentPoint[]>();
  for (const p of payments) {
    if (p.atMs >= toMs || p.atMs < fromMs - t.profileDays * dayMs) continue;
    const list = byCard.get(p.cardNo);
    if (list) list.push(p);
    else byCard.set(p.cardNo, [p]);
  }
  const alerts: AbnormalAlert[] = [];
  for (const list of byCard.values()) {
    list.sort((a, b) => a.atMs - b.atMs || a.id.localeCompare(b.id));
    alerts.push(...detectCard(list, fromMs, t));
  }
  return alerts.sort((a, b) => a.atMs - b.atMs || a.cardNo.localeCompare(b.cardNo));
}

function detectCard(list: PaymentPoint[], fromMs: number, t: AbnormalThresholds): AbnormalAlert[] {
  const profile = list.filter((p) => p.atMs < fromMs);
  // A card with no history has no profile to differ from: new_places waits for one.
  const hasProfile = profile.length > 0;
  const known = new Set(profile.map((p) => p.merchantId));
  const ownP90 = percentile90(profile.map((p) => p.amount));
  const amountGate = Math.max(t.amountMinFen, Math.round(ownP90 * t.amountProfileFactor));
  const alerts: AbnormalAlert[] = [];
  let lastAlertMs = Number.NEGATIVE_INFINITY;
  const start = profile.length;
  let settled = start;
  for (let i = start; i < list.length; i++) {
    const p = list[i] as PaymentPoint;
    // A place becomes known once its payment lies outside the burst window: a thief's first shop
    // does not make the second one familiar.
    for (; settled < i && (list[settled] as PaymentPoint).atMs < p.atMs - t.burstWindowMs; settled++)
      known.add((list[settled] as PaymentPoint).merchantId);
    const reasons: AbnormalReason[] = [];
    const evidence = new Set<PaymentPoint>();

    if (hasProfile && p.amount >= amountGate) {
      const high: PaymentPoint[] = [];
      for (let j = i; j >= start && p.atMs - (list[j] as PaymentPoint).atMs <= t.burstWindowMs; j--) {
        const q = list[j] as PaymentPoint;
        if (q.amount >= amountGate) high.push(q);
      }
      const burst = high.filter((q) => !known.has(q.merchantId));
      if (burst.length >= t.newPlacePaymentsMin && !known.has(p.merchantId)) {
        reasons.push({
          code: 'new_places',
          payments: burst.length,
          amountFen: burst.reduce((n, q) => n + q.amount, 0),
          ownP90Fen: ownP90,
        });
        for (const q of burst) evidence.add(q);
      } else if (high.length >= t.highPaymentsMin) {
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
    for (let j = i; j >= start && p.atMs - (list[j] as PaymentPoint).atMs <= t.rapidWindowMs; j--)
      rapid.push(list[j] as PaymentPoint);
    if (rapid.length >= t.rapidPaymentsMin) {
      const first = rapid.at(-1) as PaymentPoint;
      reasons.push({
        code: 'rapid',
        payments: rapid.length,
        minutes: Math.round((p.atMs - first.atMs) / 60_000),
      });
      for (const q of rapid) evidence.add(q);
    }

    const before = list[i - 1];
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

    if (reasons.length > 0 && p.atMs - lastAlertMs >= t.alertGapMs) {
      lastAlertMs = p.atMs;
      alerts.push({
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
  return alerts;
}
