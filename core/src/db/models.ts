import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/**
 * Sequelize models of the tables in sql/. The migrations are the source of truth and these
 * follow them (test/models.test.ts compares both against the live database). Repositories use the
 * models for plain reads; the ledger's batches use SQL directly (see db/database.ts).
 */
const id = (length: number) => ({ type: DataTypes.STRING(length), primaryKey: true, allowNull: false });
const text = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const bigint = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const int = (allowNull = false) => ({ type: DataTypes.INTEGER, allowNull });
const options = { timestamps: false, underscored: true, freezeTableName: true } as const;

export interface Models {
  Person: ModelStatic<Model>;
  Guardianship: ModelStatic<Model>;
  Account: ModelStatic<Model>;
  Card: ModelStatic<Model>;
  CardEvent: ModelStatic<Model>;
  Merchant: ModelStatic<Model>;
  Device: ModelStatic<Model>;
  Operation: ModelStatic<Model>;
  Transfer: ModelStatic<Model>;
  Hold: ModelStatic<Model>;
  Settlement: ModelStatic<Model>;
  AuditLog: ModelStatic<Model>;
}

export function defineModels(sequelize: Sequelize): Models {
  const Person = sequelize.define(
    'persons',
    {
      id: id(26),
      personNo: text(32),
      name: text(64),
      type: text(16),
      department: text(64, true),
      status: text(16),
      idNumberEnc: text(255, true),
      phoneEnc: text(255, true),
      createdAtMs: bigint(),
      updatedAtMs: bigint(),
    },
    options,
  );
  const Guardianship = sequelize.define(
    'guardianships',
    {
      parentId: { ...text(26), primaryKey: true },
      studentId: { ...text(26), primaryKey: true },
      status: text(16),
      createdAtMs: bigint(),
    },
    options,
  );
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
  const Card = sequelize.define(
    'cards',
    {
      cardNo: id(20),
      personId: text(26),
      status: text(16),
      version: int(),
      mainAccountId: text(26),
      subsidyAccountId: text(26),
      dailyLimit: bigint(),
      pinFreeLimit: bigint(),
      pinHash: text(255, true),
      spentDay: int(),
      spentDayAmount: bigint(),
      lastPayDeviceId: text(32, true),
      lastPayAtMs: bigint(true),
      reissueCount: int(),
      pinFailures: int(),
      pinFailuresUntilMs: bigint(true),
      createdAtMs: bigint(),
      updatedAtMs: bigint(),
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
  const Device = sequelize.define(
    'devices',
    {
      id: id(32),
      kind: text(16),
      merchantId: text(26, true),
      status: text(16),
      keyEnc: text(255, true),
      keyVersion: int(),
      lastSeenAtMs: bigint(true),
      createdAtMs: bigint(),
      /** The last disabled period (sql/022): the ledger charges no offline record taken inside it. */
      disabledAtMs: bigint(true),
      reenabledAtMs: bigint(true),
    },
    options,
  );
  const Operation = sequelize.define(
    'operations',
    {
      id: id(64),
      kind: text(16),
      outcome: text(32),
      cardNo: text(20, true),
      merchantId: text(26, true),
      deviceId: text(32, true),
      referenceId: text(64, true),
      amount: bigint(),
      subsidyAmount: bigint(),
      refundedAmount: bigint(),
      mainAfter: bigint(true),
      subsidyAfter: bigint(true),
      requestExtra: { type: DataTypes.TEXT, allowNull: true },
      answerExtra: { type: DataTypes.TEXT, allowNull: true },
      createdDay: int(),
      createdAtMs: bigint(),
    },
    options,
  );
  const Transfer = sequelize.define(
    'transfers',
    {
      id: id(72),
      operationId: text(64),
      debitAccountId: text(26),
      creditAccountId: text(26),
      amount: bigint(),
      pending: { type: DataTypes.SMALLINT, allowNull: false },
      createdAtMs: bigint(),
    },
    options,
  );
  const Hold = sequelize.define(
    'holds',
    {
      id: id(64),
      cardNo: text(20),
      merchantId: text(26),
      deviceId: text(32, true),
      amount: bigint(),
      subsidyAmount: bigint(),
      usageAmount: bigint(),
      status: text(16),
      expiresAtMs: bigint(),
      resolvedBy: text(64, true),
      resolvedAmount: bigint(true),
      resolvedAtMs: bigint(true),
      createdAtMs: bigint(),
    },
    options,
  );
  const Settlement = sequelize.define(
    'settlements',
    {
      merchantId: { ...text(26), primaryKey: true },
      settleDay: { ...int(), primaryKey: true },
      paymentCount: int(),
      paymentAmount: bigint(),
      refundCount: int(),
      refundAmount: bigint(),
      feeAmount: bigint(),
      netAmount: bigint(),
      journalNetAmount: bigint(),
      createdAtMs: bigint(),
    },
    options,
  );
  const AuditLog = sequelize.define(
    'audit_log',
    {
      id: id(26),
      actorType: text(16),
      actorId: text(64, true),
      action: text(48),
      targetType: text(24, true),
      targetId: text(64, true),
      detail: { type: DataTypes.TEXT, allowNull: true },
      prevHash: { type: DataTypes.CHAR(64), allowNull: false },
      hash: { type: DataTypes.CHAR(64), allowNull: false },
      /** Position in the chain (sql/007_admin.sql); written only by core/src/admin/audit-log.ts. */
      seq: { type: DataTypes.BIGINT, allowNull: true },
      createdAtMs: bigint(),
    },
    options,
  );
  return {
    Person,
    Guardianship,
    Account,
    Card,
    CardEvent,
    Merchant,
    Device,
    Operation,
    Transfer,
    Hold,
    Settlement,
    AuditLog,
  };
}
