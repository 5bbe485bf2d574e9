import { z } from 'zod';
import { campusSettings } from './config/campus.ts';
import { federationSettings } from './config/federation.ts';
import { fundsSettings } from './config/funds.ts';
import { ledgerSettings } from './config/ledger.ts';
import {
  demoTemplates,
  messageChannelSecrets,
  messagesSettings,
  missingChannelSettings,
  standInAlipayCertificates,
} from './config/messages.ts';
import { peopleSettings } from './config/people.ts';
import { photoSettings } from './config/photos.ts';
import { serverSettings, serviceKeySecrets } from './config/server.ts';
import { topUpAmountCeiling } from './contract/fields.ts';
import { stepUpDefaults } from './ledger/risk-step-up.ts';
import { redisPrefixDefault, redisUrlFromEnv } from './redis.ts';
import { assertProductionSecrets } from './secrets.ts';

/**
 * The core's whole configuration: one schema, read from the environment once at start and passed
 * into factories as a frozen object. Nothing below reads process.env. The fields are kept by domain in
 * config/*.ts; the defaults and the production refusals are here.
 */
const schema = z.object({
  ...serverSettings,
  ...ledgerSettings,
  ...peopleSettings,
  ...photoSettings,
  ...campusSettings,
  ...fundsSettings,
  ...messagesSettings,
  ...federationSettings,
});

export type CoreConfig = Readonly<z.output<typeof schema>>;

/** Development defaults; production (NODE_ENV=production) must set the secrets explicitly. */
const devSecrets = {
  CORE_SERVICE_KEYS: 'dev:dev-core-secret-change-me',
  PII_KEY: '00'.repeat(32),
  PHOTO_KEY: '11'.repeat(32),
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
      { name: 'PHOTO_KEY', value: env.PHOTO_KEY, hex: true },
      ...(env.PII_DIGEST_KEY ? [{ name: 'PII_DIGEST_KEY', value: env.PII_DIGEST_KEY, hex: true }] : []),
      // The meter and network systems' keys only where those systems are configured.
      ...(env.UTILITY_URL ? [{ name: 'UTILITY_SECRET', value: env.UTILITY_SECRET }] : []),
      ...(env.NETWORK_URL ? [{ name: 'NETWORK_SECRET', value: env.NETWORK_SECRET }] : []),
      ...(env.FINANCE_URL ? [{ name: 'FINANCE_SECRET', value: env.FINANCE_SECRET }] : []),
      ...(env.BANK_URL ? [{ name: 'BANK_SECRET', value: env.BANK_SECRET }] : []),
      // The message channels' credentials only where those channels are switched on.
      ...messageChannelSecrets(env),
    ]);
  // The digests were made under the key PII_KEY replaced: derived from the new one, none would match.
  if (env.PII_KEYS_PREVIOUS?.trim() && !env.PII_DIGEST_KEY)
    throw new Error(
      'invalid core configuration: PII_KEYS_PREVIOUS is set but PII_DIGEST_KEY is not; set PII_DIGEST_KEY to the key the digests were made with (docs/operations.md § Key rotation)',
    );
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
    pinStepUpPaymentsMin: env.PIN_STEP_UP_PAYMENTS ?? stepUpDefaults.highPaymentsMin,
    pinStepUpNewPlacesMin: env.PIN_STEP_UP_NEW_PLACES ?? stepUpDefaults.newPlacePaymentsMin,
    pinStepUpBurstMin: env.PIN_STEP_UP_BURST ?? stepUpDefaults.burstPaymentsMin,
    pinStepUpAmountMin: env.PIN_STEP_UP_AMOUNT_MIN ?? stepUpDefaults.amountMinFen,
    pinStepUpWindowMs: env.PIN_STEP_UP_WINDOW_MS ?? stepUpDefaults.windowMs,
    holdTimeoutMsMax: env.HOLD_TIMEOUT_MS_MAX ?? 4 * 3600_000,
    holdSweepIntervalMs: env.HOLD_SWEEP_INTERVAL_MS ?? 1_000,
    // The longest heartbeat interval (90 s) times the misses a gateway allows (3), plus a presence
    // report's batching delay and some slack.
    presenceSilenceMs: env.PRESENCE_SILENCE_MS ?? 300_000,
    piiSealKeyHex: secret('PII_KEY'),
    piiKeysPreviousHex: env.PII_KEYS_PREVIOUS ?? '',
    piiKeyHex: env.PII_DIGEST_KEY || secret('PII_KEY'),
    photoKeyHex: secret('PHOTO_KEY'),
    photoKeysPreviousHex: env.PHOTO_KEYS_PREVIOUS ?? '',
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
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS ?? 5_000,
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
    alipayAppCert: env.ALIPAY_APP_CERT?.replaceAll('\\n', '\n') || undefined,
    alipayPublicCert: env.ALIPAY_PUBLIC_CERT?.replaceAll('\\n', '\n') || undefined,
    alipayRootCert: env.ALIPAY_ROOT_CERT?.replaceAll('\\n', '\n') || undefined,
    alipayIdType: env.ALIPAY_ID_TYPE ?? 'open_id',
    smsUrl: env.SMS_URL ?? 'https://dysmsapi.aliyuncs.com',
    smsAccessKeyId: env.SMS_ACCESS_KEY_ID || undefined,
    smsAccessKeySecret: env.SMS_ACCESS_KEY_SECRET || undefined,
    smsSignName: env.SMS_SIGN_NAME || undefined,
    redisUrl: redisUrlFromEnv(env),
    redisPrefix: env.REDIS_PREFIX ?? redisPrefixDefault,
    // A production centre names itself: a default id would collide between centres on the link.
    centreId: env.CENTRE_ID ?? (production ? undefined : 'DEV'),
    centreName: env.CENTRE_NAME ?? env.CENTRE_ID ?? '本中心',
    federationTimeoutMs: env.FEDERATION_TIMEOUT_MS ?? 3_000,
    federationOfflinePaymentMaxFen: env.FEDERATION_OFFLINE_PAYMENT_MAX_FEN ?? 0,
    federationOfflineCardCapFen: env.FEDERATION_OFFLINE_CARD_CAP_FEN ?? 0,
    federationForwardIntervalMs: env.FEDERATION_FORWARD_INTERVAL_MS ?? 5_000,
    federationLinkCa: env.FEDERATION_LINK_CA?.replaceAll('\\n', '\n') || undefined,
    // The PIN travels on the link: between real centres it is https only.
    federationLinkTlsRequired: production,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid core configuration: ${problems}`);
  }
  const missing = missingChannelSettings(parsed.data);
  if (missing.length > 0)
    throw new Error(`invalid core configuration: MESSAGES_CHANNELS needs ${missing.join(', ')}`);
  const standInCerts = standInAlipayCertificates(parsed.data);
  if (production && standInCerts.length > 0)
    throw new Error(
      `invalid core configuration: ${standInCerts.join(', ')} are the local Alipay stand-in's certificates; production takes those Alipay issued`,
    );
  return Object.freeze(parsed.data);
}

/** The table of variables for README, generated from the schema so the two cannot drift. */
export function describeConfig(): string[] {
  return Object.values(schema.shape).map((field) => field.description ?? '');
}
