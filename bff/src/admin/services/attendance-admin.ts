import type { AttendanceQuery, CoreClient } from '@campus-card/core/client';
import { Download } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// The attendance pages (考勤): the core does the counting; this service applies a department admin's
// scope, which no query can widen, and puts who took each export on the record.

type Format = 'json' | 'csv' | 'xlsx';
type People = { department?: string | undefined; classCode?: string | undefined };

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

export class AttendanceAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  /** Sessions over a range of days, or their export. */
  async sessions(admin: AdminSession, format: Format, q: AttendanceQuery) {
    const filter = defined(scoped(admin, q)) as AttendanceQuery;
    if (format === 'json') return this.core.attendanceSessions(filter);
    const bytes = await this.core.attendanceSheet({ sessions: filter }, format);
    return this.exported(admin, format, `attendance-${q.from}-${q.to}`, 'sessions', { ...filter }, bytes);
  }

  byDay(admin: AdminSession, q: AttendanceQuery & { groupBy: 'course' | 'class' }) {
    return this.core.attendanceByDay(
      defined(scoped(admin, q)) as AttendanceQuery & { groupBy: 'course' | 'class' },
    );
  }

  /** One session's roster, or its export. */
  async session(admin: AdminSession, id: string, format: Format, q: People) {
    const filter = defined(scoped(admin, q));
    if (format === 'json') return this.core.attendanceSession(id, filter);
    const bytes = await this.core.attendanceSheet({ sessionId: id, ...filter }, format);
    return this.exported(admin, format, `attendance-${id.replace(/[^\w-]/g, '_')}`, id, filter, bytes);
  }

  /** Hands an export over as a download and puts who took it on the record. */
  private async exported(
    admin: AdminSession,
    format: 'csv' | 'xlsx',
    file: string,
    target: string,
    detail: Record<string, unknown>,
    bytes: Buffer,
  ): Promise<Download> {
    await this.audit.record(admin, 'attendance.export', 'attendance', target, { ...detail, format });
    return new Download(`${file}.${format}`, format, bytes);
  }
}
