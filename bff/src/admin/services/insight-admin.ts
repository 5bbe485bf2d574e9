import type { CoreClient } from '@campus-card/core/client';
import { BffError } from '../../errors.ts';
import { CanteenLoad } from '../../services/canteen-load.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Campus insight as the signed-in admin (docs/analytics.md): every view of people's figures goes on
// the audit trail with the viewer's reason before it is fetched; a view the trail cannot hold is not
// shown. A counsellor sees their own department's students only.

export class InsightAdmin {
  /** Names canteen windows as the app's canteen card does. */
  readonly #windows: CanteenLoad;

  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {
    this.#windows = new CanteenLoad(core);
  }

  /** A day's canteen forecast against the payments made, each window named by its canteen and window. */
  async canteenDay(day: string | undefined) {
    const answer = await this.core.insightCanteenDay(day);
    const items = [];
    for (const item of answer.items) {
      const names = await this.#windows.names(item.window);
      if (names) items.push({ ...item, canteen: names.canteen, windowName: names.window });
    }
    return { ...answer, items };
  }

  /** The card centre's spending report per department or grade (aggregates, k ≥ 10 in the core). */
  spendingStructure(month: string, by: 'department' | 'grade') {
    return this.core.insightSpendingStructure(month, by);
  }

  subsidyEffect(month: string) {
    return this.core.insightSubsidyEffect(month);
  }

  /** Merchants by turnover, each named (the store knows merchants by id only). */
  async merchantRanking(month: string) {
    const [ranking, merchants] = await Promise.all([
      this.core.insightMerchantRanking(month),
      this.core.merchants(),
    ]);
    const names = new Map(merchants.map((m) => [m.id, m.name]));
    return {
      ...ranking,
      items: ranking.items.map((m) => ({ ...m, name: names.get(m.merchantId) ?? m.merchantId })),
    };
  }

  deviceFailures(month: string) {
    return this.core.insightDeviceFailures(month);
  }

  sources() {
    return this.core.insightSources();
  }

  /** Hidden-need candidates for the student-aid office. */
  async hiddenNeed(
    admin: AdminSession,
    reason: string,
    request: Parameters<CoreClient['insightHiddenNeed']>[0],
  ) {
    await this.audit.record(admin, 'insight.hidden_need.view', 'insight', request.month, {
      reason,
      thresholds: {
        campusDaysMin: request.campusDaysMin,
        mealsRatioMax: request.mealsRatioMax,
        spendRatioMax: request.spendRatioMax,
      },
    });
    return this.core.insightHiddenNeed(request);
  }

  /**
   * The approved candidates of a month become an ordinary subsidy batch (a draft that finance approves
   * and posts through the existing maker–checker flow). Only cards that are that month's candidates
   * under the thresholds given can be in it, and a month has one such batch (a retried click does not
   * make a second). The batch's title names the month and meals only, never why.
   */
  async hiddenNeedBatch(
    admin: AdminSession,
    input: {
      month: string;
      cardNos: string[];
      amountFen: number;
      reason: string;
      thresholds: Omit<Parameters<CoreClient['insightHiddenNeed']>[0], 'month' | 'limit'>;
    },
  ) {
    const title = `${input.month} 餐费补助`;
    const existing = await this.core.subsidyBatches({ limit: 100 });
    if (existing.items.some((b) => b.title === title && b.status !== 'rejected'))
      throw new BffError('VALIDATION_FAILED', 'a batch for this month exists already');
    const { items } = await this.core.insightHiddenNeed({
      ...input.thresholds,
      month: input.month,
      limit: 1_000,
    });
    const candidates = new Set(items.map((c) => c.cardNo));
    const outside = input.cardNos.filter((cardNo) => !candidates.has(cardNo));
    if (outside.length > 0)
      throw new BffError('VALIDATION_FAILED', `not candidates of ${input.month}: ${outside.length} cards`);
    const amount = `${Math.floor(input.amountFen / 100)}.${String(input.amountFen % 100).padStart(2, '0')}`;
    const rows = [];
    for (const cardNo of new Set(input.cardNos))
      rows.push({ personNo: (await this.core.getCard(cardNo)).personNo, amount });
    const batch = await this.core.createSubsidyBatch({ title, createdBy: admin.adminId, source: { rows } });
    await this.audit.record(admin, 'insight.hidden_need.batch', 'subsidy_batch', batch.id, {
      reason: input.reason,
      month: input.month,
      cards: rows.length,
      amountFen: input.amountFen,
      thresholds: input.thresholds,
    });
    return batch;
  }

  /**
   * Attendance warnings: the admin's own department, whatever the query says; an admin with no
   * department (the super admin) sees every department. A counsellor without a department sees none.
   */
  async attendanceWarnings(
    admin: AdminSession,
    reason: string,
    request: Omit<Parameters<CoreClient['insightAttendanceWarnings']>[0], 'department'>,
  ) {
    if (admin.department === null && admin.role === 'counsellor')
      throw new BffError('FORBIDDEN', 'a counsellor sees their own department, and this account has none');
    const department = admin.department ?? undefined;
    await this.audit.record(admin, 'insight.attendance_warnings.view', 'insight', department ?? '*', {
      reason,
      thresholds: {
        streakMin: request.streakMin,
        fallingRatioMax: request.fallingRatioMax,
        silentDaysMin: request.silentDaysMin,
        lateReturnsMin: request.lateReturnsMin,
      },
    });
    return this.core.insightAttendanceWarnings({ ...request, ...(department ? { department } : {}) });
  }
}
