import { perMinuteMinutesMax, type ReportRows, type SalesTotals as Sales } from '../contract/reports.ts';
import { CoreError } from '../errors.ts';
import { channelAccount, topUpChannels } from '../ledger/operations.ts';
import { csvDocument } from '../sheets.ts';
import { fenToYuan } from '../subsidies/amount.ts';
import { formatDay, formatMinute, shanghaiDay, shanghaiOffsetMs, shanghaiParts } from '../time.ts';
import type { ReportRepository, Row } from './report-repository.ts';

export interface DayRange {
  fromDay: number;
  toDay: number;
  /** One campus's merchants only (docs/campuses.md), for the reports in contract campusReports. */
  campusId?: string;
}

export interface Table {
  header: string[];
  rows: (string | number | null)[][];
}

/** A report as JSON, and how it is laid out as a CSV sheet (Chinese headers, amounts in yuan). */
export interface Report<T> {
  from: string;
  to: string;
  items: T[];
  table(): Table;
}

export const rangeDaysMax = 366;
const sessionsMax = 5_000;
const weekdays = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/**
 * Reports for the card centre over a range of Asia/Shanghai days, read from the operations (and
 * for channels from the journal), each also as a CSV sheet. Sales are counted the way settlement
 * counts them, so a merchant's turnover for a day equals its statement.
 */

export class ReportService {
  constructor(private readonly repo: ReportRepository) {}

  /**
   * The last `minutes` whole minutes up to now, oldest first, every minute present (quiet ones as
   * zeros): payments (sales as settlement counts them) and top-ups, for the live dashboard. With a
   * campus: the sales at its merchants, and so no top-ups (they have no merchant).
   */
  async perMinute(minutes: number, campusId?: string, nowMs = Date.now()) {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > perMinuteMinutesMax)
      throw new CoreError('VALIDATION_FAILED', `minutes is 1 … ${perMinuteMinutesMax}`);
    const lastMs = nowMs - (nowMs % 60_000);
    const firstMs = lastMs - (minutes - 1) * 60_000;
    const rows = new Map(
      (await this.repo.perMinute(firstMs, shanghaiDay(firstMs), campusId)).map((r) => [
        Number(r.minute_ms),
        r,
      ]),
    );
    return Array.from({ length: minutes }, (_, i) => {
      const minuteMs = firstMs + i * 60_000;
      const r = rows.get(minuteMs);
      return {
        minuteMs,
        paymentCount: Number(r?.payment_count ?? 0),
        paymentAmount: Number(r?.payment_amount ?? 0),
        topUpCount: Number(r?.top_up_count ?? 0),
        topUpAmount: Number(r?.top_up_amount ?? 0),
      };
    });
  }

  async turnoverByDay(range: DayRange): Promise<Report<ReportRows['turnover/daily']>> {
    checkRange(range);
    const byDay = new Map(
      (await this.repo.turnoverByDay(range.fromDay, range.toDay, range.campusId)).map((r) => [
        Number(r.created_day),
        r,
      ]),
    );
    const items: ReportRows['turnover/daily'][] = [];
    // Every day of the range, quiet ones as zeros, so a chart's axis has no gaps.
    for (let d = range.fromDay; d <= range.toDay; d++)
      items.push({ day: formatDay(d), ...sales(byDay.get(d)) });
    return report(range, items, () => ({
      header: ['日期', ...salesHeader],
      rows: items.map((i) => [i.day, ...salesCells(i)]),
    }));
  }

  async turnoverByMerchant(range: DayRange): Promise<Report<ReportRows['turnover/merchants']>> {
    checkRange(range);
    const items = (await this.repo.turnoverByMerchant(range.fromDay, range.toDay, range.campusId)).map(
      (r) => ({
        merchantId: String(r.merchant_id),
        name: String(r.name),
        category: String(r.category),
        ...sales(r),
      }),
    );
    return report(range, items, () => ({
      header: ['商户编号', '商户名称', '类别', ...salesHeader],
      rows: items.map((i) => [i.merchantId, i.name, i.category, ...salesCells(i)]),
    }));
  }

  async turnoverByCategory(range: DayRange): Promise<Report<ReportRows['turnover/categories']>> {
    checkRange(range);
    const items = (await this.repo.turnoverByCategory(range.fromDay, range.toDay, range.campusId)).map(
      (r) => ({
        category: String(r.category),
        ...sales(r),
      }),
    );
    return report(range, items, () => ({
      header: ['类别', ...salesHeader],
      rows: items.map((i) => [i.category, ...salesCells(i)]),
    }));
  }

  /** Sales per campus of the merchant; centre-wide merchants as one row with campusId null (中心). */
  async turnoverByCampus(range: DayRange): Promise<Report<ReportRows['turnover/campuses']>> {
    checkRange(range);
    const items = (await this.repo.turnoverByCampus(range.fromDay, range.toDay)).map((r) => ({
      campusId: r.campus_id === null || r.campus_id === undefined ? null : String(r.campus_id),
      campusName: r.campus_name === null || r.campus_name === undefined ? '全中心' : String(r.campus_name),
      ...sales(r),
    }));
    return report(range, items, () => ({
      header: ['校区', ...salesHeader],
      rows: items.map((i) => [i.campusName, ...salesCells(i)]),
    }));
  }

  /** Every channel, with its share of the amount in basis points (shares sum to 10000 or all are 0). */
  async topUpChannels(range: DayRange): Promise<Report<ReportRows['top-up-channels']>> {
    checkRange(range);
    const byAccount = new Map(
      (await this.repo.topUpsByAccount(range.fromDay, range.toDay)).map((r) => [String(r.account_id), r]),
    );
    const counted = topUpChannels.map((channel) => {
      const r = byAccount.get(channelAccount[channel]);
      return { channel, count: Number(r?.n ?? 0), amount: Number(r?.amount ?? 0) };
    });
    const shares = sharesBp(counted.map((c) => c.amount));
    const items = counted.map((c, i) => ({ ...c, shareBp: shares[i] as number }));
    return report(range, items, () => ({
      header: ['渠道', '笔数', '金额(元)', '占比(%)'],
      rows: items.map((i) => [i.channel, i.count, fenToYuan(i.amount), (i.shareBp / 100).toFixed(2)]),
    }));
  }

  /** Sales by weekday (0 = Monday) × hour (Asia/Shanghai): 7 × 24 cells, quiet ones as zeros. */
  async peakHours(range: DayRange): Promise<Report<ReportRows['peak-hours']>> {
    checkRange(range);
    const cells = Array.from({ length: 7 * 24 }, (_, n) => ({
      weekday: Math.floor(n / 24),
      hour: n % 24,
      count: 0,
      amount: 0,
    }));
    for (const r of await this.repo.salesByHour(range.fromDay, range.toDay, range.campusId)) {
      // The query answers the hour's start on Shanghai's wall clock as if it were UTC.
      const { weekday, hour } = shanghaiParts(Number(r.hour_local_ms) - shanghaiOffsetMs);
      const cell = cells[weekday * 24 + hour];
      if (!cell) throw new Error(`hour bucket out of range: ${r.hour_local_ms}`);
      cell.count += Number(r.n);
      cell.amount += Number(r.amount);
    }
    return report(range, cells, () => ({
      header: ['星期', '小时', '消费笔数', '消费金额(元)'],
      rows: cells.map((c) => [weekdays[c.weekday] as string, c.hour, c.count, fenToYuan(c.amount)]),
    }));
  }

  async deviceUsage(range: DayRange): Promise<Report<ReportRows['device-usage']>> {
    checkRange(range);
    const items = (await this.repo.deviceUsage(range.fromDay, range.toDay)).map((r) => {
      const operationCount = Number(r.operation_count);
      const acceptedCount = Number(r.accepted_count);
      return {
        deviceId: String(r.device_id),
        kind: text(r.device_kind),
        merchantId: text(r.merchant_id),
        operationCount,
        acceptedCount,
        refusedCount: operationCount - acceptedCount,
        paymentAmount: Number(r.payment_amount),
        lastAtMs: Number(r.last_at_ms),
      };
    });
    return report(range, items, () => ({
      header: ['设备编号', '类型', '商户编号', '交易数', '成功数', '拒绝数', '消费金额(元)', '最后交易时间'],
      rows: items.map((i) => [
        i.deviceId,
        i.kind,
        i.merchantId,
        i.operationCount,
        i.acceptedCount,
        i.refusedCount,
        fenToYuan(i.paymentAmount),
        shanghaiTime(i.lastAtMs),
      ]),
    }));
  }

  /** Per session that started in the range; `present` counts sign-ins of people on the roster. */
  async attendanceSessions(range: DayRange): Promise<Report<ReportRows['attendance/sessions']>> {
    checkRange(range);
    const items = (await this.repo.attendance(range.fromDay, range.toDay, sessionsMax)).map((r) => {
      const rosterCount = Number(r.roster_count);
      const presentCount = Number(r.present_count);
      return {
        sessionId: String(r.id),
        kind: String(r.kind),
        title: String(r.title),
        startsAtMs: Number(r.starts_at_ms),
        term: text(r.term),
        courseCode: text(r.course_code),
        rosterCount,
        presentCount,
        extraCount: Number(r.record_count) - presentCount,
        ratePercent: percent(presentCount, rosterCount),
      };
    });
    return report(range, items, () => ({
      header: [
        '场次编号',
        '类型',
        '名称',
        '开始时间',
        '学期',
        '课程代码',
        '应到',
        '实到',
        '名单外签到',
        '出勤率(%)',
      ],
      rows: items.map((i) => [
        i.sessionId,
        i.kind,
        i.title,
        shanghaiTime(i.startsAtMs),
        i.term,
        i.courseCode,
        i.rosterCount,
        i.presentCount,
        i.extraCount,
        i.ratePercent,
      ]),
    }));
  }

  /** The sessions above summed per course (term + course code from the identity sync). */
  async attendanceCourses(range: DayRange): Promise<Report<ReportRows['attendance/courses']>> {
    const sessions = await this.attendanceSessions(range);
    const courses = new Map<string, Omit<ReportRows['attendance/courses'], 'ratePercent'>>();
    for (const s of sessions.items) {
      if (s.term === null || s.courseCode === null) continue;
      const key = `${s.term}\u0000${s.courseCode}`;
      const c = courses.get(key) ?? {
        term: s.term,
        courseCode: s.courseCode,
        title: s.title,
        sessionCount: 0,
        rosterCount: 0,
        presentCount: 0,
      };
      c.sessionCount += 1;
      c.rosterCount += s.rosterCount;
      c.presentCount += s.presentCount;
      courses.set(key, c);
    }
    const items = [...courses.values()].map((c) => ({
      ...c,
      ratePercent: percent(c.presentCount, c.rosterCount),
    }));
    return report(range, items, () => ({
      header: ['学期', '课程代码', '课程', '场次', '应到人次', '实到人次', '出勤率(%)'],
      rows: items.map((i) => [
        i.term,
        i.courseCode,
        i.title,
        i.sessionCount,
        i.rosterCount,
        i.presentCount,
        i.ratePercent,
      ]),
    }));
  }
}

/** The CSV export of a report: UTF-8 with a BOM so Excel shows Chinese, CRLF lines. */
export function reportCsv(report: Report<unknown>): string {
  const { header, rows } = report.table();
  return csvDocument(header, rows);
}

export function report<T>(range: DayRange, items: T[], table: () => Table): Report<T> {
  return { from: formatDay(range.fromDay), to: formatDay(range.toDay), items, table };
}

export function checkRange(range: DayRange): void {
  if (range.toDay < range.fromDay) throw new CoreError('VALIDATION_FAILED', 'to: must not be before from');
  if (range.toDay - range.fromDay + 1 > rangeDaysMax)
    throw new CoreError('VALIDATION_FAILED', `a report covers at most ${rangeDaysMax} days`);
}

/** The sales columns of a sheet; 联盟卡 (another centre's cards at our devices) is part of 消费. */
const salesHeader = [
  '消费笔数',
  '消费金额(元)',
  '其中联盟卡笔数',
  '其中联盟卡金额(元)',
  '退款笔数',
  '退款金额(元)',
  '净额(元)',
];

function sales(r: Row | undefined): Sales {
  const paymentAmount = Number(r?.payment_amount ?? 0);
  const refundAmount = Number(r?.refund_amount ?? 0);
  return {
    paymentCount: Number(r?.payment_count ?? 0),
    paymentAmount,
    foreignSaleCount: Number(r?.foreign_sale_count ?? 0),
    foreignSaleAmount: Number(r?.foreign_sale_amount ?? 0),
    refundCount: Number(r?.refund_count ?? 0),
    refundAmount,
    netAmount: paymentAmount - refundAmount,
  };
}

function salesCells(s: Sales): (string | number)[] {
  return [
    s.paymentCount,
    fenToYuan(s.paymentAmount),
    s.foreignSaleCount,
    fenToYuan(s.foreignSaleAmount),
    s.refundCount,
    fenToYuan(s.refundAmount),
    fenToYuan(s.netAmount),
  ];
}

/**
 * Shares of a whole in basis points that add up to exactly 10000 (largest remainders get the
 * rounding), or all 0 when there is nothing; computed in BigInt, as amounts may be large.
 */
export function sharesBp(amounts: readonly number[]): number[] {
  const total = amounts.reduce((s, a) => s + BigInt(a), 0n);
  if (total === 0n) return amounts.map(() => 0);
  const exact = amounts.map((a) => BigInt(a) * 10_000n);
  const shares = exact.map((e) => Number(e / total));
  let left = 10_000 - shares.reduce((s, n) => s + n, 0);
  const order = exact
    .map((e, i) => ({ i, rest: e % total }))
    .sort((x, y) => (y.rest > x.rest ? 1 : y.rest < x.rest ? -1 : x.i - y.i));
  for (const { i } of order) {
    if (left === 0) break;
    shares[i] = (shares[i] as number) + 1;
    left -= 1;
  }
  return shares;
}

export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10;
}

export function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** 'YYYY-MM-DD HH:mm' in Asia/Shanghai. */
export function shanghaiTime(atMs: number): string {
  return formatMinute(atMs);
}
