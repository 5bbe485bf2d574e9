import type { Context } from 'koa';
import Router from 'koa-router';
import { z } from 'zod';
import {
  attendanceFormatSchema,
  attendanceGroupBySchema,
  attendancePeopleFilter,
  attendanceSessionPathSchema,
  attendanceSessionsQuerySchema,
} from '../../contract/attendance.ts';
import type { AttendanceReport } from '../../reports/attendance-report.ts';
import type { Table } from '../../reports/report-service.ts';
import { csvDocument, writeXlsx } from '../../sheets.ts';
import { parseValue } from '../middleware.ts';

const format = attendanceFormatSchema;
const people = attendancePeopleFilter;
const sessionsQuery = attendanceSessionsQuerySchema;
const sessionId = attendanceSessionPathSchema;
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
      sessionsQuery.extend({ groupBy: attendanceGroupBySchema }),
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
