import type { Merchant, MerchantCategory, MerchantListItem, NewMerchant } from '../contract/merchants.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MerchantRepository } from './merchant-repository.ts';

export type { Merchant, MerchantCategory, MerchantListItem, NewMerchant } from '../contract/merchants.ts';
export { merchantCategories } from '../contract/merchants.ts';

/** Merchants (canteens and their windows, shops, shower and laundry operators) and their settlement accounts. */
export class MerchantService {
  constructor(private readonly repository: MerchantRepository) {}

  async create(input: NewMerchant): Promise<Merchant> {
    const now = Date.now();
    const id = input.id ?? newId(now);
    try {
      await this.repository.insert({
        id,
        accountId: newId(now),
        name: input.name,
        category: input.category,
        parentId: input.parentId ?? null,
        feeRateBp: input.feeRateBp ?? 0,
        createdAtMs: now,
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new CoreError('ALREADY_EXISTS', 'a merchant with that id exists');
      throw error;
    }
    return this.get(id);
  }

  async get(id: string): Promise<Merchant> {
    const row = await this.repository.find(id);
    if (!row) throw new CoreError('MERCHANT_NOT_FOUND', 'no such merchant');
    return { ...row, category: row.category as MerchantCategory, status: row.status as Merchant['status'] };
  }

  async setStatus(id: string, status: 'active' | 'disabled'): Promise<void> {
    if (!(await this.repository.setStatus(id, status)))
      throw new CoreError('MERCHANT_NOT_FOUND', 'no such merchant');
  }

  async list(): Promise<MerchantListItem[]> {
    // Stored by create and setStatus, which take only the contract's categories and statuses.
    return (await this.repository.list()) as MerchantListItem[];
  }

  /** Every merchant's id, in order. */
  async ids(): Promise<string[]> {
    return this.repository.ids();
  }
}
