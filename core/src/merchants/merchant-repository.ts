import { Transaction } from 'sequelize';
import type { Database } from '../db/database.ts';
import type { Models } from '../db/models.ts';

/** A merchant row joined to its settlement account's balance, as the repository answers it. */
export interface MerchantRow {
  id: string;
  name: string;
  category: string;
  parentId: string | null;
  accountId: string;
  feeRateBp: number;
  status: string;
  balance: number;
  campusId: string | null;
}

/**
 * Storage of merchants, through the Sequelize models: a plain CRUD domain (docs/architecture.md,
 * "Storage: one way per path"). The ledger moves money on the merchant's account; here it is only
 * opened and read.
 */
export class MerchantRepository {
  constructor(
    private readonly db: Database,
    private readonly models: Models,
  ) {}

  /** Inserts the merchant and its settlement account (overdraft allowed: refunds may take it below zero) in one transaction. */
  async insert(row: {
    id: string;
    accountId: string;
    name: string;
    category: string;
    parentId: string | null;
    feeRateBp: number;
    campusId: string | null;
    createdAtMs: number;
  }): Promise<void> {
    // SQLite takes its write lock at BEGIN, as db.transaction does, so two writers never deadlock on the upgrade.
    const options = this.db.dialect === 'sqlite' ? { type: Transaction.TYPES.IMMEDIATE } : {};
    await this.db.sequelize.transaction(options, async (transaction) => {
      await this.models.Account.create(
        {
          id: row.accountId,
          kind: 'merchant',
          ownerId: row.id,
          allowOverdraft: 1,
          debitsPosted: 0,
          creditsPosted: 0,
          debitsPending: 0,
          creditsPending: 0,
          createdAtMs: row.createdAtMs,
        },
        { transaction },
      );
      await this.models.Merchant.create(
        {
          id: row.id,
          name: row.name,
          category: row.category,
          parentId: row.parentId,
          accountId: row.accountId,
          feeRateBp: row.feeRateBp,
          campusId: row.campusId,
          status: 'active',
          createdAtMs: row.createdAtMs,
        },
        { transaction },
      );
    });
  }

  async find(id: string): Promise<MerchantRow | null> {
    const merchant = (await this.models.Merchant.findByPk(id, { raw: true })) as Record<
      string,
      unknown
    > | null;
    if (!merchant) return null;
    const account = (await this.models.Account.findByPk(String(merchant.accountId), {
      attributes: ['creditsPosted', 'debitsPosted'],
      raw: true,
    })) as { creditsPosted: unknown; debitsPosted: unknown } | null;
    return {
      id: String(merchant.id),
      name: String(merchant.name),
      category: String(merchant.category),
      parentId: merchant.parentId === null ? null : String(merchant.parentId),
      accountId: String(merchant.accountId),
      feeRateBp: Number(merchant.feeRateBp),
      status: String(merchant.status),
      balance: account ? Number(account.creditsPosted) - Number(account.debitsPosted) : 0,
      campusId:
        merchant.campusId === null || merchant.campusId === undefined ? null : String(merchant.campusId),
    };
  }

  /** Answers whether the merchant exists (an unchanged status still counts). */
  async setStatus(id: string, status: string): Promise<boolean> {
    const [changed] = await this.models.Merchant.update({ status }, { where: { id } });
    if (changed === 1) return true;
    return (await this.models.Merchant.count({ where: { id } })) === 1;
  }

  async list(): Promise<
    {
      id: string;
      name: string;
      category: string;
      feeRateBp: number;
      status: string;
      campusId: string | null;
    }[]
  > {
    const rows = (await this.models.Merchant.findAll({
      attributes: ['id', 'name', 'category', 'feeRateBp', 'status', 'campusId'],
      order: [['id', 'ASC']],
      raw: true,
    })) as unknown as {
      id: string;
      name: string;
      category: string;
      feeRateBp: unknown;
      status: string;
      campusId: string | null;
    }[];
    return rows.map((r) => ({ ...r, feeRateBp: Number(r.feeRateBp), campusId: r.campusId ?? null }));
  }

  /** Answers whether the merchant exists; null makes it centre-wide (docs/campuses.md). */
  async setCampus(id: string, campusId: string | null): Promise<boolean> {
    const [changed] = await this.models.Merchant.update({ campusId }, { where: { id } });
    if (changed === 1) return true;
    return (await this.models.Merchant.count({ where: { id } })) === 1;
  }

  /** Every merchant's id, in order (the daily settlement's list); of one campus when given. */
  async ids(campusId?: string): Promise<string[]> {
    const rows = (await this.models.Merchant.findAll({
      attributes: ['id'],
      ...(campusId === undefined ? {} : { where: { campusId } }),
      order: [['id', 'ASC']],
      raw: true,
    })) as unknown as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }
}
