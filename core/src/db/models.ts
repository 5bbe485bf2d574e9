import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/**
 * Sequelize models of the tables the plain CRUD domains query through them (docs/architecture.md,
 * "Storage: one way per path"): merchants and their settlement accounts, and the card event history.
 * The migrations are the source of truth and these follow them (test/schema.test.ts compares both
 * against the live database). A model is defined only while a repository queries it; the money path
 * uses SQL directly (see db/database.ts).
 */
const id = (length: number) => ({ type: DataTypes.STRING(length), primaryKey: true, allowNull: false });
const text = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const bigint = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const int = (allowNull = false) => ({ type: DataTypes.INTEGER, allowNull });
const options = { timestamps: false, underscored: true, freezeTableName: true } as const;

export interface Models {
  Account: ModelStatic<Model>;
  CardEvent: ModelStatic<Model>;
  Merchant: ModelStatic<Model>;
}

export function defineModels(sequelize: Sequelize): Models {
  const Account = sequelize.define(
    'accounts',
    {
      id: id(26),
      kind: text(24),
      ownerId: text(26, true),
      code: text(32, true),
      allowOverdraft: { type: DataTypes.SMALLINT, allowNull: false },
      debitsPosted: bigint(),
      creditsPosted: bigint(),
      debitsPending: bigint(),
      creditsPending: bigint(),
      createdAtMs: bigint(),
    },
    options,
  );
  const CardEvent = sequelize.define(
    'card_events',
    {
      id: id(26),
      cardNo: text(20),
      kind: text(24),
      fromStatus: text(16, true),
      toStatus: text(16),
      version: int(),
      actorType: text(16),
      actorId: text(64, true),
      reason: text(255, true),
      createdAtMs: bigint(),
    },
    options,
  );
  const Merchant = sequelize.define(
    'merchants',
    {
      id: id(26),
      name: text(64),
      category: text(24),
      parentId: text(26, true),
      accountId: text(26),
      feeRateBp: int(),
      status: text(16),
      createdAtMs: bigint(),
    },
    options,
  );
  return { Account, CardEvent, Merchant };
}
