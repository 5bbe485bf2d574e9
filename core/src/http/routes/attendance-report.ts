import type { Context } from 'koa';
import Router from 'koa-router';
import { z } from 'zod';
import { attendanceSessionId } from '../../contract/fields.ts';
import { attendanceKinds } from '../../devices/attendance-service.ts';
import type { AttendanceReport } from '../../reports/attendance-report.ts';
import type { Table } from '../../reports/report-service.ts';
import { csvDocument, writeXlsx } from '../../sheets.ts';
import { parseDay } from '../../time.ts';
import { parseValue } from '../middleware.ts';

const day = z.string().transform((text, ctx) => {
  const parsed = parseDay(text);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a date YYYY-MM-DD' });
    return z.NEVER;
  }
  return parsed;
});
const format = z.enum(['json', 'csv', 'xlsx']).default('json');
const people = {
  department: z.string().trim().min(1).max(64).optional(),
  classCode: z.string().trim().min(1).max(16).optional(),
};
const sessionsQuery = z.object({
  from: day,
  to: day,
  kind: z.enum(attendanceKinds).optional(),
  courseCode: z.string().trim().min(1).max(16).optional(),
  ...people,
});
const sessionId = z.object({ id: attendanceSessionId });
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Answers a sheet as the download asked for (CSV with a BOM, or one .xlsx sheet). */
async function sheet(ctx: Context, kind: 'csv' | 'xlsx', file: string, table: Table): Promise<void> {
  ctx.set('content-disposition', `attachment; filename="${file}.${kind}"`);
  if (kind === 'csv') {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = csvDocument(table.header, table.rows);
  } else {
    ctx.type = xlsxType;
    ctx.body = await writeXlsx('attendance', table.header, table.rows);
  }
}

/**
 * The backoffice's attendance pages, read-only: GET /v1/attendance/sessions (a range, filters,
 * format), /v1/attendance/by-day (groupBy course|class) and /v1/attendance/sessions/:id (the roster).
 */
export function attendanceReportRoutes(attendance: AttendanceReport): Router {
  const router = new Router({ prefix: '/v1/attendance' });
  router.get('/sessions', async (ctx) => {
    const { from, to, format: as, ...filter } = parseValue(ctx.query, sessionsQuery.extend({ format }));
    const report = await attendance.sessions({ fromDay: from, toDay: to }, filter);
    if (as === 'json') ctx.body = { from: report.from, to: report.to, items: report.items };
    else await sheet(ctx, as, `attendance-${report.from}-${report.to}`, report.table());
  });
  router.get('/by-day', async (ctx) => {
    const { from, to, groupBy, ...filter } = parseValue(
      ctx.query,
      sessionsQuery.extend({ groupBy: z.enum(['course', 'class']).default('course') }),
    );
    ctx.body = await attendance.byDay({ fromDay: from, toDay: to }, filter, groupBy);
  });
  router.get('/sessions/:id', async (ctx) => {
    const { id } = parseValue(ctx.params, sessionId);
    const { format: as, ...filter } = parseValue(ctx.query, z.object({ format, ...people }));
    const found = await attendance.session(id, filter);
    if (as === 'json') ctx.body = { session: found.session, roster: found.roster };
    else await sheet(ctx, as, `attendance-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`, found.table());
  });
  return router;
}
