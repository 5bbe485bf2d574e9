import type { CoreClient } from '@campus-card/core/client';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Subsidy batches (import, preview, maker–checker, posting) and term-end clearing, for finance: the
// core does the work and enforces maker ≠ checker; this service acts as the signed-in admin and
// audits every write.

/** Subsidy batches and clearings as the signed-in admin. */
export class SubsidyAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  batches(q: Omit<Parameters<CoreClient['subsidyBatches']>[0], 'limit'>) {
    return this.core.subsidyBatches({ ...q, limit: 50 });
  }

  preview(source: Parameters<CoreClient['previewSubsidyBatch']>[0]) {
    return this.core.previewSubsidyBatch(source);
  }

  async create(
    admin: AdminSession,
    input: Omit<Parameters<CoreClient['createSubsidyBatch']>[0], 'createdBy'>,
  ) {
    const batch = await this.core.createSubsidyBatch({ ...input, createdBy: admin.adminId });
    await this.audit.record(admin, 'subsidy.create', 'subsidy_batch', batch.id, {
      title: batch.title,
      validCount: batch.validCount,
      errorCount: batch.errorCount,
      totalAmount: batch.totalAmount,
    });
    return batch;
  }

  /** A batch with one page of its rows (200), errors only when asked. */
  batch(id: string, q: { errorsOnly?: 'true' | 'false' | undefined; afterRowNo?: number | undefined }) {
    return this.core.subsidyBatch(id, {
      ...(q.errorsOnly ? { errorsOnly: q.errorsOnly === 'true' } : {}),
      ...(q.afterRowNo !== undefined ? { afterRowNo: q.afterRowNo } : {}),
      limit: 200,
    });
  }

  async approve(admin: AdminSession, id: string) {
    const batch = await this.core.approveSubsidyBatch(id, admin.adminId);
    await this.audit.record(admin, 'subsidy.approve', 'subsidy_batch', id, {
      totalAmount: batch.totalAmount,
    });
    return batch;
  }

  async reject(admin: AdminSession, id: string, reason: string) {
    const batch = await this.core.rejectSubsidyBatch(id, admin.adminId, reason);
    await this.audit.record(admin, 'subsidy.reject', 'subsidy_batch', id, { reason });
    return batch;
  }

  async post(admin: AdminSession, id: string) {
    const batch = await this.core.postSubsidyBatch(id, admin.adminId);
    await this.audit.record(admin, 'subsidy.post', 'subsidy_batch', id, {
      validCount: batch.validCount,
      totalAmount: batch.totalAmount,
    });
    return batch;
  }

  clearings() {
    return this.core.subsidyClearings(20);
  }

  clearingPreview() {
    return this.core.subsidyClearingPreview();
  }

  clearing(id: string) {
    return this.core.subsidyClearing(id);
  }

  async startClearing(admin: AdminSession, reason: string) {
    const clearing = await this.core.startSubsidyClearing(admin.adminId, reason);
    await this.audit.record(admin, 'subsidy.clear', 'subsidy_clearing', clearing.id, {
      reason,
      cardCount: clearing.cardCount,
    });
    return clearing;
  }
}
