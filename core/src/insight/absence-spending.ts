import { createHash } from 'node:crypto';
import type { Notice } from '../contract/notices.ts';
import { formatMinute, shanghaiDay } from '../time.ts';
import { abnormalNoticeKind } from './abnormal-alerts.ts';
import type { PaymentPoint } from './abnormal-spending.ts';
import type { InsightStore } from './insight-store.ts';
import type { LedgerSource } from './ledger-source.ts';

/**
 * Spending during a reported absence (#17): the card's holder is on an approved off-campus absence
 * (请假, 离校), yet the card pays at the campus's merchants. Every merchant on the ledger is on
 * campus, so such payments are evidence that someone else holds the card. A student leaves some hours
 * after the leave starts or comes back some hours before it ends, so graceMs at each end is not
 * assessed, and one payment alone (the last coffee before the train) is not enough: the card is
 * flagged at its paymentsMin-th payment inside the absence.
 *
 * The alert is an abnormal-spending alert like the others (the same notice kind, the same one tap to
 * freeze, the same one notice per card and Asia/Shanghai day, the parents told as for the others).
 */

export interface AbsenceSpendingThresholds {
  /** Hours at either end of the absence that are not assessed (leaving late, coming back early), ms. */
  graceMs: number;
  /** The payment inside the absence at which the card is flagged (1 = the first). */
  paymentsMin: number;
}

export const absenceSpendingDefaults: Readonly<AbsenceSpendingThresholds> = Object.freeze({
  graceMs: 3 * 3_600_000,
  paymentsMin: 2,
});

/** An approved off-campus absence of a card's holder (the store expands the holder to their cards). */
export interface AbsenceSpan {
  absenceId: string;
  cardNo: string;
  fromMs: number;
  toMs: number;
}

export interface AbsenceSpendingAlert {
  cardNo: string;
  absenceId: string;
  /** The payment at which the card was flagged, and when. */
  paymentId: string;
  atMs: number;
  reasons: [{ code: 'during_absence'; absenceFromMs: number; absenceToMs: number; payments: number }];
  /** The payments inside the absence up to the flagged one, oldest first. */
  evidence: { id: string; atMs: number; merchantId: string; amount: number }[];
}

/**
 * The cards flagged in [fromMs, toMs): per absence span, the payments of its card inside the span
 * (less the grace at each end), counted from the span's start, flagged at the paymentsMin-th when that
 * one falls in the window. `payments` must hold the card's payments from the span's start (the store
 * reads them so); at most one alert per card.
 */
export function detectSpendingDuringAbsence(
  spans: readonly AbsenceSpan[],
  payments: readonly PaymentPoint[],
  fromMs: number,
  toMs: number,
  thresholds: Partial<AbsenceSpendingThresholds> = {},
): AbsenceSpendingAlert[] {
  const t = { ...absenceSpendingDefaults, ...thresholds };
  const byCard = new Map<string, PaymentPoint[]>();
  for (const p of payments) byCard.set(p.cardNo, [...(byCard.get(p.cardNo) ?? []), p]);
  const alerts = new Map<string, AbsenceSpendingAlert>();
  for (const span of [...spans].sort((a, b) => a.fromMs - b.fromMs)) {
    if (alerts.has(span.cardNo)) continue;
    const from = span.fromMs + t.graceMs;
    const to = span.toMs - t.graceMs;
    const inside = (byCard.get(span.cardNo) ?? [])
      .filter((p) => p.atMs >= from && p.atMs < to)
      .sort((a, b) => a.atMs - b.atMs || a.id.localeCompare(b.id));
    const flagged = inside[t.paymentsMin - 1];
    if (!flagged || flagged.atMs < fromMs || flagged.atMs >= toMs) continue;
    const evidence = inside.slice(0, t.paymentsMin);
    alerts.set(span.cardNo, {
      cardNo: span.cardNo,
      absenceId: span.absenceId,
      paymentId: flagged.id,
      atMs: flagged.atMs,
      reasons: [
        {
          code: 'during_absence',
          absenceFromMs: span.fromMs,
          absenceToMs: span.toMs,
          payments: evidence.length,
        },
      ],
      evidence: evidence.map((p) => ({ id: p.id, atMs: p.atMs, merchantId: p.merchantId, amount: p.amount })),
    });
  }
  return [...alerts.values()];
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** The notice's id: the same as abnormal-alerts.ts makes for the card and day, so a card gets one a day. */
const noticeId = (cardNo: string, atMs: number) =>
  `X${createHash('sha256')
    .update(`${abnormalNoticeKind}\n${cardNo}\n${shanghaiDay(atMs)}`)
    .digest('hex')
    .slice(0, 25)}`;

/** Tells the student in the app, run after each extract with the abnormal-spending alerts. */
export class AbsenceSpendingAlerts {
  constructor(
    private readonly store: Pick<InsightStore, 'absenceSpans' | 'cardPayments'>,
    private readonly ledger: Pick<LedgerSource, 'activeCardHolders'>,
    private readonly notices: { insertMissing(notices: readonly Notice[]): Promise<void> },
    private readonly options: { lookbackMs: number; thresholds: Partial<AbsenceSpendingThresholds> } = {
      lookbackMs: 86_400_000,
      thresholds: {},
    },
  ) {}

  /** Assesses the payments of the last lookbackMs before nowMs; answers the notices it wrote. */
  async run(nowMs: number = Date.now()): Promise<Notice[]> {
    const fromMs = nowMs - this.options.lookbackMs;
    const spans = await this.store.absenceSpans(fromMs, nowMs + 1);
    if (spans.length === 0) return [];
    const earliest = Math.min(...spans.map((s) => s.fromMs));
    const payments = await this.store.cardPayments(
      [...new Set(spans.map((s) => s.cardNo))],
      Math.min(earliest, fromMs),
      nowMs + 1,
    );
    const alerts = detectSpendingDuringAbsence(spans, payments, fromMs, nowMs + 1, this.options.thresholds);
    if (alerts.length === 0) return [];
    const holders = await this.ledger.activeCardHolders(alerts.map((a) => a.cardNo));
    const notices: Notice[] = [];
    for (const alert of alerts) {
      const personId = holders.get(alert.cardNo);
      if (personId === undefined) continue;
      const total = alert.evidence.reduce((n, e) => n + e.amount, 0);
      const [reason] = alert.reasons;
      notices.push({
        id: noticeId(alert.cardNo, alert.atMs),
        personId,
        kind: abnormalNoticeKind,
        title: '校园卡异常消费提醒',
        body: `您的请假（${formatMinute(reason.absenceFromMs)} 至 ${formatMinute(reason.absenceToMs)}，离校）期间，校园卡在校内消费了 ${alert.evidence.length} 笔（合计 ${yuan(total)}），最近一笔在 ${formatMinute(alert.atMs)}。如果不是您本人，请立即冻结校园卡。`,
        data: {
          action: 'freeze',
          cardNo: alert.cardNo,
          reasons: ['during_absence'],
          evidence: alert.evidence,
        },
        createdAtMs: alert.atMs,
      });
    }
    await this.notices.insertMissing(notices);
    return notices;
  }
}
