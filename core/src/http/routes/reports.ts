import type { Context } from 'koa';
import Router from 'koa-router';
import {
  campusReports,
  perMinuteQuery,
  type ReportName,
  reportNames,
  reportQuery,
} from '../../contract/reports.ts';
import { CoreError } from '../../errors.ts';
import { type DayRange, type Report, type ReportService, reportCsv } from '../../reports/report-service.ts';
import { writeXlsx } from '../../sheets.ts';
import { parseValue } from '../middleware.ts';

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function reportRoutes(reports: ReportService): Router {
  const router = new Router({ prefix: '/v1/reports' });
  const build: Record<ReportName, (range: DayRange) => Promise<Report<unknown>>> = {
    'turnover/daily': (r) => reports.turnoverByDay(r),
    'turnover/merchants': (r) => reports.turnoverByMerchant(r),
    'turnover/categories': (r) => reports.turnoverByCategory(r),
    'turnover/campuses': (r) => reports.turnoverByCampus(r),
    'top-up-channels': (r) => reports.topUpChannels(r),
    'peak-hours': (r) => reports.peakHours(r),
    'device-usage': (r) => reports.deviceUsage(r),
    'attendance/sessions': (r) => reports.attendanceSessions(r),
    'attendance/courses': (r) => reports.attendanceCourses(r),
  };
  // The live dashboard: the last minutes, not a range of days; JSON only.
  router.get('/per-minute', async (ctx: Context) => {
    const q = parseValue(ctx.query, perMinuteQuery);
    ctx.body = { items: await reports.perMinute(q.minutes, q.campusId) };
  });
  for (const name of reportNames) {
    router.get(`/${name}`, async (ctx: Context) => {
      const q = parseValue(ctx.query, reportQuery);
      // A campus narrows only the sales reports; elsewhere it would be silently ignored, so it is refused.
      if (q.campusId !== undefined && !campusReports.includes(name))
        throw new CoreError('VALIDATION_FAILED', `${name} cannot be narrowed to a campus`);
      const report = await build[name]({
        fromDay: q.from,
        toDay: q.to,
        ...(q.campusId === undefined ? {} : { campusId: q.campusId }),
      });
      const file = `${name.replace('/', '-')}-${report.from}-${report.to}`;
      if (q.format === 'csv') {
        ctx.type = 'text/csv; charset=utf-8';
        ctx.set('content-disposition', `attachment; filename="${file}.csv"`);
        ctx.body = reportCsv(report);
      } else if (q.format === 'xlsx') {
        const { header, rows } = report.table();
        ctx.type = xlsxType;
        ctx.set('content-disposition', `attachment; filename="${file}.xlsx"`);
        ctx.body = await writeXlsx(name.replace('/', '-'), header, rows);
      } else ctx.body = { from: report.from, to: report.to, items: report.items };
    });
  }
  return router;
}
