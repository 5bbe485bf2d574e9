import type { CoreClient } from '@campus-card/core/client';
import type { AdminSessions } from '../admin-sessions.ts';
import { AbsenceAdmin } from './absence-admin.ts';
import { AccessLogAdmin } from './access-log-admin.ts';
import { AccountAdmin } from './account-admin.ts';
import type { Approvals } from './approvals.ts';
import { AttendanceAdmin } from './attendance-admin.ts';
import type { AuditTrail } from './audit-trail.ts';
import { CampusAdmin } from './campus-admin.ts';
import { ContentAdmin } from './content-admin.ts';
import { DeviceAdmin } from './device-admin.ts';
import { DisputeAdmin } from './dispute-admin.ts';
import { InsightAdmin } from './insight-admin.ts';
import { MerchantAdmin } from './merchant-admin.ts';
import { OfflineExceptionAdmin } from './offline-exceptions.ts';
import { PassageAdmin } from './passage-admin.ts';
import { RefundListAdmin } from './refund-list.ts';
import { ReportAdmin } from './report-admin.ts';
import { SubsidyAdmin } from './subsidy-admin.ts';
import { WindowCapacityAdmin } from './window-capacity-admin.ts';

/** What the backoffice's domain services are built on. */
export interface AdminServiceDeps {
  core: CoreClient;
  audit: AuditTrail;
  approvals: Approvals;
  sessions: AdminSessions;
}

/**
 * The backoffice's domain services, built in one place from the shared dependencies (app.ts spreads
 * them into AdminServices). A new domain's service is one line here.
 */
export function adminDomainServices({ core, audit, approvals, sessions }: AdminServiceDeps) {
  return {
    accounts: new AccountAdmin(core, audit, sessions),
    content: new ContentAdmin(core, audit),
    devices: new DeviceAdmin(core, audit, approvals),
    merchants: new MerchantAdmin(core, audit),
    subsidies: new SubsidyAdmin(core, audit),
    reports: new ReportAdmin(core, audit),
    insight: new InsightAdmin(core, audit),
    refundList: new RefundListAdmin(core, audit),
    offlineExceptions: new OfflineExceptionAdmin(core, audit),
    attendance: new AttendanceAdmin(core, audit),
    passage: new PassageAdmin(core, audit),
    accessLog: new AccessLogAdmin(core, audit),
    disputes: new DisputeAdmin(core, audit),
    absences: new AbsenceAdmin(core, audit),
    windowCapacities: new WindowCapacityAdmin(core, audit),
    campuses: new CampusAdmin(core, audit),
  };
}

export type AdminDomainServices = ReturnType<typeof adminDomainServices>;
