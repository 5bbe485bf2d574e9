import type { CardActivityFeed } from '../activity/card-activity.ts';
import type { CardService } from '../cards/card-service.ts';
import type { ForeignSaleRequest } from '../contract/federation.ts';
import { CoreError } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import type { Batcher } from './batcher.ts';
import { codeUseRetentionMs } from './devices.ts';
import type { LedgerRepository, OperationView } from './ledger-repository.ts';
import type {
  AdjustmentRequest,
  BatchedOperation,
  CloseOutRequest,
  HoldRequest,
  PaymentRequest,
  PostRequest,
  RefundRequest,
  SubsidyClearRequest,
  SubsidyRequest,
  TopUpRequest,
  VoidRequest,
} from './operations.ts';
import { centreReceivableAccount } from './operations.ts';
import type { Answer } from './results.ts';
import type { HoldRow } from './state.ts';

const sweepBatchMax = 500;

/** The ledger's use-cases: every money movement enters here and leaves through the batcher. */
export class LedgerService {
  private sweeper: Job | undefined;

  constructor(
    private readonly batcher: Batcher,
    private readonly ledger: LedgerRepository,
    private readonly cards: CardService,
    private readonly log: Logger,
    private readonly activity: CardActivityFeed,
  ) {}

  /** Submits to the batcher and tells the card's live listeners of what was newly accepted. */
  private async settle(op: Parameters<Batcher['submit']>[0]): Promise<Answer> {
    const answer = await this.batcher.submit(op);
    if (answer.status === 'ok' && !answer.replayed && answer.cardNo !== undefined) {
      const merchantId = 'merchantId' in op.request ? op.request.merchantId : undefined;
      this.activity.emit({
        type: 'operation',
        cardNo: answer.cardNo,
        kind: answer.kind,
        operationId: answer.id,
        amount: answer.amount,
        ...(answer.balance ? { balance: answer.balance } : {}),
        ...(answer.holdId ? { holdId: answer.holdId } : {}),
        ...(typeof merchantId === 'string' ? { merchantId } : {}),
        atMs: answer.createdAtMs,
      });
    }
    return answer;
  }

  async pay(request: PaymentRequest): Promise<Answer> {
    const { pin, ...stored } = request;
    // The slow PIN hash runs before the payment joins a batch, never while rows are locked.
    const pinCheck = await this.cards.checkPin(request.cardNo, pin);
    return this.settle({ kind: 'payment', request: stored, pinCheck });
  }

  topUp(request: TopUpRequest): Promise<Answer> {
    return this.settle({ kind: 'top_up', request });
  }

  subsidize(request: SubsidyRequest): Promise<Answer> {
    return this.settle({ kind: 'subsidy', request });
  }

  refund(request: RefundRequest): Promise<Answer> {
    return this.settle({ kind: 'refund', request });
  }

  hold(request: HoldRequest): Promise<Answer> {
    return this.settle({ kind: 'hold', request });
  }

  post(request: PostRequest): Promise<Answer> {
    return this.settle({ kind: 'post', request });
  }

  void(request: VoidRequest): Promise<Answer> {
    return this.settle({ kind: 'void', request });
  }

  adjust(request: AdjustmentRequest): Promise<Answer> {
    return this.settle({ kind: 'adjustment', request });
  }

  /** A sale to another centre's card, as that centre decided it (docs/federation.md). */
  sellForeign(request: ForeignSaleRequest): Promise<Answer> {
    return this.settle({ kind: 'foreign_sale', request });
  }

  /** Opens the account that holds what a trusted centre owes us, once. */
  openCentreReceivable(centreId: string): Promise<string> {
    const id = centreReceivableAccount(centreId);
    return this.ledger.openSystemAccount(id, `federation_${centreId.toLowerCase()}`).then(() => id);
  }

  /** Term-end clearing: the card's subsidy wallet, whatever it holds, back to the subsidy fund. */
  clearSubsidy(request: SubsidyClearRequest): Promise<Answer> {
    return this.settle({ kind: 'subsidy_clear', request });
  }

  /** Cancels the card with its balance refund; card listeners hear of it like any status change. */
  async closeOut(request: CloseOutRequest): Promise<Answer> {
    const answer = await this.settle({ kind: 'close_out', request });
    if (answer.status === 'ok' && !answer.replayed) {
      const card = await this.cards.get(request.cardNo);
      this.cards.announce({ cardNo: card.cardNo, status: card.status, version: card.version, changed: true });
    }
    return answer;
  }

  /** Any operation of a batch request, routed to its use-case. */
  submit(op: BatchedOperation): Promise<Answer> {
    const { kind, ...request } = op;
    switch (kind) {
      case 'payment':
        return this.pay(request as PaymentRequest);
      case 'top_up':
        return this.topUp(request as TopUpRequest);
      case 'subsidy':
        return this.subsidize(request as SubsidyRequest);
      case 'refund':
        return this.refund(request as RefundRequest);
      case 'hold':
        return this.hold(request as HoldRequest);
      case 'post':
        return this.post(request as PostRequest);
      case 'void':
        return this.void(request as VoidRequest);
      case 'adjustment':
        return this.adjust(request as AdjustmentRequest);
      case 'close_out':
        return this.closeOut(request as CloseOutRequest);
    }
  }

  /**
   * Raises a pending hold's reported usage. With a device id, a hold another device opened is
   * HOLD_NOT_FOUND, as an unknown one is (the UPDATE itself is limited to the device's holds).
   */
  async reportUsage(holdId: string, usageAmount: number, deviceId?: string): Promise<HoldRow> {
    const raised = await this.ledger.reportUsage(holdId, usageAmount, deviceId);
    const hold = await this.holdById(holdId, deviceId);
    if (raised || (hold.status === 'pending' && hold.usageAmount >= usageAmount)) return hold;
    if (hold.status !== 'pending') {
      const charged = hold.resolvedAmount ?? 0;
      throw new CoreError('HOLD_ALREADY_RESOLVED', `the hold is already ${hold.status}`, {
        status: hold.status,
        chargedAmount: charged,
        releasedAmount: hold.amount - charged,
        resolvedBy: hold.resolvedBy,
      });
    }
    throw new CoreError('AMOUNT_EXCEEDS_HOLD', `usage cannot pass the held ${hold.amount} fen`, {
      held: hold.amount,
    });
  }

  async operation(id: string): Promise<OperationView> {
    const op = await this.ledger.operation(id);
    if (!op) throw new CoreError('OPERATION_NOT_FOUND', 'no such operation');
    return op;
  }

  /** A hold; with a device id, only that device's (another's is HOLD_NOT_FOUND, as an unknown one). */
  async holdById(id: string, deviceId?: string): Promise<HoldRow> {
    const hold = await this.ledger.hold(id);
    if (!hold || (deviceId !== undefined && hold.deviceId !== deviceId))
      throw new CoreError('HOLD_NOT_FOUND', 'no such hold');
    return hold;
  }

  cardOperations(
    cardNo: string,
    before: { atMs: number; id: string } | undefined,
    limit: number,
  ): Promise<OperationView[]> {
    return this.ledger.cardOperations(cardNo, before, limit);
  }

  /**
   * Settles holds whose time ran out on the database clock, at their last reported usage. The
   * expiry is an ordinary operation with id expire:<hold>, so two sweepers (two core processes)
   * racing on one hold resolve it once.
   */
  async sweepExpiredHolds(): Promise<number> {
    // Consumed codes are forgotten past the offline acceptance window, so code_uses stays bounded.
    await this.ledger.forgetCodeUses(codeUseRetentionMs);
    const ids = await this.ledger.expiredHoldIds(sweepBatchMax);
    const answers = await Promise.all(
      ids.map((holdId) => this.settle({ kind: 'expire', request: { id: `expire:${holdId}`, holdId } })),
    );
    return answers.filter((a) => a.status === 'ok' && !a.replayed).length;
  }

  /** Sweeps every intervalMs; with a lock (several core instances), one instance sweeps each tick. */
  startSweeper(intervalMs: number, lock?: JobLock): void {
    this.sweeper = schedule({
      name: 'hold-sweep',
      everyMs: intervalMs,
      log: this.log,
      lock,
      run: async () => {
        const settled = await this.sweepExpiredHolds();
        if (settled > 0) this.log.info({ settled }, 'expired holds settled');
      },
    });
  }

  /** Stops sweeping; answers once a sweep in flight has finished. */
  async stopSweeper(): Promise<void> {
    await this.sweeper?.stop();
  }
}
