import type { Approval, CoreClient } from '@campus-card/core/client';
import { BffError } from '../../errors.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { Approvals } from './approvals.ts';
import type { AuditTrail } from './audit-trail.ts';
import { accepted, type CardAffairs } from './card-affairs.ts';

export interface AdjustmentInput {
  requestId: string;
  cardNo: string;
  wallet: 'main' | 'subsidy';
  /** Fen; positive credits the wallet, negative debits it. */
  amount: number;
  reason: string;
}

/**
 * Manual adjustments: a correcting transfer between a wallet and SYS-ADJUSTMENT with a reason, posted
 * at once or after a second admin's approval (approvals.ts decides which). The ledger operation id
 * comes from the request (adm-adj-…) or the approval (apr-adj-…), so every retry posts once.
 */
export class Adjustments {
  constructor(
    private readonly core: CoreClient,
    private readonly cards: CardAffairs,
    private readonly audit: AuditTrail,
    private readonly approvals: Approvals,
  ) {
    // An approval posts under apr-adj-<approval id>, a direct request under adm-adj-<request id>:
    // no request id can take an approval's ledger id (#12.10).
    approvals.handle('adjustment', (approval) =>
      this.post(`apr-adj-${approval.id}`, approval.payload as Omit<AdjustmentInput, 'requestId'>),
    );
  }

  async request(admin: AdminSession, input: AdjustmentInput) {
    await this.cards.card(admin, input.cardNo);
    const { requestId, ...payload } = input;
    if ((await this.approvals.route(admin, 'adjustment', requestId, input.amount)) === 'approval') {
      const approval: Approval = await this.approvals.propose(
        admin,
        {
          kind: 'adjustment',
          payload,
          amount: input.amount,
          reason: input.reason,
          targetId: input.cardNo,
          requestId,
        },
        { wallet: input.wallet, amount: input.amount, reason: input.reason },
      );
      return { status: 'pending_approval' as const, approval };
    }
    const answer = await this.post(`adm-adj-${requestId}`, payload);
    if (!answer.replayed)
      await this.audit.record(admin, 'adjustment.post', 'card', input.cardNo, {
        operationId: answer.id,
        wallet: input.wallet,
        amount: input.amount,
        reason: input.reason,
      });
    return { status: 'posted' as const, operation: answer };
  }

  private async post(operationId: string, input: Omit<AdjustmentInput, 'requestId'>) {
    const accounts = await this.core.walletAccounts(input.cardNo);
    if (!Number.isSafeInteger(input.amount) || input.amount === 0)
      throw new BffError('VALIDATION_FAILED', 'an adjustment is a non-zero whole number of fen');
    return accepted(
      await this.core.adjust({
        id: operationId,
        accountId: input.wallet === 'main' ? accounts.main : accounts.subsidy,
        amount: input.amount,
        reason: input.reason,
      }),
    );
  }
}
