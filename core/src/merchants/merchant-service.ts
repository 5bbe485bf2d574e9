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
        campusId: input.campusId ?? null,
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

  /** Moves the merchant to a campus, or makes it centre-wide (null); the campus domain checks the campus. */
  async setCampus(id: string, campusId: string | null): Promise<void> {
    if (!(await this.repository.setCampus(id, campusId)))
      throw new CoreError('MERCHANT_NOT_FOUND', 'no such merchant');
  }

  /** Every merchant's id, in order; of one campus when given (docs/campuses.md). */
  async ids(campusId?: string): Promise<string[]> {
    return this.repository.ids(campusId);
  }
}
