import type { CoreClient } from '@campus-card/core/client';
import type { Dispute, DisputeReason } from '@campus-card/core/contract';
import type { BindingService } from './bindings.ts';

/** 消费纠错 for a bound card holder: dispute one of their payments, and follow their disputes. */
export class Disputes {
  constructor(
    private readonly core: CoreClient,
    private readonly bindings: BindingService,
  ) {}

  async open(
    openid: string,
    input: { requestId: string; paymentId: string; reason: DisputeReason; note?: string | undefined },
  ): Promise<Dispute> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.openDispute({
      requestId: input.requestId,
      cardNo,
      paymentId: input.paymentId,
      reason: input.reason,
      ...(input.note ? { note: input.note } : {}),
    });
  }

  /** The caller's disputes, newest first; with a payment id, only that payment's. */
  async mine(openid: string, paymentId?: string): Promise<{ items: Dispute[] }> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.disputes(paymentId ? { cardNo, paymentId } : { cardNo });
  }
}
