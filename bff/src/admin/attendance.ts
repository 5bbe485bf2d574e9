import type { AttendanceQuery } from '@campus-card/core/client';
import {
  attendanceGroupBySchema,
  attendanceKinds,
  attendanceSessionId,
  day,
} from '@campus-card/core/contract';
import { z } from 'zod';
import { parseValue } from '../http/middleware.ts';
import type { AdminRoute } from './routes.ts';

// The attendance pages (考勤): sessions over a range of days with expected, on time, late, absent and
// the rate; the rate by day per course or class; one session's roster; each list exportable. The
// core does the counting; services/attendance-admin.ts applies a department admin's scope, which no
// query can widen.

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

export const attendanceRoutes: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: '/attendance/sessions',
    right: 'attendance.read',
    handle: (ctx, admin, s) => {
      const { format, ...q } = parseValue({ ...ctx.query }, sessionsQuery);
      return s.attendance.sessions(admin, format, q as AttendanceQuery);
    },
  },
  {
    method: 'GET',
    path: '/attendance/by-day',
    right: 'attendance.read',
    handle: (ctx, admin, s) =>
      s.attendance.byDay(
        admin,
        parseValue({ ...ctx.query }, byDayQuery) as AttendanceQuery & { groupBy: 'course' | 'class' },
      ),
  },
  {
    method: 'GET',
    path: '/attendance/sessions/:id',
    right: 'attendance.read',
    handle: (ctx, admin, s) => {
      const { id } = parseValue(ctx.params, sessionPath);
      const { format, ...q } = parseValue({ ...ctx.query }, rosterQuery);
      return s.attendance.session(admin, id, format, q);
    },
  },
];
