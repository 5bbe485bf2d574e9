import type { CoreClient } from '@campus-card/core/client';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Offline exceptions: the core closes each once and moves its money in the same transaction; a
// retried request (same requestId) answers the same and is not audited again.

const pageSize = 50;

export class OfflineExceptionAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  list(q: {
    status: 'open' | 'closed';
    beforeAtMs?: number | undefined;
    beforeId?: string | undefined;
    campusId?: string | undefined;
  }) {
    const before =
      q.beforeAtMs !== undefined && q.beforeId !== undefined
        ? { beforeAtMs: q.beforeAtMs, beforeId: q.beforeId }
        : undefined;
    return this.core.offlineExceptions(q.status, pageSize, before, q.campusId);
  }

  /** Recovers, writes off or dismisses an exception as the signed-in admin; audited once. */
  async resolve(
    admin: AdminSession,
    id: string,
    body: Omit<Parameters<CoreClient['resolveOfflineException']>[1], 'actorId'>,
  ) {
    const resolved = await this.core.resolveOfflineException(id, { ...body, actorId: admin.adminId });
    if (!resolved.replayed) {
      await this.audit.record(admin, `offline_exception.${body.action}`, 'offline_exception', id, {
        deviceId: resolved.deviceId,
        cardNo: resolved.cardNo,
        amount: resolved.amount,
        receivableAmount: resolved.receivableAmount,
        operationId: resolved.resolutionOperationId,
        note: body.note,
      });
    }
    return resolved;
  }
}
