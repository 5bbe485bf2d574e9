import type { CoreClient } from '@campus-card/core/client';
import { BffError } from '../../errors.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Campus insight as the signed-in admin (docs/analytics.md): every view of people's figures goes on
// the audit trail with the viewer's reason before it is fetched; a view the trail cannot hold is not
// shown. A counsellor sees their own department's students only.

export class InsightAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

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
      },
    });
    return this.core.insightAttendanceWarnings({ ...request, ...(department ? { department } : {}) });
  }
}
