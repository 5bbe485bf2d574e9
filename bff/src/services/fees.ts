import type { Binding, CoreClient } from '@campus-card/core/client';
import type { FeeBill, FeePayment, FeeReceipt } from '@campus-card/core/contract';
import { BffError } from '../errors.ts';
import type { TopUpService, TopUpView } from './top-ups/top-up-service.ts';

/** A student's fees (缴费): what they owe, paying from the card or by WeChat Pay / Alipay, their receipts. */
export class FeesService {
  constructor(
    private readonly core: CoreClient,
    /** The platform orders (WeChat Pay, Alipay); absent, paying a fee by platform is UNAVAILABLE. */
    private readonly topUps?: TopUpService,
  ) {}

  async bills(binding: Binding): Promise<FeeBill[]> {
    return (await this.core.cardFeeBills(binding.cardNo)).items;
  }

  /** A bill of the caller's own, with its payments; another person's is NOT_FOUND. */
  async bill(binding: Binding, billId: string): Promise<FeeBill & { payments: FeePayment[] }> {
    const bill = await this.core.feeBill(billId);
    if (bill.personId !== binding.personId) throw new BffError('NOT_FOUND', 'no such bill');
    return bill;
  }

  /** Pays (part of) the caller's own bill from their card; `id` is the app's idempotency key. */
  async pay(
    binding: Binding,
    billId: string,
    input: { id: string; amount: number; pin?: string },
  ): Promise<FeePayment> {
    await this.bill(binding, billId);
    return this.core.payFeeByCard(billId, { ...input, cardNo: binding.cardNo });
  }

  /**
   * Pays (part of) the caller's own bill straight by WeChat Pay or Alipay, without loading the card: a
   * platform order whose purpose is the bill, placed and followed like a top-up (GET /top-ups/:id), and
   * on payment credited to the fee item, or refunded to the platform if the bill was paid meanwhile.
   */
  async payByChannel(
    binding: Binding,
    openid: string,
    billId: string,
    input: { amount: number; channel: 'wechat' | 'alipay'; idempotencyKey?: string | undefined },
  ): Promise<TopUpView> {
    if (!this.topUps) throw new BffError('UNAVAILABLE', 'paying by WeChat Pay or Alipay is not configured');
    await this.bill(binding, billId);
    return this.topUps.create(openid, { ...input, feeBillId: billId });
  }

  async receipt(binding: Binding, paymentId: string): Promise<FeeReceipt> {
    const receipt = await this.core.feeReceipt(paymentId);
    if (receipt.personNo !== binding.personNo) throw new BffError('NOT_FOUND', 'no such receipt');
    return receipt;
  }
}
