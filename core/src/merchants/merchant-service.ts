import { type Database, isDuplicateKey } from '../db/database.ts';
import type { Models } from '../db/models.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';

export const merchantCategories = [
  'canteen',
  'shop',
  'shower',
  'laundry',
  'library',
  'transport',
  'other',
] as const;
export type MerchantCategory = (typeof merchantCategories)[number];

export interface NewMerchant {
  id?: string;
  name: string;
  category: MerchantCategory;
  parentId?: string | null;
  feeRateBp?: number;
}

export interface Merchant {
  id: string;
  name: string;
  category: MerchantCategory;
  parentId: string | null;
  accountId: string;
  feeRateBp: number;
  status: 'active' | 'disabled';
  balance: number;
}

/** A row of the merchant list (the backoffice's table). */
export interface MerchantListItem {
  id: string;
  name: string;
  category: string;
  feeRateBp: number;
  status: string;
}

/** Merchants (canteens and their windows, shops, shower and laundry operators) and their settlement accounts. */
export class MerchantService {
  constructor(
    private readonly db: Database,
    private readonly models: Models,
  ) {}

  async create(input: NewMerchant): Promise<Merchant> {
    const now = Date.now();
    const id = input.id ?? newId(now);
    const accountId = newId(now);
    try {
      await this.db.transaction(async (tx) => {
        await this.db.execute(
          "INSERT INTO accounts (id, kind, owner_id, allow_overdraft, created_at_ms) VALUES (?, 'merchant', ?, 1, ?)",
          [accountId, id, now],
          tx,
        );
        await this.db.execute(
          "INSERT INTO merchants (id, name, category, parent_id, account_id, fee_rate_bp, status, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, 'active', ?)",
          [id, input.name, input.category, input.parentId ?? null, accountId, input.feeRateBp ?? 0, now],
          tx,
        );
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new CoreError('ALREADY_EXISTS', 'a merchant with that id exists');
      throw error;
    }
    return this.get(id);
  }

  async get(id: string): Promise<Merchant> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT m.id, m.name, m.category, m.parent_id, m.account_id, m.fee_rate_bp, m.status, a.credits_posted - a.debits_posted AS balance
         FROM merchants m JOIN accounts a ON a.id = m.account_id WHERE m.id = ?`,
      [id],
    );
    const r = rows[0];
    if (!r) throw new CoreError('MERCHANT_NOT_FOUND', 'no such merchant');
    return {
      id: String(r.id),
      name: String(r.name),
      category: r.category as MerchantCategory,
      parentId: r.parent_id === null ? null : String(r.parent_id),
      accountId: String(r.account_id),
      feeRateBp: Number(r.fee_rate_bp),
      status: r.status as Merchant['status'],
      balance: Number(r.balance),
    };
  }

  async setStatus(id: string, status: 'active' | 'disabled'): Promise<void> {
    if ((await this.db.execute('UPDATE merchants SET status = ? WHERE id = ?', [status, id])) !== 1)
      throw new CoreError('MERCHANT_NOT_FOUND', 'no such merchant');
  }

  async list(): Promise<MerchantListItem[]> {
    const rows = await this.models.Merchant.findAll({
      attributes: ['id', 'name', 'category', 'feeRateBp', 'status'],
      order: [['id', 'ASC']],
      raw: true,
    });
    return (rows as unknown as MerchantListItem[]).map((r) => ({ ...r, feeRateBp: Number(r.feeRateBp) }));
  }
}
