import type { Binding, CoreClient } from '@campus-card/core/client';
import type { FeeBill, FeePayment, FeeReceipt } from '@campus-card/core/contract';
import { BffError } from '../errors.ts';

/** A student's fees (缴费): what they owe, paying from the card, their receipts. */
export class FeesService {
  constructor(private readonly core: CoreClient) {}

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

  async receipt(binding: Binding, paymentId: string): Promise<FeeReceipt> {
    const receipt = await this.core.feeReceipt(paymentId);
    if (receipt.personNo !== binding.personNo) throw new BffError('NOT_FOUND', 'no such receipt');
    return receipt;
  }
}
