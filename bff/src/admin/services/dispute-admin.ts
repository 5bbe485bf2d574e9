import type { CoreClient } from '@campus-card/core/client';
import type { Dispute, DisputeStatus } from '@campus-card/core/contract';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';
import { holderNames } from './holder-names.ts';

export interface DisputeRow extends Dispute {
  merchantName: string;
  holderName: string | null;
  decidedByName: string | null;
}

/**
 * 消费纠错 as the card centre sees it (#19): the disputes with the merchant's and the holder's names,
 * and the decision — accept with a refund through the ledger, or reject with a reason — audited once
 * (a retry that changes nothing is not audited again).
 */
export class DisputeAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  async list(status: DisputeStatus | undefined): Promise<{ items: DisputeRow[] }> {
    const { items } = await this.core.disputes(status ? { status } : {});
    return { items: await this.named(items) };
  }

  async accept(admin: AdminSession, id: string, body: { amount: number; note?: string | undefined }) {
    const before = await this.core.dispute(id);
    const accepted = await this.core.acceptDispute(id, {
      amount: body.amount,
      decidedBy: admin.adminId,
      ...(body.note ? { note: body.note } : {}),
    });
    if (before.status !== 'accepted') {
      await this.audit.record(admin, 'dispute.accept', 'dispute', id, {
        cardNo: accepted.cardNo,
        paymentId: accepted.paymentId,
        amount: body.amount,
        operationId: accepted.refundOperationId,
      });
    }
    return (await this.named([accepted]))[0];
  }

  async reject(admin: AdminSession, id: string, reason: string) {
    const before = await this.core.dispute(id);
    const rejected = await this.core.rejectDispute(id, { reason, decidedBy: admin.adminId });
    if (before.status !== 'rejected') {
      await this.audit.record(admin, 'dispute.reject', 'dispute', id, {
        cardNo: rejected.cardNo,
        paymentId: rejected.paymentId,
        reason,
      });
    }
    return (await this.named([rejected]))[0];
  }

  /** The merchant's, holder's and decider's names for display (the core keeps ids). */
  private async named(items: readonly Dispute[]): Promise<DisputeRow[]> {
    if (items.length === 0) return [];
    const [merchants, admins] = await Promise.all([this.core.merchants(), this.core.admins()]);
    const merchantNames = new Map(merchants.map((m) => [m.id, m.name]));
    const adminNames = new Map(admins.items.map((a) => [a.id, a.displayName]));
    const holders = await holderNames(
      this.core,
      items.map((d) => d.cardNo),
    );
    return items.map((d) => ({
      ...d,
      merchantName: merchantNames.get(d.merchantId) ?? '未知商户',
      holderName: holders.get(d.cardNo) ?? null,
      decidedByName: d.decidedBy === null ? null : (adminNames.get(d.decidedBy) ?? d.decidedBy),
    }));
  }
}
