import type { CoreClient } from '@campus-card/core/client';
import type { ReportName } from '@campus-card/core/contract';
import { Download } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// The reports and the identity sync runs as the signed-in admin: every export is on the audit trail
// (campus insight is insight-admin.ts).

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
    range: { from: string; to: string; campusId?: string | undefined },
    format: 'json' | 'csv' | 'xlsx',
  ) {
    if (format === 'json') return this.core.report(name, range);
    const campus = range.campusId === undefined ? '' : `-${range.campusId}`;
    const file = `${name.replace('/', '-')}-${range.from}-${range.to}${campus}.${format}`;
    const bytes =
      format === 'csv'
        ? Buffer.from(await this.core.reportCsv(name, range))
        : await this.core.reportXlsx(name, range);
    await this.audit.record(admin, 'report.export', 'report', name, { ...range, format });
    return new Download(file, format, bytes);
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
