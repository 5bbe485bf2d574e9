import type { CoreClient } from '@campus-card/core/client';
import type { WindowCapacity } from '@campus-card/core/contract/insight';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

/**
 * Canteen window capacities as the card centre sets them on the merchants page: payments per 15
 * minutes each window serves, against which the app's 空闲/适中/繁忙/拥挤 is graded. A change is audited
 * with the value before and after; setting the value it already has is not recorded again.
 */
export class WindowCapacityAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  list(): Promise<{ items: WindowCapacity[] }> {
    return this.core.windowCapacities();
  }

  async set(admin: AdminSession, merchantId: string, paymentsPer15Min: number | null) {
    const before = (await this.core.windowCapacities()).items.find((c) => c.merchantId === merchantId);
    const answer = await this.core.setWindowCapacity(merchantId, {
      paymentsPer15Min,
      updatedBy: admin.adminId,
    });
    if ((before?.paymentsPer15Min ?? null) !== paymentsPer15Min)
      await this.audit.record(admin, 'merchant.window_capacity', 'merchant', merchantId, {
        before: before?.paymentsPer15Min ?? null,
        after: paymentsPer15Min,
      });
    return answer;
  }
}
