import type { Approval, CoreClient } from '@campus-card/core/client';
import { formatDay, shanghaiDay } from '@campus-card/core/time';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/kv.ts';
import type { AdminSession } from './admin-sessions.ts';
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

/** How long a request's route (post or approval) and an admin's daily total are remembered. */
const routeMemoryMs = 3 * 86_400_000;

/**
 * Manual adjustments: a correcting transfer between a wallet and SYS-ADJUSTMENT with a reason. Up
 * to the threshold it is posted at once; above it, it waits for a second admin (maker–checker).
 * The threshold holds per admin per Asia/Shanghai day too, so splitting 20,000 into three of 9,000
 * does not slip past the checker: once an admin's direct adjustments that day would pass it, each
 * further one waits for approval. The ledger operation id comes from the request (or the approval),
 * so every retry posts once, and a retried request takes the route its first try took.
 */
export class Adjustments {
  constructor(
    private readonly core: CoreClient,
    private readonly cards: CardAffairs,
    private readonly audit: AuditTrail,
    private readonly approvalAboveFen: number,
    private readonly kv: Kv,
  ) {}

  async request(admin: AdminSession, input: AdjustmentInput) {
    await this.cards.card(admin, input.cardNo);
    if ((await this.route(admin, input)) === 'approval') {
      const { requestId, ...payload } = input;
      const approval = await this.core.proposeApproval({
        kind: 'adjustment',
        payload,
        amount: input.amount,
        reason: input.reason,
        targetId: input.cardNo,
        makerId: admin.adminId,
        key: requestId,
      });
      await this.audit.record(admin, 'adjustment.propose', 'card', input.cardNo, {
        approvalId: approval.id,
        wallet: input.wallet,
        amount: input.amount,
        reason: input.reason,
      });
      return { status: 'pending_approval' as const, approval };
    }
    const answer = await this.post(`adm-adj-${input.requestId}`, input);
    if (!answer.replayed)
      await this.audit.record(admin, 'adjustment.post', 'card', input.cardNo, {
        operationId: answer.id,
        wallet: input.wallet,
        amount: input.amount,
        reason: input.reason,
      });
    return { status: 'posted' as const, operation: answer };
  }

  /**
   * A second admin decides. Approving posts the adjustment under the approval's id, so a retry
   * after a lost answer (or a crash between the decision and the posting) posts it exactly once.
   */
  async decide(admin: AdminSession, approvalId: string, decision: 'approved' | 'rejected') {
    const decided = await this.core.decideApproval(approvalId, admin.adminId, decision);
    if (decided.changed)
      await this.audit.record(
        admin,
        `adjustment.${decision === 'approved' ? 'approve' : 'reject'}`,
        'approval',
        approvalId,
        {
          cardNo: decided.targetId,
          amount: decided.amount,
          makerId: decided.makerId,
        },
      );
    if (decision === 'rejected') return { approval: decided };
    const payload = decided.payload as Omit<AdjustmentInput, 'requestId'>;
    const answer = await this.post(`adm-adj-${approvalId}`, payload);
    return { approval: decided, operation: answer };
  }

  /**
   * Post at once or wait for approval: decided once per request (a retry gets the same answer), by
   * the amount and by what this admin has adjusted directly today. The daily total is one atomic
   * counter per admin, so two requests at once cannot both slip under the threshold.
   */
  private async route(admin: AdminSession, input: AdjustmentInput): Promise<'post' | 'approval'> {
    if (Math.abs(input.amount) > this.approvalAboveFen) return 'approval';
    const key = `adjustment-route:${admin.adminId}:${input.requestId}`;
    const known = await this.kv.get(key);
    if (known === 'post' || known === 'approval') return known;
    const day = formatDay(shanghaiDay(Date.now()));
    const total = await this.kv.increment(
      `adjustment-day:${admin.adminId}:${day}`,
      routeMemoryMs,
      Math.abs(input.amount),
    );
    const route = total > this.approvalAboveFen ? 'approval' : 'post';
    if (await this.kv.setIfAbsent(key, route, routeMemoryMs)) return route;
    return (await this.kv.get(key)) === 'approval' ? 'approval' : 'post';
  }

  /** Approvals newest first, with the maker's and checker's usernames for people to read. */
  async approvals(status: Approval['status'] | undefined) {
    const [page, admins] = await Promise.all([
      this.core.approvals({ limit: 100, ...(status ? { status } : {}) }),
      this.core.admins(),
    ]);
    const nameOf = new Map(admins.items.map((a) => [a.id, a.username]));
    return {
      items: page.items.map((a) => ({
        ...a,
        makerName: nameOf.get(a.makerId) ?? null,
        checkerName: a.checkerId === null ? null : (nameOf.get(a.checkerId) ?? null),
      })),
    };
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
