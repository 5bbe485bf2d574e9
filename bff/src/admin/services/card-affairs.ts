import type { Accepted, Answer, Approval, CardAction, CardView, CoreClient } from '@campus-card/core/client';
import type { CashReceipt } from '@campus-card/core/contract';
import { BffError } from '../../errors.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { Approvals } from './approvals.ts';
import type { AuditTrail } from './audit-trail.ts';

/** Accepted answers pass; a refusal becomes the core's own code and status for the caller. */
export function accepted(answer: Answer): Accepted & { replayed: boolean } {
  if (answer.status === 'ok') return answer;
  throw BffError.fromCore(answer.code, answer.message);
}

/**
 * Card affairs at the counter: search, the card with its wallets, holds and history, status
 * changes, cancellation with refund and the cash desk. A department admin's scope is applied here:
 * a card outside it answers as if it did not exist.
 */
export class CardAffairs {
  #approvals: { approvals: Approvals; aboveFen: number } | undefined;

  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  async search(admin: AdminSession, q: string) {
    return (
      await this.core.searchPeople({
        q,
        limit: 20,
        ...(admin.department ? { department: admin.department } : {}),
      })
    ).items;
  }

  /** The card if the admin's scope reaches it. */
  async card(admin: AdminSession, cardNo: string): Promise<CardView> {
    let card: CardView;
    try {
      card = await this.core.getCard(cardNo);
    } catch (error) {
      if ((error as { code?: string }).code === 'CARD_NOT_FOUND')
        throw new BffError('NOT_FOUND', 'no such card');
      throw error;
    }
    if (admin.department !== null && card.department !== admin.department)
      throw new BffError('NOT_FOUND', 'no such card');
    return card;
  }

  async detail(admin: AdminSession, cardNo: string) {
    const card = await this.card(admin, cardNo);
    const [holds, history] = await Promise.all([
      this.core.pendingHolds(cardNo),
      this.core.cardHistory(cardNo),
    ]);
    return { card, holds: holds.items, history };
  }

  async operations(admin: AdminSession, cardNo: string, page: { beforeAtMs?: number; beforeId?: string }) {
    await this.card(admin, cardNo);
    return this.core.cardOperations(cardNo, { limit: 20, ...page });
  }

  async change(admin: AdminSession, cardNo: string, action: CardAction, reason: string | null) {
    await this.card(admin, cardNo);
    const change = await this.core.changeCard(cardNo, action, { type: 'admin', id: admin.adminId }, reason);
    // A repeat (the card already there) changes nothing and leaves no second row.
    if (change.changed)
      await this.audit.record(admin, `card.${action}`, 'card', cardNo, {
        reason,
        status: change.status,
        changed: change.changed,
      });
    return change;
  }

  async closeOut(admin: AdminSession, cardNo: string, requestId: string, reason: string) {
    await this.card(admin, cardNo);
    const answer = accepted(
      await this.core.closeOut(cardNo, {
        id: `adm-close-${requestId}`,
        reason,
        actor: { type: 'admin', id: admin.adminId },
      }),
    );
    if (!answer.replayed)
      await this.audit.record(admin, 'card.close_out', 'card', cardNo, {
        reason,
        operationId: answer.id,
        mainRefunded: answer.mainAmount,
        subsidyReturned: answer.subsidyAmount,
      });
    return answer;
  }

  /**
   * Cash-desk top-ups past an admin's daily total (cashApprovalAboveFen, reserved atomically per
   * admin and Asia/Shanghai day by approvals.route before anything moves) wait for a second admin,
   * like adjustments; approved, one posts under apr-cash-<approval id> (#12.9).
   */
  handleCashApprovals(approvals: Approvals, cashApprovalAboveFen: number): void {
    this.#approvals = { approvals, aboveFen: cashApprovalAboveFen };
    approvals.handle('cash_top_up', async (approval) => {
      const { cardNo, amount } = approval.payload as { cardNo: string; amount: number };
      return accepted(
        await this.core.topUp({ id: `apr-cash-${approval.id}`, cardNo, amount, channel: 'cash' }),
      );
    });
  }

  /**
   * Opens one card by hand (a new staff member before the identity sync has run, a visitor): the
   * person with their identity fields, the card with the default limits. A department admin opens
   * cards in their own department only. The person number is the idempotency key: a retry of a card
   * already opened answers ALREADY_EXISTS and opens nothing.
   */
  async openByHand(
    admin: AdminSession,
    person: {
      personNo: string;
      name: string;
      type: 'student' | 'staff' | 'visitor';
      department: string | null;
      idNumber: string;
      phone?: string | undefined;
      expiresAtMs?: number | undefined;
    },
  ): Promise<CardView> {
    if (admin.department !== null && person.department !== admin.department)
      throw new BffError('FORBIDDEN', 'a department admin opens cards in their own department only');
    const card = await this.core.openCard({
      personNo: person.personNo,
      name: person.name,
      type: person.type,
      department: person.department,
      idNumber: person.idNumber,
      ...(person.phone ? { phone: person.phone } : {}),
      ...(person.expiresAtMs !== undefined ? { expiresAtMs: person.expiresAtMs } : {}),
      actor: { type: 'admin', id: admin.adminId },
    });
    // The audit row names the person and card, never the ID number or phone.
    await this.audit.record(admin, 'card.open', 'card', card.cardNo, {
      personNo: card.personNo,
      name: card.name,
      type: card.personType,
      department: card.department,
      expiresAtMs: card.expiresAtMs,
    });
    return card;
  }

  /**
   * The counter resets a forgotten PIN after checking the holder's ID card: the core compares the
   * number typed from it with the one on file. Refused checks are audited too (who tried, for which card).
   */
  async resetPinAtCounter(admin: AdminSession, cardNo: string, idNumber: string, pin: string) {
    await this.card(admin, cardNo);
    try {
      await this.core.resetPinAtCounter(cardNo, pin, idNumber, { type: 'admin', id: admin.adminId });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'IDENTITY_MISMATCH' || code === 'IDENTITY_REQUIRED')
        await this.audit.record(admin, 'card.pin_reset_refused', 'card', cardNo, { code });
      throw error;
    }
    await this.audit.record(admin, 'card.pin_reset', 'card', cardNo, {});
    return { cardNo, reset: true };
  }

  /** The card's daily and PIN-free limits (fen), audited with the values before and after. */
  async setLimits(admin: AdminSession, cardNo: string, limits: { dailyLimit: number; pinFreeLimit: number }) {
    const before = await this.card(admin, cardNo);
    await this.core.setCardLimits(cardNo, limits);
    await this.audit.record(admin, 'card.limits', 'card', cardNo, {
      dailyLimitBefore: before.dailyLimit,
      pinFreeLimitBefore: before.pinFreeLimit,
      ...limits,
    });
    return { cardNo, ...limits };
  }

  /**
   * Issues the card's one-time activation code (a new one replaces any earlier), within the admin's
   * department scope; the audit row says who issued one for which card, never the code.
   */
  async issueActivationCode(admin: AdminSession, cardNo: string) {
    // The department scope: a card outside it answers as if it did not exist.
    await this.card(admin, cardNo);
    const issued = await this.core.issueActivationCode(cardNo, admin.adminId);
    await this.audit.record(admin, 'card.activation_code', 'card', cardNo, {
      expiresAtMs: issued.expiresAtMs,
    });
    return { cardNo, activationCode: issued.code, expiresAtMs: issued.expiresAtMs };
  }

  async requestCashTopUp(
    admin: AdminSession,
    cardNo: string,
    requestId: string,
    amount: number,
  ): Promise<(CashReceipt & { status: 'posted' }) | { status: 'pending_approval'; approval: Approval }> {
    const gate = this.#approvals;
    if (
      gate &&
      (await gate.approvals.route(admin, 'cash_top_up', requestId, amount, gate.aboveFen)) === 'approval'
    ) {
      await this.card(admin, cardNo);
      const approval = await gate.approvals.propose(
        admin,
        {
          kind: 'cash_top_up',
          payload: { cardNo, amount },
          amount,
          reason: '现金充值超出当日额度',
          targetId: cardNo,
          requestId,
        },
        { amount },
      );
      return { status: 'pending_approval', approval };
    }
    return { status: 'posted', ...(await this.cashTopUp(admin, cardNo, requestId, amount)) };
  }

  async cashTopUp(
    admin: AdminSession,
    cardNo: string,
    requestId: string,
    amount: number,
  ): Promise<CashReceipt> {
    const card = await this.card(admin, cardNo);
    const answer = accepted(
      await this.core.topUp({ id: `adm-cash-${requestId}`, cardNo, amount, channel: 'cash' }),
    );
    const operation = await this.core.getOperation(answer.id);
    if (!answer.replayed)
      await this.audit.record(admin, 'cash.top_up', 'card', cardNo, { amount, operationId: answer.id });
    return {
      operationId: answer.id,
      cardNo,
      personNo: card.personNo,
      name: card.name,
      amount: answer.amount,
      balanceAfter: answer.balance?.main ?? card.balance.main + amount,
      atMs: operation.createdAtMs,
      operator: admin.displayName,
      replayed: answer.replayed,
    };
  }
}
