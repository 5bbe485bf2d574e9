import type { MerchantStatement } from '../contract/merchants.ts';
import { CoreError } from '../errors.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import { dayBoundsMs, formatDay, shanghaiDay } from '../time.ts';
import type { SettlementRepository } from './settlement-repository.ts';

/** A merchant's statement of one day (the contract's MerchantStatement). */
export type Statement = MerchantStatement;

/**
 * Daily merchant statements (Asia/Shanghai days), computed two ways — from the operations and from
 * the journal entries on the merchant's account — and reconciled before they are recorded.
 */
export class SettlementService {
  constructor(
    private readonly repository: SettlementRepository,
    private readonly merchants: MerchantService,
  ) {}

  async statement(merchantId: string, day: number): Promise<Statement> {
    const stored = await this.repository.stored(merchantId, day);
    if (stored) return fromRow(stored);
    return this.compute(merchantId, day);
  }

  /** The day's statement of every merchant, or of one campus's merchants (docs/campuses.md). */
  async dayStatements(day: number, campusId?: string): Promise<Statement[]> {
    const statements: Statement[] = [];
    for (const id of await this.ownMerchantIds(campusId)) statements.push(await this.statement(id, day));
    return statements;
  }

  /**
   * The merchants settled here: not the ones that stand for a federated centre (docs/federation.md),
   * whose day is the inter-centre settlement's (what our cards spent at that centre's devices).
   */
  private async ownMerchantIds(campusId?: string): Promise<string[]> {
    const centres = new Set(await this.repository.centreMerchantIds());
    return (await this.merchants.ids(campusId)).filter((id) => !centres.has(id));
  }

  /**
   * Records the day's statement for every merchant, or for one campus's merchants. Settling a day
   * twice changes nothing, so a campus settled first is not settled again by the centre's run.
   */
  async settleDay(day: number, campusId?: string): Promise<Statement[]> {
    if (day >= shanghaiDay(Date.now()))
      throw new CoreError('VALIDATION_FAILED', 'a day is settled once it has ended (Asia/Shanghai)');
    const statements: Statement[] = [];
    for (const id of await this.ownMerchantIds(campusId)) {
      const statement = await this.compute(id, day);
      if (!statement.reconciled)
        throw new CoreError('INTERNAL_ERROR', `merchant ${id} does not reconcile on ${statement.day}`);
      const inserted = await this.repository.insertOnce(id, day, statement, Date.now());
      statements.push(inserted ? { ...statement, settled: true } : await this.statement(id, day));
    }
    return statements;
  }

  private async compute(merchantId: string, day: number): Promise<Statement> {
    const merchant = await this.merchants.get(merchantId);
    const ops = await this.repository.operationTotals(merchantId, day);
    const { startMs, endMs } = dayBoundsMs(day);
    const journal = await this.repository.journalTotals(merchant.accountId, startMs, endMs);
    const journalNetAmount = journal.credits - journal.debits;
    const net = ops.paymentAmount - ops.refundAmount;
    // Fees in whole fen, rounded half up, computed in BigInt so no amount can lose precision.
    const feeAmount = Number((BigInt(net) * BigInt(merchant.feeRateBp) + 5000n) / 10000n);
    return {
      merchantId,
      day: formatDay(day),
      ...ops,
      feeAmount,
      netAmount: net - feeAmount,
      journalNetAmount,
      reconciled: journalNetAmount === net,
      settled: false,
    };
  }
}

function fromRow(r: Record<string, unknown>): Statement {
  const paymentAmount = Number(r.payment_amount);
  const refundAmount = Number(r.refund_amount);
  const journalNetAmount = Number(r.journal_net_amount);
  return {
    merchantId: String(r.merchant_id),
    day: formatDay(Number(r.settle_day)),
    paymentCount: Number(r.payment_count),
    paymentAmount,
    refundCount: Number(r.refund_count),
    refundAmount,
    feeAmount: Number(r.fee_amount),
    netAmount: Number(r.net_amount),
    journalNetAmount,
    reconciled: journalNetAmount === paymentAmount - refundAmount,
    settled: true,
  };
}
