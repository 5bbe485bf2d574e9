import { z } from 'zod';
import { personTypes } from './contract/cards.ts';
import { topUpAmountCeiling } from './contract/fields.ts';
import { messageKinds } from './messages/message-types.ts';
import { redisUrlFromEnv, refineRedisUrl } from './redis.ts';
import { assertProductionSecrets, type NamedSecret } from './secrets.ts';

/**
 * The core's whole configuration: one schema, read from the environment once at start and passed
 * into factories as a frozen object. Nothing below reads process.env.
 */
const fen = z.coerce.number().int().nonnegative();

const templateSchema = z.object({ id: z.string().min(1), keys: z.array(z.string().min(1)) });
const messageTemplatesSchema = z.object({
  wechat: z.partialRecord(z.enum(messageKinds), templateSchema).default({}),
  alipay: z.partialRecord(z.enum(messageKinds), templateSchema).default({}),
  sms: z
    .partialRecord(z.enum(messageKinds), z.object({ code: z.string().min(1), keys: z.array(z.string()) }))
    .default({}),
});

/** Development and demo templates: the stand-ins accept any id (production must set its own). */
const demoTemplates = JSON.stringify({
  wechat: Object.fromEntries(
    messageKinds.map((k) => [k, { id: `demo-${k}`, keys: ['thing1', 'thing2', 'time3'] }]),
  ),
  alipay: Object.fromEntries(
    messageKinds.map((k) => [k, { id: `demo-${k}`, keys: ['keyword1', 'keyword2', 'keyword3'] }]),
  ),
  sms: Object.fromEntries(
    messageKinds.map((k) => [k, { code: `SMS_DEMO_${k.toUpperCase()}`, keys: ['a', 'b', 'c'] }]),
  ),
});

const schema = z.object({
  databaseUrl: z.string().min(1).describe('DATABASE_URL: mysql://user:pass@host:port/db or sqlite:path'),
  host: z.string().describe('CORE_HOST: interface the internal API listens on'),
  port: z.coerce.number().int().min(0).max(65535).describe('CORE_PORT: 0 picks a free port'),
  serviceKeys: z
    .string()
    .transform((raw, ctx) => {
      const keys = new Map<string, string>();
      for (const pair of raw.split(',').filter(Boolean)) {
        const at = pair.indexOf(':');
        const keyId = pair.slice(0, at);
        const secret = pair.slice(at + 1);
        if (at <= 0 || secret.length < 16) {
          ctx.addIssue({
            code: 'custom',
            message: 'each key is keyId:secret with a secret of 16+ characters',
          });
          return z.NEVER;
        }
        keys.set(keyId, secret);
      }
      return keys;
    })
    .describe('CORE_SERVICE_KEYS: comma-separated keyId:secret pairs that may call the core'),
  batchSizeMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .describe('LEDGER_BATCH_SIZE_MAX: operations per database transaction'),
  executorsMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .optional()
    .describe('LEDGER_EXECUTORS: transactions in flight at once (default 3 on MySQL, 1 on SQLite)'),
  queueDepthMax: z.coerce
    .number()
    .int()
    .min(1)
    .describe('LEDGER_QUEUE_DEPTH_MAX: operations waiting before OVERLOADED'),
  paymentAmountMax: fen.describe('PAYMENT_AMOUNT_MAX: largest single payment or hold, fen'),
  topUpAmountMax: fen
    .max(topUpAmountCeiling)
    .describe('TOP_UP_AMOUNT_MAX: largest single top-up, fen (at most the contract ceiling)'),
  dailyLimitDefault: fen.describe('DAILY_LIMIT_DEFAULT: spending cap per card per Asia/Shanghai day, fen'),
  dailyLimitMax: fen.describe('DAILY_LIMIT_MAX: the highest daily cap a card may set, fen'),
  pinFreeLimitDefault: fen.describe('PIN_FREE_LIMIT_DEFAULT: largest payment without a PIN, fen'),
  payIntervalMsMin: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe('PAY_INTERVAL_MS_MIN: minimum time between two payments of one card at one device'),
  holdTimeoutMsMax: z.coerce
    .number()
    .int()
    .positive()
    .describe('HOLD_TIMEOUT_MS_MAX: longest a hold may stay pending'),
  holdSweepIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .multipleOf(1_000)
    .describe('HOLD_SWEEP_INTERVAL_MS: how often expired holds are settled (whole seconds)'),
  presenceSilenceMs: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(86_400_000)
    .describe(
      'PRESENCE_SILENCE_MS: silence after which a device reads offline whatever its gateway last said',
    ),
  piiKeyHex: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .describe('PII_KEY: 32-byte hex key that encrypts ID numbers and phones at rest'),
  academicDatabaseUrl: z
    .string()
    .regex(/^mysql:\/\//)
    .optional()
    .describe(
      'ACADEMIC_DATABASE_URL: the academic-affairs database the identity sync reads (unset: no student sync)',
    ),
  hrDatabaseUrl: z
    .string()
    .regex(/^mysql:\/\//)
    .optional()
    .describe('HR_DATABASE_URL: the HR database the identity sync reads (unset: no staff sync)'),
  syncIntervalMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .multipleOf(1_000)
    .describe(
      'SYNC_INTERVAL_MS: how often an incremental identity sync runs (whole seconds); 0 switches the schedule off',
    ),
  syncFullIntervalMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'SYNC_FULL_INTERVAL_MS: a scheduled run is a full reconcile when the last one is older than this; 0 never',
    ),
  syncOverlapMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'SYNC_OVERLAP_MS: an incremental run re-reads this far behind its watermark, for source transactions that commit late',
    ),
  adminLoginFailuresMax: z.coerce
    .number()
    .int()
    .positive()
    .describe(
      'ADMIN_LOGIN_FAILURES_MAX: failed passwords or codes before each further sign-in attempt on the account waits a doubling delay',
    ),
  adminLockoutMs: z.coerce
    .number()
    .int()
    .positive()
    .describe('ADMIN_LOCKOUT_MS: the longest wait between two sign-in attempts on a delayed admin account'),
  adminLoginDelayMs: z.coerce
    .number()
    .int()
    .positive()
    .describe(
      'ADMIN_LOGIN_DELAY_MS: the first wait once the free attempts are used; each further failure doubles it, up to ADMIN_LOCKOUT_MS',
    ),
  subsidyApprovalThreshold: fen.describe(
    'SUBSIDY_APPROVAL_THRESHOLD: a subsidy batch totalling more than this (fen) needs a second admin to approve it before posting',
  ),
  busNoShowsMax: z.coerce
    .number()
    .int()
    .min(1)
    .describe(
      'BUS_NO_SHOWS_MAX: missed bus bookings within BUS_NO_SHOW_WINDOW_DAYS that bar a person from booking',
    ),
  busNoShowWindowDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .describe('BUS_NO_SHOW_WINDOW_DAYS: the days back in which missed bus bookings are counted'),
  busNoShowBarDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .describe('BUS_NO_SHOW_BAR_DAYS: how long a person with too many missed bus bookings may not book'),
  busFreePersonTypes: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    )
    .pipe(z.array(z.enum(personTypes)))
    .describe(
      'BUS_FREE_PERSON_TYPES: person types that ride the school bus free without a booking (comma-separated)',
    ),
  busOfflineRidesPerCardMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .describe(
      'BUS_OFFLINE_RIDES_PER_CARD_MAX: rides one card may take on one run while its bus reader is offline',
    ),
  insightDbPath: z
    .string()
    .min(1)
    .optional()
    .describe(
      'INSIGHT_DB_PATH: the DuckDB file the campus-insight extract feeds (docs/analytics.md); unset, no extract runs. One core instance only: DuckDB locks the file',
    ),
  insightIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .multipleOf(1_000)
    .describe(
      'INSIGHT_INTERVAL_MS: how often the insight extract copies what is new from the ledger (whole seconds)',
    ),
  insightOverlapMs: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      'INSIGHT_OVERLAP_MS: how far behind its watermark each insight extract run re-reads, for ledger transactions that commit late',
    ),
  insightMemoryLimit: z
    .string()
    .regex(/^\d+(MB|GB)$/)
    .describe("INSIGHT_MEMORY_LIMIT: DuckDB's buffer limit for the insight store, e.g. 1GB"),
  insightRetentionDays: z.coerce
    .number()
    .int()
    .refine((days) => days === 0 || days >= 30, 'INSIGHT_RETENTION_DAYS is 0 (keep all) or 30 or more')
    .describe(
      'INSIGHT_RETENTION_DAYS: rows older than this many days are deleted from the insight store after each extract run (docs/analytics.md); 0 keeps everything',
    ),
  utilityUrl: z
    .url()
    .optional()
    .describe(
      'UTILITY_URL: the dorm meter system the electricity purchases credit (docs/funds.md); unset, electricity is off',
    ),
  utilityAppId: z.string().min(1).max(64).describe('UTILITY_APP_ID: our app id at the meter system'),
  utilitySecret: z
    .string()
    .min(16)
    .describe('UTILITY_SECRET: the key our requests to the meter system are signed with (HMAC-SHA256)'),
  networkUrl: z
    .url()
    .optional()
    .describe(
      'NETWORK_URL: the campus network billing system the network fee credits; unset, the network fee is off',
    ),
  networkAppId: z
    .string()
    .min(1)
    .max(64)
    .describe('NETWORK_APP_ID: our app id at the network billing system'),
  networkSecret: z
    .string()
    .min(16)
    .describe('NETWORK_SECRET: the key our requests to the network billing system are signed with'),
  financeUrl: z
    .url()
    .optional()
    .describe(
      'FINANCE_URL: the campus finance system fee items are pulled from (docs/funds.md); unset, only CSV and the backoffice',
    ),
  financeAppId: z.string().min(1).max(64).describe('FINANCE_APP_ID: our app id at the finance system'),
  financeSecret: z
    .string()
    .min(16)
    .describe('FINANCE_SECRET: the key our requests to the finance system are signed with'),
  utilityTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .describe(
      'UTILITY_TIMEOUT_MS: how long a call to the meter or network system may take before its answer counts as lost',
    ),
  utilityReconcileIntervalMs: z.coerce
    .number()
    .int()
    .positive()
    .multipleOf(1_000)
    .describe(
      'UTILITY_RECONCILE_INTERVAL_MS: how often orders whose answer was lost are asked about by their order id (whole seconds)',
    ),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .describe('LOG_LEVEL: pino level'),
  bankUrl: z
    .url()
    .optional()
    .describe(
      'BANK_URL: the bank front end for 圈存 (docs/funds.md § Bank); unset, bank binding and loads answer BANK_UNAVAILABLE',
    ),
  bankSecret: z.string().min(16).describe('BANK_SECRET: the key signing requests to the bank front end'),
  bankTimeoutMs: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .describe(
      'BANK_TIMEOUT_MS: how long a call to the bank waits for its answer; a transfer without one is reversed',
    ),
  passagePeopleFollowMs: z.coerce
    .number()
    .int()
    .min(0)
    .multipleOf(1_000)
    .describe(
      'PASSAGE_PEOPLE_FOLLOW_MS: how often the door rule tables follow cards opened or cancelled and departments or classes moved by the sync (whole seconds; 0 turns it off)',
    ),
  bankJobIntervalMs: z.coerce
    .number()
    .int()
    .min(1_000)
    .multipleOf(1_000)
    .describe(
      'BANK_JOB_INTERVAL_MS: how often unsettled bank transfers are resolved, auto top-ups checked and refunds paid to bound bank cards (whole seconds)',
    ),
  bankResolveAfterMs: z.coerce
    .number()
    .int()
    .min(0)
    .describe(
      "BANK_RESOLVE_AFTER_MS: age after which a transfer still pending is settled from the bank's record",
    ),
  messagesChannels: z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['wechat', 'alipay', 'sms'])))
    .describe(
      'MESSAGES_CHANNELS: channels messages outside the app go out on, comma-separated: wechat, alipay, sms (docs/messages.md); empty, no delivery loop runs',
    ),
  messagesIntervalMs: z.coerce
    .number()
    .int()
    .min(1_000)
    .multipleOf(1_000)
    .describe('MESSAGES_INTERVAL_MS: how often the message outbox is delivered (whole seconds)'),
  messagesBatchMax: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000)
    .describe('MESSAGES_BATCH_MAX: messages one delivery pass takes at most'),
  messageTemplates: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(messageTemplatesSchema)
    .describe(
      'MESSAGE_TEMPLATES: JSON {wechat|alipay: {kind: {id, keys}}, sms: {kind: {code, keys}}}: the approved template per message kind and its data keys in field order',
    ),
  wechatApiUrl: z
    .url()
    .describe('WECHAT_API_URL: WeChat server API for subscription messages (https://api.weixin.qq.com)'),
  wechatAppId: z.string().optional().describe('WECHAT_APPID: the mini-program app id messages are sent as'),
  wechatAppSecret: z
    .string()
    .optional()
    .describe('WECHAT_APP_SECRET: its app secret, for the access token of cgi-bin/token'),
  alipayGatewayUrl: z
    .url()
    .describe('ALIPAY_GATEWAY_URL: the Alipay gateway template messages are sent through'),
  alipayAppId: z.string().optional().describe('ALIPAY_APP_ID: the Alipay mini-program app id'),
  alipayPrivateKey: z.string().optional().describe('ALIPAY_PRIVATE_KEY: the app private key, PEM'),
  alipayPublicKey: z.string().optional().describe("ALIPAY_PUBLIC_KEY: Alipay's public key, PEM"),
  alipayIdType: z
    .enum(['open_id', 'user_id'])
    .describe('ALIPAY_ID_TYPE: which id the Alipay bindings hold, open_id or user_id'),
  smsUrl: z.url().describe('SMS_URL: Alibaba Cloud SMS endpoint (https://dysmsapi.aliyuncs.com)'),
  smsAccessKeyId: z.string().optional().describe('SMS_ACCESS_KEY_ID: the SMS AccessKey id'),
  smsAccessKeySecret: z.string().optional().describe('SMS_ACCESS_KEY_SECRET: its AccessKey secret'),
  smsSignName: z.string().optional().describe('SMS_SIGN_NAME: the approved SMS signature (签名)'),
  redisUrl: z
    .string()
    .superRefine(refineRedisUrl)
    .optional()
    .describe(
      'REDIS_URL: where blacklist changes are published to every gateway instance; unset, only in process',
    ),
});

export type CoreConfig = Readonly<z.output<typeof schema>>;

/** Development defaults; production (NODE_ENV=production) must set the secrets explicitly. */
const devSecrets = {
  CORE_SERVICE_KEYS: 'dev:dev-core-secret-change-me',
  PII_KEY: '00'.repeat(32),
  UTILITY_SECRET: 'utility-dev-secret-0123456789',
  NETWORK_SECRET: 'network-dev-secret-0123456789',
  FINANCE_SECRET: 'finance-dev-secret-0123456789',
  BANK_SECRET: 'dev-bank-secret-change-me',
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CoreConfig {
  const production = env.NODE_ENV === 'production';
  // Before the schema, so a missing secret is named as such; the development defaults never reach here.
  if (production)
    assertProductionSecrets('the core', [
      ...serviceKeySecrets(env.CORE_SERVICE_KEYS),
      { name: 'PII_KEY', value: env.PII_KEY, hex: true },
      // The meter and network systems' keys only where those systems are configured.
      ...(env.UTILITY_URL ? [{ name: 'UTILITY_SECRET', value: env.UTILITY_SECRET }] : []),
      ...(env.NETWORK_URL ? [{ name: 'NETWORK_SECRET', value: env.NETWORK_SECRET }] : []),
      ...(env.FINANCE_URL ? [{ name: 'FINANCE_SECRET', value: env.FINANCE_SECRET }] : []),
      ...(env.BANK_URL ? [{ name: 'BANK_SECRET', value: env.BANK_SECRET }] : []),
      // The message channels' credentials only where those channels are switched on.
      ...messageChannelSecrets(env),
    ]);
  const secret = (name: keyof typeof devSecrets) => env[name] ?? (production ? undefined : devSecrets[name]);
  const parsed = schema.safeParse({
    databaseUrl: env.DATABASE_URL || 'sqlite:data/core.sqlite',
    host: env.CORE_HOST ?? '127.0.0.1',
    port: env.CORE_PORT ?? 4100,
    serviceKeys: secret('CORE_SERVICE_KEYS'),
    batchSizeMax: env.LEDGER_BATCH_SIZE_MAX ?? 128,
    executorsMax: env.LEDGER_EXECUTORS,
    queueDepthMax: env.LEDGER_QUEUE_DEPTH_MAX ?? 20_000,
    paymentAmountMax: env.PAYMENT_AMOUNT_MAX ?? 100_000,
    topUpAmountMax: env.TOP_UP_AMOUNT_MAX ?? topUpAmountCeiling,
    dailyLimitDefault: env.DAILY_LIMIT_DEFAULT ?? 30_000,
    dailyLimitMax: env.DAILY_LIMIT_MAX ?? 200_000,
    pinFreeLimitDefault: env.PIN_FREE_LIMIT_DEFAULT ?? 5_000,
    payIntervalMsMin: env.PAY_INTERVAL_MS_MIN ?? 3_000,
    holdTimeoutMsMax: env.HOLD_TIMEOUT_MS_MAX ?? 4 * 3600_000,
    holdSweepIntervalMs: env.HOLD_SWEEP_INTERVAL_MS ?? 1_000,
    // The longest heartbeat interval (90 s) times the misses a gateway allows (3), plus a presence
    // report's batching delay and some slack.
    presenceSilenceMs: env.PRESENCE_SILENCE_MS ?? 300_000,
    piiKeyHex: secret('PII_KEY'),
    academicDatabaseUrl: env.ACADEMIC_DATABASE_URL || undefined,
    hrDatabaseUrl: env.HR_DATABASE_URL || undefined,
    syncIntervalMs: env.SYNC_INTERVAL_MS ?? 600_000,
    syncFullIntervalMs: env.SYNC_FULL_INTERVAL_MS ?? 86_400_000,
    syncOverlapMs: env.SYNC_OVERLAP_MS ?? 60_000,
    adminLoginFailuresMax: env.ADMIN_LOGIN_FAILURES_MAX ?? 5,
    adminLockoutMs: env.ADMIN_LOCKOUT_MS ?? 15 * 60_000,
    adminLoginDelayMs: env.ADMIN_LOGIN_DELAY_MS ?? 1000,
    subsidyApprovalThreshold: env.SUBSIDY_APPROVAL_THRESHOLD ?? 1_000_000,
    busNoShowsMax: env.BUS_NO_SHOWS_MAX ?? 3,
    busNoShowWindowDays: env.BUS_NO_SHOW_WINDOW_DAYS ?? 30,
    busNoShowBarDays: env.BUS_NO_SHOW_BAR_DAYS ?? 14,
    busFreePersonTypes: env.BUS_FREE_PERSON_TYPES ?? 'staff',
    busOfflineRidesPerCardMax: env.BUS_OFFLINE_RIDES_PER_CARD_MAX ?? 1,
    insightDbPath: env.INSIGHT_DB_PATH || undefined,
    insightIntervalMs: env.INSIGHT_INTERVAL_MS ?? 600_000,
    insightOverlapMs: env.INSIGHT_OVERLAP_MS ?? 300_000,
    insightMemoryLimit: env.INSIGHT_MEMORY_LIMIT ?? '1GB',
    insightRetentionDays: env.INSIGHT_RETENTION_DAYS ?? 400,
    utilityUrl: env.UTILITY_URL || undefined,
    utilityAppId: env.UTILITY_APP_ID ?? 'campus-card',
    utilitySecret:
      env.UTILITY_SECRET ?? (production && env.UTILITY_URL ? undefined : devSecrets.UTILITY_SECRET),
    networkUrl: env.NETWORK_URL || undefined,
    networkAppId: env.NETWORK_APP_ID ?? 'campus-card',
    networkSecret:
      env.NETWORK_SECRET ?? (production && env.NETWORK_URL ? undefined : devSecrets.NETWORK_SECRET),
    financeUrl: env.FINANCE_URL || undefined,
    financeAppId: env.FINANCE_APP_ID ?? 'campus-card',
    financeSecret:
      env.FINANCE_SECRET ?? (production && env.FINANCE_URL ? undefined : devSecrets.FINANCE_SECRET),
    utilityTimeoutMs: env.UTILITY_TIMEOUT_MS ?? 5_000,
    utilityReconcileIntervalMs: env.UTILITY_RECONCILE_INTERVAL_MS ?? 10_000,
    logLevel: env.LOG_LEVEL ?? 'info',
    bankUrl: env.BANK_URL || undefined,
    bankSecret: env.BANK_SECRET ?? (production && env.BANK_URL ? undefined : devSecrets.BANK_SECRET),
    bankTimeoutMs: env.BANK_TIMEOUT_MS ?? 10_000,
    passagePeopleFollowMs: env.PASSAGE_PEOPLE_FOLLOW_MS ?? 10_000,
    bankJobIntervalMs: env.BANK_JOB_INTERVAL_MS ?? 60_000,
    bankResolveAfterMs: env.BANK_RESOLVE_AFTER_MS ?? 60_000,
    messagesChannels: env.MESSAGES_CHANNELS ?? '',
    messagesIntervalMs: env.MESSAGES_INTERVAL_MS ?? 5_000,
    messagesBatchMax: env.MESSAGES_BATCH_MAX ?? 50,
    // Production names its approved templates once any channel is on; the demo ones reach no real user.
    messageTemplates:
      env.MESSAGE_TEMPLATES ?? (production && env.MESSAGES_CHANNELS ? undefined : demoTemplates),
    wechatApiUrl: env.WECHAT_API_URL ?? 'https://api.weixin.qq.com',
    wechatAppId: env.WECHAT_APPID || undefined,
    wechatAppSecret: env.WECHAT_APP_SECRET || undefined,
    alipayGatewayUrl: env.ALIPAY_GATEWAY_URL ?? 'https://openapi.alipay.com/gateway.do',
    alipayAppId: env.ALIPAY_APP_ID || undefined,
    alipayPrivateKey: env.ALIPAY_PRIVATE_KEY?.replaceAll('\\n', '\n') || undefined,
    alipayPublicKey: env.ALIPAY_PUBLIC_KEY?.replaceAll('\\n', '\n') || undefined,
    alipayIdType: env.ALIPAY_ID_TYPE ?? 'open_id',
    smsUrl: env.SMS_URL ?? 'https://dysmsapi.aliyuncs.com',
    smsAccessKeyId: env.SMS_ACCESS_KEY_ID || undefined,
    smsAccessKeySecret: env.SMS_ACCESS_KEY_SECRET || undefined,
    smsSignName: env.SMS_SIGN_NAME || undefined,
    redisUrl: redisUrlFromEnv(env),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid core configuration: ${problems}`);
  }
  const missing = missingChannelSettings(parsed.data);
  if (missing.length > 0)
    throw new Error(`invalid core configuration: MESSAGES_CHANNELS needs ${missing.join(', ')}`);
  return Object.freeze(parsed.data);
}

/** The settings each channel in MESSAGES_CHANNELS cannot go without, by variable name. */
function missingChannelSettings(c: z.output<typeof schema>): string[] {
  const need: [boolean, string, unknown][] = [
    [c.messagesChannels.includes('wechat'), 'WECHAT_APPID', c.wechatAppId],
    [c.messagesChannels.includes('wechat'), 'WECHAT_APP_SECRET', c.wechatAppSecret],
    [c.messagesChannels.includes('alipay'), 'ALIPAY_APP_ID', c.alipayAppId],
    [c.messagesChannels.includes('alipay'), 'ALIPAY_PRIVATE_KEY', c.alipayPrivateKey],
    [c.messagesChannels.includes('alipay'), 'ALIPAY_PUBLIC_KEY', c.alipayPublicKey],
    [c.messagesChannels.includes('sms'), 'SMS_ACCESS_KEY_ID', c.smsAccessKeyId],
    [c.messagesChannels.includes('sms'), 'SMS_ACCESS_KEY_SECRET', c.smsAccessKeySecret],
    [c.messagesChannels.includes('sms'), 'SMS_SIGN_NAME', c.smsSignName],
  ];
  return need.filter(([on, , value]) => on && value === undefined).map(([, name]) => name);
}

/** The message channels' secrets production judges: those of the channels switched on. */
function messageChannelSecrets(env: NodeJS.ProcessEnv): NamedSecret[] {
  const on = (env.MESSAGES_CHANNELS ?? '').split(',').map((c) => c.trim());
  return [
    ...(on.includes('wechat') ? [{ name: 'WECHAT_APP_SECRET', value: env.WECHAT_APP_SECRET }] : []),
    ...(on.includes('alipay')
      ? [{ name: 'ALIPAY_PRIVATE_KEY', value: env.ALIPAY_PRIVATE_KEY, charsMin: 100 }]
      : []),
    ...(on.includes('sms')
      ? [{ name: 'SMS_ACCESS_KEY_SECRET', value: env.SMS_ACCESS_KEY_SECRET, charsMin: 24 }]
      : []),
  ];
}

/** Each service key's secret under a name that says which key it is (key ids are not secret). */
function serviceKeySecrets(raw: string | undefined): NamedSecret[] {
  const pairs = (raw ?? '').split(',').filter(Boolean);
  if (pairs.length === 0) return [{ name: 'CORE_SERVICE_KEYS', value: undefined }];
  return pairs.map((pair) => {
    const at = pair.indexOf(':');
    return { name: `CORE_SERVICE_KEYS (key "${pair.slice(0, Math.max(at, 0))}")`, value: pair.slice(at + 1) };
  });
}

/** The table of variables for README, generated from the schema so the two cannot drift. */
export function describeConfig(): string[] {
  return Object.values(schema.shape).map((field) => field.description ?? '');
}
