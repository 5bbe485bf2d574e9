import type { AuditEntry, CoreClient } from '@campus-card/core/client';
import type { AdminSession } from './admin-sessions.ts';

/**
 * What every admin action leaves behind: one row in the core's audit chain naming who (the admin's
 * id and username), what, whom and when. Details carry ids and amounts, never passwords or codes.
 */
export class AuditTrail {
  constructor(private readonly core: CoreClient) {}

  record(
    admin: Pick<AdminSession, 'adminId' | 'username'>,
    action: string,
    targetType: string | null,
    targetId: string | null,
    detail: Record<string, unknown> = {},
  ): Promise<AuditEntry> {
    return this.core.appendAudit({
      actorType: 'admin',
      actorId: admin.adminId || null,
      action,
      targetType,
      targetId,
      detail: { by: admin.username, ...detail },
    });
  }
}
