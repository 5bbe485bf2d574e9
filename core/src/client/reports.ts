import type {
  AttendanceWarningsAnswer,
  AttendanceWarningsQuery,
  CanteenDayAnswer,
  DeviceFailuresAnswer,
  MerchantRankingAnswer,
  PersonInsight,
  SpendingGrouping,
  SpendingStructureAnswer,
  SubsidyEffectAnswer,
} from '../contract/insight.ts';
import type { PerMinuteAnswer, ReportAnswer, ReportName, ReportRange } from '../contract/reports.ts';
import type { HiddenNeedCandidate, HiddenNeedThresholds } from '../insight/hidden-need.ts';
import { DomainClient, query } from './transport.ts';

/** Reports as JSON, CSV and .xlsx, the per-minute series, and campus insight. */
export class ReportsClient extends DomainClient {
  /**
   * Campus insight: one month's hidden-need candidates, most pressing first, with the thresholds
   * used and where the extract stands (docs/analytics.md). NOT_FOUND where insight is off.
   */
  insightHiddenNeed(request: { month: string; limit?: number } & Partial<HiddenNeedThresholds>): Promise<{
    month: string;
    thresholds: HiddenNeedThresholds;
    total: number;
    items: HiddenNeedCandidate[];
    sources: { source: string; afterMs: number; rowsTotal: number; runAtMs: number }[];
  }> {
    return this.transport.call('GET', `/v1/insight/hidden-need${query(request)}`);
  }
  /** Campus insight: a month's spending per department or grade, groups under 10 students suppressed. */
  insightSpendingStructure(
    month: string,
    by: SpendingGrouping = 'department',
  ): Promise<SpendingStructureAnswer> {
    return this.transport.call('GET', `/v1/insight/spending-structure${query({ month, by })}`);
  }
  /** Campus insight: a month's subsidies, recipients' spending before and after against everyone else's. */
  insightSubsidyEffect(month: string): Promise<SubsidyEffectAnswer> {
    return this.transport.call('GET', `/v1/insight/subsidy-effect${query({ month })}`);
  }
  /** Campus insight: merchants by the month's turnover, and payments per price band and category. */
  insightMerchantRanking(month: string): Promise<MerchantRankingAnswer> {
    return this.transport.call('GET', `/v1/insight/merchant-ranking${query({ month })}`);
  }
  /** Campus insight: each device's refusals in a month by code, and when refusals happen. */
  insightDeviceFailures(month: string): Promise<DeviceFailuresAnswer> {
    return this.transport.call('GET', `/v1/insight/device-failures${query({ month })}`);
  }
  /** Campus insight: a day's canteen forecast per window and slot against the payments made. */
  insightCanteenDay(day?: string): Promise<CanteenDayAnswer> {
    return this.transport.call('GET', `/v1/insight/canteen-day${query({ day })}`);
  }
  /** Campus insight: where each source of the extract stands (the job's progress). */
  insightSources(): Promise<{
    items: { source: string; afterMs: number; rowsTotal: number; runAtMs: number; behind: boolean }[];
  }> {
    return this.transport.call('GET', '/v1/insight/sources');
  }
  /** Campus insight: what the store holds about one student card (for that student only). */
  insightPerson(cardNo: string): Promise<PersonInsight> {
    return this.transport.call('GET', `/v1/insight/people/${encodeURIComponent(cardNo)}`);
  }
  /** Campus insight: attendance warnings now, for one department or all (docs/analytics.md). */
  insightAttendanceWarnings(request: Partial<AttendanceWarningsQuery>): Promise<AttendanceWarningsAnswer> {
    return this.transport.call('GET', `/v1/insight/attendance-warnings${query(request)}`);
  }
  /** Campus insight: how busy each canteen window is now and in 30 minutes (expected payments per 15 minutes). */
  insightCanteenLoad(): Promise<{
    atMs: number;
    items: { window: string; nowExpected: number; in30Expected: number; nowSoFar: number }[];
  }> {
    return this.transport.call('GET', '/v1/insight/canteen-load');
  }
  /** A report as JSON over Asia/Shanghai days from..to (YYYY-MM-DD, inclusive). */
  report<T = Record<string, unknown>>(name: ReportName, range: ReportRange): Promise<ReportAnswer<T>> {
    return this.transport.call('GET', `/v1/reports/${name}${query(range)}`);
  }
  /**
   * Payments and top-ups per minute over the last `minutes` (60 by default, ≤180), oldest first; with a
   * campus, its merchants' payments only.
   */
  reportPerMinute(minutes?: number, campusId?: string): Promise<PerMinuteAnswer> {
    return this.transport.call('GET', `/v1/reports/per-minute${query({ minutes, campusId })}`);
  }
  /** The same report as a CSV sheet (UTF-8 with a BOM, CRLF), as text. */
  async reportCsv(name: ReportName, range: ReportRange): Promise<string> {
    // Decoded by Buffer, not TextDecoder, which would drop the BOM that Excel needs.
    return (
      await this.transport.download(`/v1/reports/${name}${query({ ...range, format: 'csv' })}`)
    ).toString('utf8');
  }
  /** The same report as an .xlsx workbook (one sheet, amounts as numbers). */
  reportXlsx(name: ReportName, range: ReportRange): Promise<Buffer> {
    return this.transport.download(`/v1/reports/${name}${query({ ...range, format: 'xlsx' })}`);
  }
}
