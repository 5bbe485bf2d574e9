import type {
  AcceptDispute,
  Dispute,
  DisputeListQuery,
  NewDispute,
  RejectDispute,
} from '../contract/disputes.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { DisputeRepository, StoredDispute } from './dispute-repository.ts';

/** The refund's ledger id: the same for every try of one accept, new after a refused one. */
export function disputeRefundId(disputeId: string, attempt: number): string {
  return `dispute:${disputeId}:${attempt}`;
}

function view(d: StoredDispute): Dispute {
  const { refundAttempt: _, ...dispute } = d;
  return dispute;
}

/**
 * 消费纠错 (#19): a card holder disputes one of their accepted payments; the card centre accepts it
 * with a refund through the ledger or rejects it with a reason. The database keeps one undecided
 * dispute per payment; an accept first reserves the dispute (open → refunding, one conditional UPDATE),
 * then books the refund under a deterministic operation id, so a burst of accepts or a retry after a
 * crash refunds once. The ledger refuses a refund beyond what is left of the payment; that refusal
 * puts the dispute back to open (nothing moved) and is answered as it is, never turned into an accept.
 */
export class DisputeService {
  constructor(
    private readonly disputes: DisputeRepository,
    private readonly ledger: LedgerService,
  ) {}

  async open(input: NewDispute): Promise<Dispute> {
    const earlier = await this.disputes.byRequest(input.cardNo, input.requestId);
    if (earlier) return view(earlier);
    const payment = await this.ledger.operation(input.paymentId).catch((error: unknown) => {
      if (error instanceof CoreError && error.code === 'OPERATION_NOT_FOUND') return undefined;
      throw error;
    });
    // Another card's payment reads as missing: a holder learns nothing of other people's payments.
    if (
      payment?.kind !== 'payment' ||
      payment.outcome !== 'ok' ||
      payment.cardNo !== input.cardNo ||
      !payment.merchantId
    )
      throw new CoreError('PAYMENT_NOT_FOUND', 'no payment of this card with that id');
    if (payment.refundedAmount >= payment.amount)
      throw new CoreError('REFUND_EXCEEDS_PAYMENT', 'the payment is already refunded in full', {
        remaining: 0,
      });
    const id = newId();
    const outcome = await this.disputes.insert(
      {
        id,
        cardNo: input.cardNo,
        requestId: input.requestId,
        paymentId: payment.id,
        merchantId: payment.merchantId,
        paymentAmount: payment.amount,
        reason: input.reason,
        note: input.note ?? null,
      },
      Date.now(),
    );
    if (outcome === 'already_open')
      throw new CoreError(
        'DISPUTE_ALREADY_OPEN',
        'this payment already has a dispute waiting for a decision',
      );
    const stored =
      outcome === 'replayed'
        ? await this.disputes.byRequest(input.cardNo, input.requestId)
        : await this.disputes.byId(id);
    if (!stored) throw new Error(`dispute ${id} vanished after its insert`);
    return view(stored);
  }

  async get(id: string): Promise<Dispute> {
    return view(await this.stored(id));
  }

  list(query: DisputeListQuery): Promise<Dispute[]> {
    return this.disputes.list(query);
  }

  /**
   * Accepts with a refund of `amount`. The same amount again (a retry, or a burst) answers the same
   * accepted dispute with one refund; a dispute decided otherwise is DISPUTE_DECIDED.
   */
  async accept(id: string, input: AcceptDispute): Promise<Dispute> {
    const dispute = await this.stored(id);
    if (dispute.status === 'open') {
      // A first answer for the card centre's form; the ledger's refund is what decides under races.
      const payment = await this.ledger.operation(dispute.paymentId);
      const remaining = payment.amount - payment.refundedAmount;
      if (input.amount > remaining)
        throw new CoreError(
          'REFUND_EXCEEDS_PAYMENT',
          `only ${remaining} fen of the payment is left to refund`,
          {
            remaining,
          },
        );
    }
    await this.disputes.reserveAccept(id, input.amount, input.decidedBy, input.note ?? null);
    const reserved = await this.stored(id);
    if (
      reserved.refundAmount !== input.amount ||
      (reserved.status !== 'refunding' && reserved.status !== 'accepted')
    )
      throw new CoreError('DISPUTE_DECIDED', `the dispute is already ${reserved.status}`, {
        status: reserved.status,
      });
    if (reserved.status === 'accepted') return view(reserved);
    const refundId = disputeRefundId(id, reserved.refundAttempt);
    const answer = await this.ledger.refund({
      id: refundId,
      paymentId: reserved.paymentId,
      amount: input.amount,
      reason: `消费纠错 ${id}`,
    });
    if (answer.status === 'rejected') {
      await this.disputes.releaseAccept(id, reserved.refundAttempt);
      throw new CoreError(answer.code, answer.message, answer.details);
    }
    await this.disputes.completeAccept(id, refundId, Date.now());
    return this.get(id);
  }

  async reject(id: string, input: RejectDispute): Promise<Dispute> {
    if (!(await this.disputes.reject(id, input.reason, input.decidedBy, Date.now()))) {
      const current = await this.stored(id);
      // The same rejection again answers the rejected dispute.
      if (current.status !== 'rejected' || current.decisionNote !== input.reason)
        throw new CoreError('DISPUTE_DECIDED', `the dispute is already ${current.status}`, {
          status: current.status,
        });
    }
    return this.get(id);
  }

  private async stored(id: string): Promise<StoredDispute> {
    const dispute = await this.disputes.byId(id);
    if (!dispute) throw new CoreError('DISPUTE_NOT_FOUND', 'no such dispute');
    return dispute;
  }
}
