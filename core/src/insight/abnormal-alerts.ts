import { createHash } from 'node:crypto';
import type { Notice } from '../contract/notices.ts';
import { formatMinute, shanghaiDay } from '../time.ts';
import {
  type AbnormalReason,
  type AbnormalThresholds,
  abnormalDefaults,
  detectAbnormalFromProfiles,
} from './abnormal-spending.ts';
import type { InsightStore } from './insight-store.ts';
import type { LedgerSource } from './ledger-source.ts';

/**
 * Tells a student, in the app's notices, that their card was flagged for abnormal spending, with the
 * evidence and one tap to freeze it (the notice's data carries action 'freeze' and the card; the
 * mini-program's notice list offers the button, the freeze itself is the ordinary card action).
 * At most one notice per card per Asia/Shanghai day: the notice's id is made from the card and the
 * day, so a rerun over the same payments, or a second alert the same day, adds nothing. A card that
 * is no longer active (already reported lost or frozen) gets none.
 */

export const abnormalNoticeKind = 'insight_abnormal';

/** How far before the window the PIN step-ups are read: a prompt is judged from its card's step-up. */
const pinLookbackMs = 7 * 86_400_000;

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export interface AbnormalAlertsOptions {
  /** How far back each run looks for payments to assess (the profile reaches further back). */
  lookbackMs: number;
  thresholds: Partial<AbnormalThresholds>;
}

export class AbnormalAlerts {
  constructor(
    private readonly store: Pick<InsightStore, 'abnormalInput' | 'pinEvidence'>,
    private readonly ledger: Pick<LedgerSource, 'activeCardHolders'>,
    private readonly notices: { insertMissing(notices: readonly Notice[]): Promise<void> },
    private readonly options: AbnormalAlertsOptions = { lookbackMs: 86_400_000, thresholds: {} },
  ) {}

  /** Assesses the payments of the last lookbackMs before nowMs; answers the notices it wrote. */
  async run(nowMs: number = Date.now(), profileDays = abnormalDefaults.profileDays): Promise<Notice[]> {
    const fromMs = nowMs - this.options.lookbackMs;
    const thresholds = { ...this.options.thresholds, profileDays };
    const { profiles, payments, guarded } = await this.store.abnormalInput(fromMs, nowMs + 1, thresholds);
    // A PIN prompt in the window is judged from the card's step-up, which may be older than the window.
    const pins = await this.store.pinEvidence(fromMs - pinLookbackMs, nowMs + 1);
    const alerts = detectAbnormalFromProfiles(
      profiles,
      payments,
      fromMs,
      nowMs + 1,
      thresholds,
      pins,
      guarded,
    );
    if (alerts.length === 0) return [];
    const holders = await this.ledger.activeCardHolders([...new Set(alerts.map((a) => a.cardNo))]);
    const notices: Notice[] = [];
    for (const alert of alerts) {
      const personId = holders.get(alert.cardNo);
      if (personId === undefined) continue;
      const total = alert.evidence.reduce((n, e) => n + e.amount, 0);
      const pinReason = alert.reasons.find(
        (r): r is Extract<AbnormalReason, { code: 'pin_refused' }> => r.code === 'pin_refused',
      );
      const refused = pinReason && { atMs: pinReason.refusedAtMs, stepUpAtMs: pinReason.stepUpAtMs };
      const key = `${abnormalNoticeKind}\n${alert.cardNo}\n${shanghaiDay(alert.atMs)}`;
      notices.push({
        id: `X${createHash('sha256').update(key).digest('hex').slice(0, 25)}`,
        personId,
        kind: abnormalNoticeKind,
        title: '校园卡异常消费提醒',
        body: refused
          ? `您的校园卡自 ${formatMinute(refused.stepUpAtMs)} 起的消费与您平时的习惯不符，${formatMinute(refused.atMs)} 的一笔消费要求输入密码，但没有输入正确的密码。如果不是您本人，请立即冻结校园卡。`
          : `您的校园卡自 ${formatMinute(alert.evidence[0]?.atMs ?? alert.atMs)} 起有 ${alert.evidence.length} 笔消费与您平时的习惯不符（合计 ${yuan(total)}）。如果不是您本人，请立即冻结校园卡。`,
        data: {
          action: 'freeze',
          cardNo: alert.cardNo,
          reasons: alert.reasons.map((r) => r.code),
          evidence: alert.evidence,
        },
        createdAtMs: alert.atMs,
      });
    }
    await this.notices.insertMissing(notices);
    return notices;
  }
}
