/**
 * Reports on the wire (docs/reporting.md): the report names, the range query (Asia/Shanghai days),
 * the answer of a JSON report and the live dashboard's per-minute series.
 */
import { z } from 'zod';
import { parseDay } from '../time.ts';
import { campusId } from './campuses.ts';

/** Names of the reports: /v1/reports/<name>?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv|xlsx]. */
export const reportNames = [
  'turnover/daily',
  'turnover/merchants',
  'turnover/categories',
  'turnover/campuses',
  'top-up-channels',
  'peak-hours',
  'device-usage',
  'attendance/sessions',
  'attendance/courses',
] as const;
export const reportName = z.enum(reportNames);
export type ReportName = z.infer<typeof reportName>;

/** The longest window the live dashboard may ask for, in minutes. */
export const perMinuteMinutesMax = 180;

/** A day of the query, 'YYYY-MM-DD', parsed to the Asia/Shanghai day number (time.ts parseDay). */
const reportDay = z.string().transform((text, ctx) => {
  const parsed = parseDay(text);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a date YYYY-MM-DD' });
    return z.NEVER;
  }
  return parsed;
});

/** GET /v1/reports/<name>: the days from..to (inclusive) and the format of the answer. */
export const reportQuery = z.object({
  from: reportDay,
  to: reportDay,
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  /** One campus's merchants only (docs/campuses.md); only the reports in campusReports take it. */
  campusId: campusId.optional(),
});
/** What a caller sends: the days as text, and a campus for the reports that take one. */
export type ReportRange = { from: string; to: string; campusId?: string };

/** The reports that can be narrowed to one campus's merchants (sales counted at its merchants). */
export const campusReports: readonly ReportName[] = [
  'turnover/daily',
  'turnover/merchants',
  'turnover/categories',
  'peak-hours',
];

/** A report as JSON: the days it covers and its rows (each report's own shape). */
export const reportAnswer = z.object({ from: z.string(), to: z.string(), items: z.array(z.unknown()) });
export type ReportAnswer<T = Record<string, unknown>> = { from: string; to: string; items: T[] };

/**
 * GET /v1/reports/per-minute?minutes=&campusId=: the last minutes (60 by default), oldest first; with a
 * campus, the payments at its merchants only and no top-ups (a top-up is the centre's, not a campus's).
 */
export const perMinuteQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(perMinuteMinutesMax).default(60),
  campusId: campusId.optional(),
});
export const perMinuteRow = z.object({
  minuteMs: z.number().int(),
  paymentCount: z.number().int(),
  paymentAmount: z.number().int(),
  topUpCount: z.number().int(),
  topUpAmount: z.number().int(),
});
export const perMinuteAnswer = z.object({ items: z.array(perMinuteRow) });
export type PerMinuteRow = z.infer<typeof perMinuteRow>;
export type PerMinuteAnswer = z.infer<typeof perMinuteAnswer>;

/** A day's, merchant's or category's sales, counted the way settlement counts them. */
export interface SalesTotals {
  paymentCount: number;
  paymentAmount: number;
  /** Of the payments: another centre's cards at our devices (docs/federation.md). */
  foreignSaleCount: number;
  foreignSaleAmount: number;
  refundCount: number;
  refundAmount: number;
  /** paymentAmount − refundAmount: what the merchants' statements call the journal net. */
  netAmount: number;
}

/** A top-up channel's count and amount, with its share of the amount in basis points. */
export interface TopUpChannelRow {
  channel: string;
  count: number;
  amount: number;
  shareBp: number;
}

/** Sales in one weekday (0 = Monday) × hour (Asia/Shanghai) cell. */
export interface PeakHourCell {
  weekday: number;
  hour: number;
  count: number;
  amount: number;
}

export interface DeviceUsageRow {
  deviceId: string;
  kind: string | null;
  merchantId: string | null;
  operationCount: number;
  acceptedCount: number;
  refusedCount: number;
  paymentAmount: number;
  lastAtMs: number;
}

/** A session that started in the range; `presentCount` counts sign-ins of people on the roster. */
export interface AttendanceSessionReportRow {
  sessionId: string;
  kind: string;
  title: string;
  startsAtMs: number;
  term: string | null;
  courseCode: string | null;
  rosterCount: number;
  presentCount: number;
  /** Sign-ins by people not on the roster (walk-ins), not counted in the rate. */
  extraCount: number;
  ratePercent: number;
}

/** The sessions summed per course (term + course code from the identity sync). */
export interface AttendanceCourseRow {
  term: string;
  courseCode: string;
  title: string;
  sessionCount: number;
  rosterCount: number;
  presentCount: number;
  ratePercent: number;
}

/** Each report's rows (the `items` of its JSON answer). */
export interface ReportRows {
  'turnover/daily': SalesTotals & { day: string };
  'turnover/merchants': SalesTotals & { merchantId: string; name: string; category: string };
  'turnover/categories': SalesTotals & { category: string };
  /** Sales grouped by the merchant's campus; campusId null: centre-wide merchants. */
  'turnover/campuses': SalesTotals & { campusId: string | null; campusName: string };
  'top-up-channels': TopUpChannelRow;
  'peak-hours': PeakHourCell;
  'device-usage': DeviceUsageRow;
  'attendance/sessions': AttendanceSessionReportRow;
  'attendance/courses': AttendanceCourseRow;
}
