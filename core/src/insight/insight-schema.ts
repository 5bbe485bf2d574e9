/**
 * The insight store's tables (DuckDB) and the SQL pieces its queries share. Tables are created if
 * missing when the store opens; DuckDB's own file holds them, so there is no migration numbering:
 * a new table or summary is one more CREATE ... IF NOT EXISTS here, and a summary added to an
 * existing file is filled by marking every day dirty (insight-summaries.ts).
 */

/**
 * The copied tables, as the extract fills them (keys as in the ledger). The journal's operations
 * (tens of millions of rows a year) are kept without a PRIMARY KEY: its index cost more than the rest
 * of the load together and grows past the store's memory; a load replaces a row by id within the days
 * its page covers instead (insight-load.ts, replaceOperations), and a file made with the key is
 * rebuilt without it when it opens (operationsKeyed).
 */
const copied = [
  `CREATE TABLE IF NOT EXISTS operations (id VARCHAR NOT NULL, kind VARCHAR NOT NULL, outcome VARCHAR NOT NULL,
     card_no VARCHAR, merchant_id VARCHAR, device_id VARCHAR, amount BIGINT NOT NULL, subsidy_amount BIGINT NOT NULL,
     created_day INTEGER NOT NULL, created_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS card_events (id VARCHAR PRIMARY KEY, card_no VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     from_status VARCHAR, to_status VARCHAR NOT NULL, actor_type VARCHAR NOT NULL, created_at_ms BIGINT NOT NULL,
     ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS attendance (session_id VARCHAR NOT NULL, person_no VARCHAR NOT NULL, card_no VARCHAR NOT NULL,
     device_id VARCHAR NOT NULL, source VARCHAR NOT NULL, recorded_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (session_id, person_no))`,
  `CREATE TABLE IF NOT EXISTS access (id VARCHAR PRIMARY KEY, device_id VARCHAR NOT NULL, card_no VARCHAR, person_no VARCHAR,
     direction VARCHAR NOT NULL, decision VARCHAR NOT NULL, source VARCHAR NOT NULL, occurred_at_ms BIGINT NOT NULL,
     created_at_ms BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sessions (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, title VARCHAR NOT NULL,
     starts_at_ms BIGINT NOT NULL, ends_at_ms BIGINT NOT NULL, created_at_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS roster (session_id VARCHAR NOT NULL, person_no VARCHAR NOT NULL,
     PRIMARY KEY (session_id, person_no))`,
  'CREATE TABLE IF NOT EXISTS merchants (id VARCHAR PRIMARY KEY, category VARCHAR NOT NULL)',
  `CREATE TABLE IF NOT EXISTS places (merchant_id VARCHAR PRIMARY KEY, site VARCHAR NOT NULL, x_m INTEGER NOT NULL,
     y_m INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS holders (card_no VARCHAR PRIMARY KEY, person_no VARCHAR NOT NULL, type VARCHAR NOT NULL,
     department VARCHAR, status VARCHAR NOT NULL)`,
  // The grade (enrolment year) came after the first files were made: added to an existing one.
  'ALTER TABLE holders ADD COLUMN IF NOT EXISTS enrol_year INTEGER',
  // Whether the card has a PIN (the step-up guards it), likewise added later; 0 until the next extract.
  'ALTER TABLE holders ADD COLUMN IF NOT EXISTS pin_set INTEGER',
  `CREATE TABLE IF NOT EXISTS code_uses (operation_id VARCHAR PRIMARY KEY, card_no VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     key_id VARCHAR, made_at_s BIGINT, counter INTEGER, used_at_ms BIGINT NOT NULL)`,
  // Approved absences (请假): attendance warnings leave their days out; spending during an off-campus one.
  `CREATE TABLE IF NOT EXISTS absences (id VARCHAR PRIMARY KEY, person_no VARCHAR NOT NULL, card_no VARCHAR NOT NULL,
     kind VARCHAR NOT NULL, off_campus INTEGER NOT NULL, from_ms BIGINT NOT NULL, to_ms BIGINT NOT NULL,
     decided_at_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS watermarks (source VARCHAR PRIMARY KEY, after_ms BIGINT NOT NULL, after_id VARCHAR NOT NULL,
     behind BOOLEAN NOT NULL, rows_total BIGINT NOT NULL, run_at_ms BIGINT NOT NULL)`,
];

/**
 * Summaries kept up to date after each load (insight-summaries.ts), so the pages read small tables:
 * - dirty_days: the Asia/Shanghai days whose copied rows changed since the last refresh;
 * - card_days: per card and day on campus (any accepted spending, sign-in or allowed gate pass), its
 *   meals (canteen sittings), meal spend and other spending;
 * - card_months: the same per card and month, what hidden need and the person page read;
 * - slot_counts: accepted canteen payments per window, day and 15-minute slot (canteen load);
 * - card_pay_days: per card and day with payments, the pieces of its abnormal-spending profile
 *   (abnormal-spending.ts): how many, their amounts in order, the places, the last payment;
 * - card_key_days: per card, day and phone key, the last code made (its second and counter);
 * - card_profiles, card_key_profiles: those pieces over a window's profile days, per card, for the
 *   windows starting on day_no with profile_days days of profile (profile_runs: the ones computed).
 */
const summaries = [
  'CREATE TABLE IF NOT EXISTS dirty_days (day_no INTEGER PRIMARY KEY)',
  `CREATE TABLE IF NOT EXISTS card_days (card_no VARCHAR NOT NULL, day_no INTEGER NOT NULL, month_key VARCHAR NOT NULL,
     meals INTEGER NOT NULL, meal_spend BIGINT NOT NULL, other_spend BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS card_months (card_no VARCHAR NOT NULL, month_key VARCHAR NOT NULL, campus_days INTEGER NOT NULL,
     meals INTEGER NOT NULL, meal_spend BIGINT NOT NULL, other_spend BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS slot_counts (win VARCHAR NOT NULL, day_no INTEGER NOT NULL, slot INTEGER NOT NULL,
     n BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS card_pay_days (card_no VARCHAR NOT NULL, day_no INTEGER NOT NULL, payments INTEGER NOT NULL,
     amounts BIGINT[] NOT NULL, merchants VARCHAR[] NOT NULL,
     last_payment STRUCT(at_ms BIGINT, id VARCHAR, merchant_id VARCHAR, amount BIGINT) NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS card_key_days (card_no VARCHAR NOT NULL, day_no INTEGER NOT NULL, key_id VARCHAR NOT NULL,
     made_at_s BIGINT NOT NULL, counter INTEGER NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS profile_runs (day_no INTEGER NOT NULL, profile_days INTEGER NOT NULL, PRIMARY KEY (day_no, profile_days))',
  `CREATE TABLE IF NOT EXISTS card_profiles (card_no VARCHAR NOT NULL, day_no INTEGER NOT NULL, profile_days INTEGER NOT NULL,
     payments INTEGER NOT NULL, amounts BIGINT[] NOT NULL, known VARCHAR[] NOT NULL,
     last_payment STRUCT(at_ms BIGINT, id VARCHAR, merchant_id VARCHAR, amount BIGINT) NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS card_key_profiles (card_no VARCHAR NOT NULL, day_no INTEGER NOT NULL,
     profile_days INTEGER NOT NULL, key_id VARCHAR NOT NULL, made_at_s BIGINT NOT NULL, counter INTEGER NOT NULL)`,
];

/** Whether a store file still has the operations' PRIMARY KEY (made before it was dropped). */
export const operationsKeyed = `SELECT count(*)::DOUBLE n FROM duckdb_constraints()
  WHERE table_name = 'operations' AND constraint_type = 'PRIMARY KEY'`;

/** Rebuilds operations without its PRIMARY KEY, in the rows' time order (one transaction). */
export const unkeyOperations = [
  'CREATE TABLE operations_unkeyed AS SELECT * FROM operations ORDER BY created_at_ms, id',
  'DROP TABLE operations',
  'ALTER TABLE operations_unkeyed RENAME TO operations',
];

/** The summary tables, so that a store file made before one of them fills it (insight-store.ts). */
export const summaryTables = ['card_days', 'card_months', 'slot_counts', 'card_pay_days', 'card_key_days'];

export const schema: readonly string[] = [...copied, ...summaries];

/** The accepted payments at a merchant (operations as `o`): what abnormal spending reads. */
export const paymentFilter =
  "o.outcome = 'ok' AND o.kind = 'payment' AND o.card_no IS NOT NULL AND o.merchant_id IS NOT NULL";

/** TIMESTAMPTZ of an epoch-ms column: epoch_ms gives a naive UTC timestamp, read as UTC here. */
export const tsOf = (column: string) => `epoch_ms(${column}) AT TIME ZONE 'UTC'`;

/**
 * Asia/Shanghai (UTC+8 all year since 1991) in integer arithmetic on epoch ms, as time.ts cuts days:
 * much cheaper than a time-zone conversion per row, and the same answer.
 */
const offsetMs = 8 * 3_600_000;
export const dayOf = (ms: string) => `((${ms} + ${offsetMs}) // 86400000)::INTEGER`;
export const hourOf = (ms: string) => `(((${ms} + ${offsetMs}) % 86400000) // 3600000)`;
/** The 15-minute slot of the Shanghai day (0–95). */
export const slotOf = (ms: string) => `((((${ms} + ${offsetMs}) % 86400000) // 900000))::INTEGER`;
/** 'YYYY-MM' of a Shanghai day number. */
export const monthOfDay = (day: string) => `strftime(DATE '1970-01-01' + ${day}, '%Y-%m')`;

/** A meal is a canteen payment's (day, sitting): several dishes at one sitting are one meal. */
export const sittingOf = (ms: string) =>
  `CASE WHEN ${hourOf(ms)} < 10 THEN 'b' WHEN ${hourOf(ms)} < 15 THEN 'l' WHEN ${hourOf(ms)} < 21 THEN 'd' ELSE 'n' END`;

/** The copied tables written to Parquet snapshots. */
export const snapshotTables = [
  'operations',
  'card_events',
  'attendance',
  'access',
  'code_uses',
  'absences',
  'merchants',
  'places',
  'holders',
] as const;

export const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
