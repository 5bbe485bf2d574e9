import type { AttendanceQuery } from '@campus-card/core/client';
import {
  attendanceGroupBySchema,
  attendanceKinds,
  attendanceSessionId,
  day,
} from '@campus-card/core/contract';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseValue } from '../http/middleware.ts';
import type { AdminSession } from './admin-sessions.ts';
import type { AdminRoute } from './routes.ts';
import type { AuditTrail } from './services/audit-trail.ts';

// The attendance pages (考勤): sessions over a range of days with expected, on time, late, absent and
// the rate; the rate by day per course or class; one session's roster; each list exportable. The
// core does the counting; this file applies a department admin's scope, which no query can widen.

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));
const people = { department: optionalText(64), classCode: optionalText(16) };
const sessionsQuery = z.object({
  from: day,
  to: day,
  kind: z.enum(attendanceKinds).optional(),
  courseCode: optionalText(16),
  ...people,
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
const byDayQuery = sessionsQuery.omit({ format: true }).extend({
  groupBy: attendanceGroupBySchema,
});
const sessionPath = z.object({ id: attendanceSessionId });
const rosterQuery = z.object({ ...people, format: z.enum(['json', 'csv', 'xlsx']).default('json') });

/**
 * A department admin sees only their own department's people: whatever department the query names,
 * theirs is used, so a session without any of them is not listed and its roster answers NOT_FOUND.
 */
export function scoped<T extends { department?: string | undefined }>(admin: AdminSession, q: T): T {
  return admin.department === null ? q : { ...q, department: admin.department };
}

/** Drops the filters that were not given, as the core's query string wants them. */
function defined<T extends object>(q: T): T {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as T;
}

/** Hands an export over as a download and puts who took it on the record. */
async function exported(
  ctx: Context,
  admin: AdminSession,
  audit: AuditTrail,
  format: 'csv' | 'xlsx',
  file: string,
  target: string,
  detail: Record<string, unknown>,
  bytes: Buffer,
): Promise<Buffer> {
  await audit.record(admin, 'attendance.export', 'attendance', target, { ...detail, format });
  ctx.type =
    format === 'csv'
      ? 'text/csv; charset=utf-8'
      : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  ctx.set('content-disposition', `attachment; filename="${file}.${format}"`);
  return bytes;
}

export const attendanceRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/attendance/sessions',
    right: 'attendance.read',
    handle: async (ctx, admin, s) => {
      const { format, ...q } = parseValue({ ...ctx.query }, sessionsQuery);
      const filter = defined(scoped(admin, q)) as AttendanceQuery;
      if (format === 'json') return s.core.attendanceSessions(filter);
      const bytes = await s.core.attendanceSheet({ sessions: filter }, format);
      return exported(
        ctx,
        admin,
        s.audit,
        format,
        `attendance-${q.from}-${q.to}`,
        'sessions',
        { ...filter },
        bytes,
      );
    },
  },
  {
    method: 'GET',
    path: '/attendance/by-day',
    right: 'attendance.read',
    handle: (ctx, admin, s) =>
      s.core.attendanceByDay(
        defined(scoped(admin, parseValue({ ...ctx.query }, byDayQuery))) as AttendanceQuery & {
          groupBy: 'course' | 'class';
        },
      ),
  },
  {
    method: 'GET',
    path: '/attendance/sessions/:id',
    right: 'attendance.read',
    handle: async (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, sessionPath);
      const { format, ...q } = parseValue({ ...ctx.query }, rosterQuery);
      const filter = defined(scoped(admin, q));
      if (format === 'json') return s.core.attendanceSession(id, filter);
      const bytes = await s.core.attendanceSheet({ sessionId: id, ...filter }, format);
      return exported(
        ctx,
        admin,
        s.audit,
        format,
        `attendance-${id.replace(/[^\w-]/g, '_')}`,
        id,
        filter,
        bytes,
      );
    },
  },
];
