import { hkdfSync } from 'node:crypto';
import { isStandInCertificate } from '@campus-card/core/alipay';
import {
  redisPrefixDefault,
  redisPrefixSchema,
  redisUrlFromEnv,
  refineRedisUrl,
} from '@campus-card/core/redis';
import { assertProductionSecrets, type NamedSecret } from '@campus-card/core/secrets';
import { z } from 'zod';
import { isAddressOrCidr } from './http/request-context.ts';
import type { SsoConfig } from './services/sso.ts';
import {
  type AlipayTopUpConfig,
  loadAlipayTopUpConfig,
  loadTopUpConfig,
  type TopUpConfig,
  topUpSecrets,
} from './services/top-ups/config.ts';

/**
 * The BFF's whole configuration: one schema, read from the environment once at start and passed
 * into factories as a frozen object. Nothing below reads process.env.
 */
const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  host: z.string().describe('BFF_HOST: interface the API listens on'),
  port: z.coerce.number().int().min(0).max(65535).describe('BFF_PORT: 0 picks a free port'),
  metricsHost: z.string().min(1).describe('METRICS_HOST: interface the /metrics listener binds'),
  metricsPort: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe('METRICS_PORT: a separate listener for GET /metrics (unset: off; never on the public port)'),
  coreUrl: z.url().describe('CORE_URL: base URL of the core internal API'),
  coreKeyId: z.string().min(1).describe('CORE_KEY_ID: the key id this BFF signs core requests with'),
  coreKeySecret: z
    .string()
    .min(16)
    .describe('CORE_KEY_SECRET: its secret (one of the core CORE_SERVICE_KEYS)'),
  redisUrl: z
    .string()
    .superRefine(refineRedisUrl)
    .optional()
    .describe('REDIS_URL: sessions, rate limits and push across instances (unset: in-process, one instance)'),
  redisPrefix: redisPrefixSchema,
  jwtSecret: z.string().min(32).describe('JWT_SECRET: HMAC key for access tokens (32+ characters)'),
  videoLinkSecret: z
    .string()
    .min(32)
    .describe(
      'VIDEO_LINK_SECRET: HMAC key for signed lesson-video links (32+ characters; unset outside production: derived from JWT_SECRET)',
    ),
  accessTokenTtlSeconds: positiveInt.describe('ACCESS_TOKEN_TTL_S: lifetime of an access token'),
  refreshTokenTtlSeconds: positiveInt.describe('REFRESH_TOKEN_TTL_S: lifetime of a refresh token'),
  wechatLoginUrl: z
    .url()
    .describe('WECHAT_LOGIN_URL: base URL of code2session (the stand-in in mock/ locally)'),
  wechatAppId: z.string().min(1).describe('WECHAT_APPID: the mini-program appid'),
  wechatAppSecret: z.string().min(1).describe('WECHAT_APP_SECRET: the mini-program app secret'),
  h5Origin: z.string().describe('H5_ORIGIN: the one browser origin allowed by CORS (empty: none)'),
  smsReplyToken: z
    .string()
    .min(24)
    .optional()
    .describe(
      'SMS_REPLY_TOKEN: the secret path part of the addresses the SMS provider pushes to: texts sent back (POST /api/v1/sms/replies/<token>; 退订 opts a guardian out) and delivery reports (POST /api/v1/sms/reports/<token>); unset: both are off',
    ),
  bodyBytesMax: positiveInt.describe('BFF_BODY_BYTES_MAX: largest request body'),
  userRequestsPerMinuteMax: positiveInt.describe('RATE_USER_PER_MIN: requests per signed-in user per minute'),
  ipRequestsPerMinuteMax: positiveInt.describe('RATE_IP_PER_MIN: requests per client address per minute'),
  trustedProxyHops: z.coerce
    .number()
    .int()
    .min(0)
    .max(5)
    .describe(
      'TRUSTED_PROXY_HOPS: reverse proxies in front of the BFF that append X-Forwarded-For; the client address (rate limits, sign-in lockouts) is the one the outermost of them saw. 0: the socket address, the header ignored',
    ),
  trustedProxies: z
    .string()
    .transform((list, ctx) => {
      const entries = list
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      for (const entry of entries)
        if (!isAddressOrCidr(entry))
          ctx.addIssue({ code: 'custom', message: `not an address or CIDR: ${entry}` });
      return entries;
    })
    .describe(
      'TRUSTED_PROXIES: addresses or CIDRs of the reverse proxies in front of the BFF; X-Forwarded-For is read only from a peer in this list (empty: never)',
    ),
  campusSigningKey: z
    .string()
    .regex(/^\d{1,5}:[0-9a-f]{64}$/, 'kid:secretHex (32-byte Ed25519 secret)')
    .describe('CAMPUS_SIGNING_KEY: kid:secretHex of the campus issuing key that signs phone certificates'),
  bindFailuresMax: positiveInt.describe('BIND_FAILURES_MAX: wrong identity answers before a lockout'),
  bindAddressFailuresMax: positiveInt.describe(
    'BIND_ADDRESS_FAILURES_MAX: wrong identity answers or invitation codes from one client address before it is locked out',
  ),
  bindIdTailEnabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .describe(
      'BIND_ID_TAIL_ENABLED: whether the last 6 ID characters may prove identity (activation codes always may)',
    ),
  bindLockoutMs: positiveInt.describe(
    'BIND_LOCKOUT_MS: how long the binding failures are counted and locked',
  ),
  pinFailuresMax: positiveInt.describe(
    'PIN_FAILURES_MAX: wrong current PINs before changing the PIN is locked',
  ),
  pinLockoutMs: positiveInt.describe('PIN_LOCKOUT_MS: how long wrong PINs are counted and locked'),
  bindingCacheMs: positiveInt.describe(
    'BINDING_CACHE_MS: how long a binding looked up in the core is reused',
  ),
  contentDir: z
    .string()
    .min(1)
    .describe('CONTENT_DIR: where lesson videos are stored; lessons name files under it'),
  uploadDir: z
    .string()
    .min(1)
    .describe(
      'UPLOAD_DIR: where chunked video uploads are staged until complete (the same disk as CONTENT_DIR)',
    ),
  uploadChunkBytes: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .describe('UPLOAD_CHUNK_BYTES: the size of every chunk of a video upload but the last'),
  uploadBytesMax: positiveInt.describe('UPLOAD_BYTES_MAX: the largest video that can be uploaded'),
  uploadTtlMs: positiveInt.describe('UPLOAD_TTL_MS: an unfinished upload unused this long is removed'),
  adminSessionIdleMs: positiveInt.describe(
    'ADMIN_SESSION_IDLE_MS: a backoffice session ends after this long unused',
  ),
  adminSessionLifetimeMs: positiveInt.describe('ADMIN_SESSION_LIFETIME_MS: and after this long in any case'),
  adjustmentApprovalAboveFen: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      "ADJUSTMENT_APPROVAL_ABOVE: manual adjustments above this many fen need a second admin's approval",
    ),
  cashTopUpApprovalAboveFen: z.coerce
    .number()
    .int()
    .nonnegative()
    .describe(
      "CASH_TOP_UP_APPROVAL_ABOVE: cash-desk top-ups past this many fen in one Asia/Shanghai day of one admin need a second admin's approval",
    ),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).describe('LOG_LEVEL'),
});

/**
 * Alipay login (bff/src/services/alipay-login.ts): off unless ALIPAY_APP_ID is set; then the app's
 * private key and either Alipay's public key (key mode) or the three certificates of public-key
 * certificate mode (公钥证书模式) are required, and production talks to Alipay over https only and
 * refuses the local stand-in's certificates.
 */
const alipaySchema = z.object({
  appId: z
    .string()
    .regex(/^\d{16}$/, 'a 16-digit app id')
    .describe('ALIPAY_APP_ID: the Alipay mini-program app id (unset: Alipay off)'),
  privateKey: z
    .string()
    .regex(/-----BEGIN (RSA )?PRIVATE KEY-----/, 'a PEM private key')
    .describe('ALIPAY_PRIVATE_KEY: the app private key, PEM (PKCS#1 or PKCS#8; \\n for newlines allowed)'),
  alipayPublicKey: z
    .string()
    .min(100)
    .optional()
    .describe("ALIPAY_PUBLIC_KEY: Alipay's public key (PEM, or the bare base64 the console shows), key mode"),
  certs: z
    .object({
      appCert: z.string().includes('BEGIN CERTIFICATE', { message: 'a PEM certificate' }),
      alipayPublicCert: z.string().includes('BEGIN CERTIFICATE', { message: 'a PEM certificate' }),
      alipayRootCert: z.string().includes('BEGIN CERTIFICATE', { message: 'a PEM certificate' }),
    })
    .optional()
    .describe(
      "ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT, ALIPAY_ROOT_CERT: certificate mode, the app's certificate, Alipay's public certificate and Alipay's root certificates (PEM; \\n for newlines allowed)",
    ),
  gatewayUrl: z
    .url()
    .describe('ALIPAY_GATEWAY_URL: the classic gateway (the stand-in in mock/alipay locally)'),
  idType: z
    .enum(['open_id', 'user_id'])
    .describe('ALIPAY_ID_TYPE: the id the app is set to hand out, open_id (newer apps) or user_id'),
  timeoutMs: positiveInt.describe('ALIPAY_TIMEOUT_MS: how long one gateway call may take'),
});
export type AlipayConfig = Readonly<z.infer<typeof alipaySchema>>;

/** The Alipay secrets production judges: none unless Alipay is configured. */
function alipaySecrets(env: Record<string, string | undefined>): NamedSecret[] {
  return env.ALIPAY_APP_ID ? [{ name: 'ALIPAY_PRIVATE_KEY', value: env.ALIPAY_PRIVATE_KEY }] : [];
}

const certVariable = {
  appCert: 'ALIPAY_APP_CERT',
  alipayPublicCert: 'ALIPAY_PUBLIC_CERT',
  alipayRootCert: 'ALIPAY_ROOT_CERT',
} as const;

function loadAlipayConfig(e: Record<string, string | undefined>): AlipayConfig | undefined {
  if (!e.ALIPAY_APP_ID) return undefined;
  const pem = (value: string | undefined) => value?.replaceAll('\\n', '\n');
  const certs = [e.ALIPAY_APP_CERT, e.ALIPAY_PUBLIC_CERT, e.ALIPAY_ROOT_CERT];
  const certMode = certs.some(Boolean);
  const problems: string[] = [];
  if (certMode && !certs.every(Boolean))
    problems.push('certificate mode needs ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT');
  else if (certMode === Boolean(e.ALIPAY_PUBLIC_KEY))
    problems.push(
      'ALIPAY alipayPublicKey: set ALIPAY_PUBLIC_KEY (key mode) or ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT (certificate mode), one of the two',
    );
  const parsed = alipaySchema.safeParse({
    appId: e.ALIPAY_APP_ID,
    privateKey: pem(e.ALIPAY_PRIVATE_KEY),
    alipayPublicKey: certMode ? undefined : pem(e.ALIPAY_PUBLIC_KEY),
    certs: certMode
      ? {
          appCert: pem(e.ALIPAY_APP_CERT),
          alipayPublicCert: pem(e.ALIPAY_PUBLIC_CERT),
          alipayRootCert: pem(e.ALIPAY_ROOT_CERT),
        }
      : undefined,
    gatewayUrl: e.ALIPAY_GATEWAY_URL ?? 'https://openapi.alipay.com/gateway.do',
    idType: e.ALIPAY_ID_TYPE ?? 'open_id',
    timeoutMs: e.ALIPAY_TIMEOUT_MS ?? '5000',
  });
  if (!parsed.success)
    problems.unshift(...parsed.error.issues.map((i) => `ALIPAY ${i.path.join('.')}: ${i.message}`));
  if (!parsed.success || problems.length > 0)
    throw new Error(`invalid BFF configuration: ${problems.join('; ')}`);
  if (e.NODE_ENV === 'production' && !parsed.data.gatewayUrl.startsWith('https://'))
    throw new Error('invalid BFF configuration: ALIPAY_GATEWAY_URL must be https in production');
  const demoCerts = Object.entries(parsed.data.certs ?? {})
    .filter(([, text]) => isStandInCertificate(text))
    .map(([name]) => certVariable[name as keyof typeof certVariable]);
  if (e.NODE_ENV === 'production' && demoCerts.length > 0)
    throw new Error(
      `invalid BFF configuration: ${demoCerts.join(', ')} are the local Alipay stand-in's certificates; production takes those Alipay issued`,
    );
  return Object.freeze(parsed.data);
}

/**
 * Campus single sign-on (bff/src/services/sso.ts, docs/sso.md): off unless SSO_PROVIDERS is set, a
 * JSON list of {id, kind: cas|oidc, url, personClaim, label?, clientId?, scope?}; an OIDC provider's
 * secret is SSO_<ID>_CLIENT_SECRET. Production takes https only and judges the client secrets.
 */
const ssoProviderSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{1,16}$/, '1–16 lower-case letters or digits'),
  kind: z.enum(['cas', 'oidc']),
  label: z.string().min(1).max(20).default('统一身份认证'),
  url: z.url(),
  personClaim: z.string().min(1).max(64),
  clientId: z.string().min(1).max(200).optional(),
  clientSecret: z.string().min(1).max(500).optional(),
  scope: z.string().max(200).optional(),
});

function ssoSecrets(env: Record<string, string | undefined>): NamedSecret[] {
  if (!env.SSO_PROVIDERS) return [];
  try {
    return (JSON.parse(env.SSO_PROVIDERS) as { id?: unknown; kind?: unknown }[])
      .filter((p) => p.kind === 'oidc')
      .map((p) => {
        const name = `SSO_${String(p.id).toUpperCase()}_CLIENT_SECRET`;
        return { name, value: env[name] };
      });
  } catch {
    return []; // loadSsoConfig names the problem
  }
}

function loadSsoConfig(e: Record<string, string | undefined>): SsoConfig | undefined {
  if (!e.SSO_PROVIDERS) return undefined;
  const fail = (problem: string) => new Error(`invalid BFF configuration: ${problem}`);
  let list: unknown;
  try {
    list = JSON.parse(e.SSO_PROVIDERS);
  } catch {
    throw fail('SSO_PROVIDERS is not JSON');
  }
  const parsed = z
    .array(ssoProviderSchema)
    .min(1)
    .safeParse(
      Array.isArray(list)
        ? list.map((p: { id?: unknown }) => ({
            ...p,
            clientSecret: e[`SSO_${String(p?.id).toUpperCase()}_CLIENT_SECRET`],
          }))
        : list,
    );
  if (!parsed.success)
    throw fail(parsed.error.issues.map((i) => `SSO_PROVIDERS ${i.path.join('.')}: ${i.message}`).join('; '));
  const production = e.NODE_ENV === 'production';
  const publicUrl = e.SSO_PUBLIC_URL ?? `http://${e.BFF_HOST}:${e.BFF_PORT}`;
  const appUrl = e.SSO_APP_URL ?? e.H5_ORIGIN ?? '';
  // The backoffice is served at /admin/ beside the API (admin/vite.config.ts) unless told otherwise.
  const adminUrl = e.SSO_ADMIN_URL ?? `${publicUrl.replace(/\/$/, '')}/admin/`;
  const allowHttp = e.SSO_ALLOW_HTTP === 'true';
  if (production && allowHttp) throw fail('SSO_ALLOW_HTTP is for the local stand-ins, never production');
  for (const p of parsed.data) {
    if (p.kind === 'oidc' && (!p.clientId || !p.clientSecret))
      throw fail(`SSO provider ${p.id}: clientId and SSO_${p.id.toUpperCase()}_CLIENT_SECRET are required`);
    if ((production || (p.kind === 'oidc' && !allowHttp)) && !p.url.startsWith('https://'))
      throw fail(`SSO provider ${p.id}: the url must be https`);
  }
  for (const [name, value] of [
    ['SSO_PUBLIC_URL', publicUrl],
    ['SSO_APP_URL', appUrl],
    ['SSO_ADMIN_URL', adminUrl],
  ] as const) {
    if (!URL.canParse(value)) throw fail(`${name} must be a URL`);
    if (production && !value.startsWith('https://')) throw fail(`${name} must be https in production`);
  }
  const timeoutMs = Number(e.SSO_TIMEOUT_MS ?? '5000');
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw fail('SSO_TIMEOUT_MS must be a positive integer');
  const startsPerMinuteMax = Number(e.SSO_STARTS_PER_MIN ?? '300');
  if (!Number.isInteger(startsPerMinuteMax) || startsPerMinuteMax <= 0)
    throw fail('SSO_STARTS_PER_MIN must be a positive integer');
  return Object.freeze({
    publicUrl,
    appUrl,
    adminUrl,
    providers: parsed.data,
    allowHttp,
    timeoutMs,
    startsPerMinuteMax,
  });
}

/**
 * topUps: WeChat Pay top-ups (bff/src/services/top-ups/config.ts), undefined when no merchant is configured;
 * alipay: Alipay login, undefined unless ALIPAY_APP_ID is set; alipayTopUps: Alipay top-ups, undefined
 * unless ALIPAY_NOTIFY_URL is set too.
 */
export type BffConfig = Readonly<
  z.infer<typeof schema> & {
    topUps?: TopUpConfig | undefined;
    alipay?: AlipayConfig | undefined;
    alipayTopUps?: AlipayTopUpConfig | undefined;
    sso?: SsoConfig | undefined;
    /**
     * The H5 app may offer the demo's one-tap sign-in (a WeChat login code minted by the stand-in on the
     * demo web origin): everywhere but production, where only the campus sign-on (SSO_PROVIDERS) signs in.
     */
    h5DemoSignIn: boolean;
  }
>;

const defaults: Record<string, string> = {
  BFF_HOST: '127.0.0.1',
  BFF_PORT: '8080',
  METRICS_HOST: '127.0.0.1',
  CORE_URL: 'http://127.0.0.1:4100',
  REDIS_PREFIX: redisPrefixDefault,
  ACCESS_TOKEN_TTL_S: '900',
  REFRESH_TOKEN_TTL_S: String(30 * 24 * 3600),
  WECHAT_LOGIN_URL: 'http://127.0.0.1:7081',
  H5_ORIGIN: '',
  CONTENT_DIR: 'data/content',
  UPLOAD_DIR: 'data/uploads',
  UPLOAD_CHUNK_BYTES: String(8 * 1024 * 1024),
  UPLOAD_BYTES_MAX: String(4 * 1024 ** 3),
  UPLOAD_TTL_MS: String(24 * 3_600_000),
  BFF_BODY_BYTES_MAX: String(64 * 1024),
  RATE_USER_PER_MIN: '600',
  RATE_IP_PER_MIN: '3000',
  TRUSTED_PROXY_HOPS: '0',
  LOG_LEVEL: 'info',
  // The development campus key (kid 1, secret 32 x 0x01) whose public half the gateway trusts by
  // default (device-gateway/src/config.ts devCampusKeys). Never for production.
  CAMPUS_SIGNING_KEY: `1:${'01'.repeat(32)}`,
  BIND_FAILURES_MAX: '5',
  BIND_ADDRESS_FAILURES_MAX: '30',
  TRUSTED_PROXIES: '',
  BIND_LOCKOUT_MS: String(15 * 60_000),
  BINDING_CACHE_MS: '60000',
  PIN_FAILURES_MAX: '5',
  PIN_LOCKOUT_MS: String(30 * 60_000),
  ADMIN_SESSION_IDLE_MS: String(30 * 60_000),
  ADMIN_SESSION_LIFETIME_MS: String(12 * 3600_000),
  ADJUSTMENT_APPROVAL_ABOVE: '10000',
  CASH_TOP_UP_APPROVAL_ABOVE: '5000000',
};

/** Validates the environment once; any problem names the variable and stops the start. */
export function loadConfig(env: Record<string, string | undefined>): BffConfig {
  // The raw environment, not the defaults: in production a secret left unset is named as unset.
  if (env.NODE_ENV === 'production')
    assertProductionSecrets('the BFF', [
      { name: 'CORE_KEY_SECRET', value: env.CORE_KEY_SECRET },
      { name: 'JWT_SECRET', value: env.JWT_SECRET },
      { name: 'VIDEO_LINK_SECRET', value: env.VIDEO_LINK_SECRET },
      {
        name: 'CAMPUS_SIGNING_KEY',
        value: env.CAMPUS_SIGNING_KEY?.split(':')[1] ?? env.CAMPUS_SIGNING_KEY,
        hex: true,
      },
      { name: 'WECHAT_APP_SECRET', value: env.WECHAT_APP_SECRET },
      ...topUpSecrets(env),
      ...alipaySecrets(env),
      ...ssoSecrets(env),
      // The SMS provider's push of texts sent back (退订) is authorised by nothing but this path part.
      ...(env.SMS_REPLY_TOKEN ? [{ name: 'SMS_REPLY_TOKEN', value: env.SMS_REPLY_TOKEN, charsMin: 24 }] : []),
    ]);
  const e = { ...defaults, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) };
  const parsed = schema.safeParse({
    host: e.BFF_HOST,
    port: e.BFF_PORT,
    metricsHost: e.METRICS_HOST,
    metricsPort: e.METRICS_PORT || undefined,
    coreUrl: e.CORE_URL,
    coreKeyId: e.CORE_KEY_ID,
    coreKeySecret: e.CORE_KEY_SECRET,
    redisUrl: redisUrlFromEnv(e),
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: e.JWT_SECRET,
    videoLinkSecret: e.VIDEO_LINK_SECRET ?? (e.JWT_SECRET ? derivedVideoLinkSecret(e.JWT_SECRET) : undefined),
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_S,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_S,
    wechatLoginUrl: e.WECHAT_LOGIN_URL,
    wechatAppId: e.WECHAT_APPID,
    wechatAppSecret: e.WECHAT_APP_SECRET,
    h5Origin: e.H5_ORIGIN,
    smsReplyToken: e.SMS_REPLY_TOKEN || undefined,
    bodyBytesMax: e.BFF_BODY_BYTES_MAX,
    userRequestsPerMinuteMax: e.RATE_USER_PER_MIN,
    ipRequestsPerMinuteMax: e.RATE_IP_PER_MIN,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    trustedProxies: e.TRUSTED_PROXIES,
    campusSigningKey: e.CAMPUS_SIGNING_KEY,
    contentDir: e.CONTENT_DIR,
    uploadDir: e.UPLOAD_DIR,
    uploadChunkBytes: e.UPLOAD_CHUNK_BYTES,
    uploadBytesMax: e.UPLOAD_BYTES_MAX,
    uploadTtlMs: e.UPLOAD_TTL_MS,
    bindFailuresMax: e.BIND_FAILURES_MAX,
    bindLockoutMs: e.BIND_LOCKOUT_MS,
    bindAddressFailuresMax: e.BIND_ADDRESS_FAILURES_MAX,
    // The ID tail is on unless switched off; in production only where the campus switches it on.
    bindIdTailEnabled: e.BIND_ID_TAIL_ENABLED ?? (e.NODE_ENV === 'production' ? 'false' : 'true'),
    bindingCacheMs: e.BINDING_CACHE_MS,
    pinFailuresMax: e.PIN_FAILURES_MAX,
    pinLockoutMs: e.PIN_LOCKOUT_MS,
    adminSessionIdleMs: e.ADMIN_SESSION_IDLE_MS,
    adminSessionLifetimeMs: e.ADMIN_SESSION_LIFETIME_MS,
    adjustmentApprovalAboveFen: e.ADJUSTMENT_APPROVAL_ABOVE,
    cashTopUpApprovalAboveFen: e.CASH_TOP_UP_APPROVAL_ABOVE,
    logLevel: e.LOG_LEVEL,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid BFF configuration: ${problems}`);
  }
  return Object.freeze({
    ...parsed.data,
    topUps: loadTopUpConfig(e),
    alipay: loadAlipayConfig(e),
    alipayTopUps: loadAlipayTopUpConfig(e),
    sso: loadSsoConfig(e),
    h5DemoSignIn: e.NODE_ENV !== 'production',
  });
}

/**
 * Outside production an unset VIDEO_LINK_SECRET is derived from JWT_SECRET under its own label, so the
 * two purposes never share a key even in development; production sets both, and differently.
 */
function derivedVideoLinkSecret(jwtSecret: string): string {
  return Buffer.from(hkdfSync('sha256', jwtSecret, '', 'campus-card video links', 32)).toString('hex');
}
