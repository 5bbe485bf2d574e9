import type { CoreClient } from '@campus-card/core/client';
import type { ReportName } from '@campus-card/core/contract';
import { Download } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// The reports, campus insight and the identity sync runs as the signed-in admin: every export and
// every insight view is on the audit trail.

/** The reports and the identity sync runs as the signed-in admin. */
export class ReportAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  /** A report over a range of days, or its export: data leaving the system, so who took it is recorded. */
  async report(
    admin: AdminSession,
    name: ReportName,
    range: { from: string; to: string },
    format: 'json' | 'csv' | 'xlsx',
  ) {
    if (format === 'json') return this.core.report(name, range);
    const file = `${name.replace('/', '-')}-${range.from}-${range.to}.${format}`;
    const bytes =
      format === 'csv'
        ? Buffer.from(await this.core.reportCsv(name, range))
        : await this.core.reportXlsx(name, range);
    await this.audit.record(admin, 'report.export', 'report', name, { ...range, format });
    return new Download(file, format, bytes);
  }

  /**
   * Hidden-need candidates for the student-aid office: the view goes on the audit trail with the
   * viewer's reason first; a view the audit trail cannot hold is not shown.
   */
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

  syncRun(id: string, q: { errorsAfter?: number | undefined }) {
    return this.core.syncRun(id, { errorsLimit: 200, ...q });
  }

  async startSync(admin: AdminSession, kind: 'incremental' | 'full') {
    const run = await this.core.startSyncRun(kind, { type: 'admin', id: admin.adminId });
    await this.audit.record(admin, 'sync.start', 'sync_run', run.id, { kind });
    return run;
  }
}
