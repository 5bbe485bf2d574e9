import { DataTypes, type Model, type ModelStatic, type Sequelize, type WhereOptions } from 'sequelize';

/**
 * Sequelize models of the tables the plain CRUD domains query through them (docs/architecture.md,
 * "Storage: one way per path"): merchants and their settlement accounts, the card event history,
 * content (news, courses, lessons, with read marks and playback progress) and admin accounts.
 * The migrations are the source of truth and these follow them (test/schema.test.ts compares both
 * against the live database). A model is defined only while a repository queries it; the money path
 * uses SQL directly (see db/database.ts).
 */
/** A key column (composite keys mark each of their columns). */
const id = (length: number) => ({ type: DataTypes.STRING(length), primaryKey: true, allowNull: false });
const text = (length: number, allowNull = false) => ({ type: DataTypes.STRING(length), allowNull });
const bigint = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull });
const int = (allowNull = false) => ({ type: DataTypes.INTEGER, allowNull });
const longText = () => ({ type: DataTypes.TEXT, allowNull: false });
const options = { timestamps: false, underscored: true, freezeTableName: true } as const;

export interface Models {
  Account: ModelStatic<Model>;
  AdminAccount: ModelStatic<Model>;
  CardEvent: ModelStatic<Model>;
  Course: ModelStatic<Model>;
  Lesson: ModelStatic<Model>;
  LessonProgress: ModelStatic<Model>;
  Merchant: ModelStatic<Model>;
  News: ModelStatic<Model>;
  NewsRead: ModelStatic<Model>;
}

/**
 * One UPDATE through a model, answering whether a row matched, as the mysql2 layer's counts do:
 * Sequelize counts only rows whose values changed on MySQL, so an update that leaves the row as it was
 * (a repeat within one millisecond) is asked again by count.
 */
export async function updateMatched(
  model: ModelStatic<Model>,
  values: Record<string, unknown>,
  where: WhereOptions,
): Promise<boolean> {
  const [changed] = await model.update(values, { where });
  return changed > 0 || (await model.count({ where })) > 0;
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
      campusId: text(26, true),
    },
    options,
  );
  const audience = { audienceType: text(16), audienceValue: text(64, true) };
  const News = sequelize.define(
    'news',
    {
      id: id(26),
      title: text(200),
      body: longText(),
      ...audience,
      status: text(16),
      publishAtMs: bigint(),
      author: text(64),
      createdAtMs: bigint(),
      updatedAtMs: bigint(true),
      announcedAtMs: bigint(true),
      important: int(),
      messagesQueuedAtMs: bigint(true),
    },
    options,
  );
  const NewsRead = sequelize.define(
    'news_reads',
    { newsId: id(26), personNo: id(32), readAtMs: bigint() },
    options,
  );
  const Course = sequelize.define(
    'courses',
    {
      id: id(26),
      title: text(200),
      description: longText(),
      teacher: text(64),
      ...audience,
      createdAtMs: bigint(),
      updatedAtMs: bigint(true),
    },
    options,
  );
  const Lesson = sequelize.define(
    'lessons',
    {
      id: id(26),
      courseId: text(26),
      seq: int(),
      title: text(200),
      videoPath: text(512, true),
      videoUrl: text(1024, true),
      durationSeconds: { ...int(), field: 'duration_s' },
      createdAtMs: bigint(),
      updatedAtMs: bigint(true),
    },
    options,
  );
  const LessonProgress = sequelize.define(
    'lesson_progress',
    {
      lessonId: id(26),
      personNo: id(32),
      positionSeconds: { ...int(), field: 'position_s' },
      completed: { type: DataTypes.SMALLINT, allowNull: false },
      updatedAtMs: bigint(),
    },
    options,
  );
  const AdminAccount = sequelize.define(
    'admin_accounts',
    {
      id: id(26),
      username: text(32),
      displayName: text(64),
      role: text(24),
      department: text(64, true),
      passwordHash: text(255),
      totpSecretEnc: text(255, true),
      totpLastStep: bigint(true),
      failedLogins: int(),
      lockedUntilMs: bigint(true),
      status: text(16),
      createdAtMs: bigint(),
      updatedAtMs: bigint(),
      totpPendingEnc: text(255, true),
      campusId: text(26, true),
    },
    options,
  );
  return { Account, AdminAccount, CardEvent, Course, Lesson, LessonProgress, Merchant, News, NewsRead };
}
