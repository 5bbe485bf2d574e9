// The refund list (退款清单): every card close-out's main balance, owed to the card's person until the
// card centre pays it out. The close-out moved the money to SYS-REFUND-PAYABLE; the payout moves it on
// to the cash desk or the bank transfer account through the ledger (an adjustment between two system
// accounts with the deterministic id payout:<close-out id>), then marks the entry paid. The ledger's
// unique operation id decides a race or a retry; the conditional UPDATE ... WHERE status = 'due'
// marks it once. So SYS-REFUND-PAYABLE always holds the sum of the due entries (docs/ledger.md).

import { createHash } from 'node:crypto';
import type { Payout, PayoutChannel, PayoutInput, RefundEntry } from '../contract/refunds.ts';
import { CoreError } from '../errors.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import { type CloseOutRequest, channelAccount, systemAccounts } from '../ledger/operations.ts';
import type { Answer } from '../ledger/results.ts';
import type { NewRefundEntry, RefundRepository } from './refund-repository.ts';

export type { Payout, PayoutInput } from '../contract/refunds.ts';
export { payoutSchema as payoutInput } from '../contract/refunds.ts';

const operationIdCharsMax = 64;

/**
 * The payout's ledger id, the same for every try of one entry: payout:<close-out id>, or, for a
 * close-out id too long to prefix, payout:h:<its SHA-256, 40 hex>.
 */
export function payoutOperationId(closeOutId: string): string {
  const plain = `payout:${closeOutId}`;
  if (plain.length <= operationIdCharsMax) return plain;
  return `payout:h:${createHash('sha256').update(closeOutId).digest('hex').slice(0, 40)}`;
}

export class RefundService {
  constructor(
    private readonly repo: RefundRepository,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * A card close-out made through the core's routes (the card centre's 销户, or any caller): once the
   * ledger accepted it, its main balance goes on the list. A replayed close-out records nothing new
   * (the entry is keyed by the operation id) but does complete one a crash left unrecorded.
   */
  async closeOutCard(request: CloseOutRequest): Promise<Answer> {
    const answer = await this.ledger.closeOut(request);
    if (answer.status === 'ok' && answer.mainAmount > 0) {
      await this.record({
        operationId: answer.id,
        cardNo: request.cardNo,
        mainAmount: answer.mainAmount,
        subsidyAmount: answer.subsidyAmount,
        reason: 'card_closed',
      });
    }
    return answer;
  }

  record(entry: NewRefundEntry): Promise<boolean> {
    return this.repo.record(entry, Date.now());
  }

  list(
    status: 'due' | 'paid',
    limit: number,
    before?: { atMs: number; operationId: string },
  ): Promise<RefundEntry[]> {
    return this.repo.list(status, limit, before);
  }

  async get(operationId: string): Promise<RefundEntry> {
    const entry = await this.repo.get(operationId);
    if (!entry) throw new CoreError('REFUND_NOT_FOUND', 'no such refund on the list');
    return entry;
  }

  /**
   * Pays an entry out through one channel. Safe to retry and to race: the money moves under the
   * payout's one ledger id (a second try replays it; a try with the other channel is refused by the
   * ledger as ID_REUSED and answered REFUND_ALREADY_PAID), and the entry is marked paid once. A try
   * that died between the ledger's commit and the marking is completed by the next.
   */
  async payout(operationId: string, input: PayoutInput): Promise<Payout> {
    const entry = await this.get(operationId);
    if (entry.status === 'paid') return this.alreadyPaid(entry, input.channel);
    let payoutId: string | null = null;
    if (entry.mainAmount > 0) {
      payoutId = payoutOperationId(operationId);
      // The request depends only on the entry and the channel, never on who asks, so every try of
      // the same payout is the same ledger request.
      const answer = await this.ledger.adjust({
        id: payoutId,
        accountId: channelAccount[input.channel],
        counterAccountId: systemAccounts.refundPayable,
        amount: entry.mainAmount,
        reason: `refund payout: ${operationId}`,
      });
      if (answer.status === 'rejected') {
        if (answer.code === 'ID_REUSED') return this.alreadyPaid(entry, input.channel);
        throw new CoreError(answer.code, answer.message, answer.details);
      }
    }
    const changed = await this.repo.markPaid(operationId, {
      channel: input.channel,
      actorId: input.actorId,
      payoutOperationId: payoutId,
      note: input.note ?? null,
      nowMs: Date.now(),
    });
    const paid = await this.get(operationId);
    if (!changed && paid.channel !== input.channel) return this.alreadyPaid(paid, input.channel);
    return { ...paid, changed };
  }

  /** A paid entry answers the same to a retry through its channel, and a conflict to any other. */
  private alreadyPaid(entry: RefundEntry, channel: PayoutChannel): Payout {
    if (entry.status === 'paid' && entry.channel === channel) return { ...entry, changed: false };
    throw new CoreError('REFUND_ALREADY_PAID', 'the refund was already paid out through another channel', {
      channel: entry.channel,
    });
  }
}
