import { topUpAmountCeiling } from '@campus-card/core/contract';
import type { NamedSecret } from '@campus-card/core/secrets';
import { z } from 'zod';

/**
 * WeChat Pay top-ups: on when WECHAT_PAY_MCHID is set, off (routes answer UNAVAILABLE) otherwise,
 * so the embedded default starts without a merchant account. Amounts are fen.
 */
const positiveInt = z.coerce.number().int().positive();
const pem = (kind: string) =>
  z.string().refine((text) => text.includes(`-----BEGIN ${kind}`), `PEM text of a ${kind.toLowerCase()}`);

/** The settings every channel shares: bounds, expiry, the poller, reconciliation, the H5 result page. */
const sharedShape = {
  h5ReturnUrl: z
    .string()
    .describe('TOP_UP_H5_RETURN_URL: result page the H5 payment page returns to; {id} is the order id'),
  amountMin: positiveInt.describe('TOP_UP_MIN: smallest top-up'),
  amountMax: positiveInt
    .max(topUpAmountCeiling)
    .describe('TOP_UP_MAX: largest top-up (at most the contract ceiling, the core refuses above it)'),
  dailyCap: positiveInt.describe('TOP_UP_DAILY_CAP: most a card may be topped up per Asia/Shanghai day'),
  presets: z
    .string()
    .transform((text) => text.split(',').map(Number))
    .pipe(z.array(z.number().int().positive()).max(12))
    .describe('TOP_UP_PRESETS: amounts the page offers, comma-separated'),
  orderTtlMs: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(2 * 3_600_000)
    .describe('TOP_UP_ORDER_TTL_MS: how long an order may be paid; closed after'),
  pollIntervalMs: z.coerce
    .number()
    .int()
    .min(0)
    .multipleOf(1_000)
    .describe('TOP_UP_POLL_INTERVAL_MS: poller period in whole seconds, 0 = off'),
  pollAfterMs: z.coerce
    .number()
    .int()
    .min(0)
    .describe('TOP_UP_POLL_AFTER_MS: an order is queried once it is this old without a notification'),
  reconcileAtHour: z.coerce
    .number()
    .int()
    .min(-1)
    .max(23)
    .describe(
      'TOP_UP_RECONCILE_HOUR: Asia/Shanghai hour to reconcile yesterday (bills exist from 10:00), -1 = off',
    ),
};

const settingsSchema = z
  .object(sharedShape)
  .refine((c) => c.amountMin <= c.amountMax, 'TOP_UP_MIN is above TOP_UP_MAX');

const schema = z
  .object({
    payUrl: z.url().describe('WECHAT_PAY_URL: WeChat Pay API origin (the stand-in in mock/ locally)'),
    appId: z.string().min(1).describe('WECHAT_APPID: the mini-program appid orders are made for'),
    mchid: z
      .string()
      .regex(/^\d{8,12}$/)
      .describe('WECHAT_PAY_MCHID: merchant number'),
    merchantCertificatePem: pem('CERTIFICATE').describe(
      'WECHAT_PAY_MERCHANT_CERT: merchant API certificate, PEM text',
    ),
    merchantPrivateKeyPem: pem('PRIVATE KEY').describe(
      'WECHAT_PAY_MERCHANT_KEY: merchant API private key, PEM text (a secret)',
    ),
    apiV3Key: z.string().length(32).describe('WECHAT_PAY_API_V3_KEY: the 32-character APIv3 key (a secret)'),
    notifyUrl: z
      .url()
      .describe(
        'WECHAT_PAY_NOTIFY_URL: public URL of POST /api/v1/pay/notify, where WeChat sends notifications',
      ),
    h5PayUrl: z
      .url()
      .optional()
      .describe('WECHAT_PAY_H5_URL: payment page for the H5 build, where wx.requestPayment does not exist'),
    ...sharedShape,
  })
  .refine((c) => c.amountMin <= c.amountMax, 'TOP_UP_MIN is above TOP_UP_MAX');

export type TopUpConfig = Readonly<z.infer<typeof schema>>;
/** What a top-up service needs whatever its channels; a WeChat Pay configuration is one too. */
export type TopUpSettings = Readonly<z.infer<typeof settingsSchema>>;

const defaults: Record<string, string> = {
  WECHAT_PAY_URL: 'https://api.mch.weixin.qq.com',
  TOP_UP_H5_RETURN_URL: '',
  TOP_UP_MIN: '100',
  TOP_UP_MAX: '50000',
  TOP_UP_DAILY_CAP: '100000',
  TOP_UP_PRESETS: '2000,5000,10000,20000,30000,50000',
  TOP_UP_ORDER_TTL_MS: String(15 * 60_000),
  TOP_UP_POLL_INTERVAL_MS: '30000',
  TOP_UP_POLL_AFTER_MS: '60000',
  TOP_UP_RECONCILE_HOUR: '11',
};

/** The top-up secrets production judges (assertProductionSecrets): none unless a merchant is configured. */
export function topUpSecrets(env: Record<string, string | undefined>): NamedSecret[] {
  if (!env.WECHAT_PAY_MCHID) return [];
  return [{ name: 'WECHAT_PAY_API_V3_KEY', value: env.WECHAT_PAY_API_V3_KEY }];
}

/** Reads the top-up settings, or undefined when no merchant is configured; a problem names the variable. */
export function loadTopUpConfig(env: Record<string, string | undefined>): TopUpConfig | undefined {
  if (!env.WECHAT_PAY_MCHID) return undefined;
  const e = { ...defaults, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) };
  const parsed = schema.safeParse({
    payUrl: e.WECHAT_PAY_URL,
    appId: e.WECHAT_APPID,
    mchid: e.WECHAT_PAY_MCHID,
    merchantCertificatePem: e.WECHAT_PAY_MERCHANT_CERT,
    merchantPrivateKeyPem: e.WECHAT_PAY_MERCHANT_KEY,
    apiV3Key: e.WECHAT_PAY_API_V3_KEY,
    notifyUrl: e.WECHAT_PAY_NOTIFY_URL,
    h5PayUrl: e.WECHAT_PAY_H5_URL || undefined,
    ...sharedInput(e),
  });
  if (!parsed.success) {
    // Only paths and messages: never the values, which include keys.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid top-up configuration: ${problems}`);
  }
  return Object.freeze(parsed.data);
}

function sharedInput(e: Record<string, string | undefined>) {
  return {
    h5ReturnUrl: e.TOP_UP_H5_RETURN_URL,
    amountMin: e.TOP_UP_MIN,
    amountMax: e.TOP_UP_MAX,
    dailyCap: e.TOP_UP_DAILY_CAP,
    presets: e.TOP_UP_PRESETS,
    orderTtlMs: e.TOP_UP_ORDER_TTL_MS,
    pollIntervalMs: e.TOP_UP_POLL_INTERVAL_MS,
    pollAfterMs: e.TOP_UP_POLL_AFTER_MS,
    reconcileAtHour: e.TOP_UP_RECONCILE_HOUR,
  };
}

/**
 * Alipay top-ups (docs/alipay.md): on when Alipay is configured (ALIPAY_APP_ID, keys and gateway in
 * bff/src/config.ts) and ALIPAY_NOTIFY_URL is set, with or without WeChat Pay; the bounds, the poller
 * and the H5 result page are the shared TOP_UP_* settings above.
 */
const alipayTopUpSchema = z.object({
  sellerId: z
    .string()
    .regex(/^2088\d{12}$/, 'the partner id, 2088 and 12 digits')
    .describe("ALIPAY_SELLER_ID: the merchant's partner id; a notification's seller_id must be it"),
  notifyUrl: z
    .url()
    .describe(
      'ALIPAY_NOTIFY_URL: public URL of POST /api/v1/pay/alipay/notify, where Alipay sends notifications',
    ),
});

export type AlipayTopUpConfig = Readonly<z.infer<typeof alipayTopUpSchema> & { settings: TopUpSettings }>;

export function loadAlipayTopUpConfig(
  env: Record<string, string | undefined>,
): AlipayTopUpConfig | undefined {
  if (!env.ALIPAY_APP_ID || !env.ALIPAY_NOTIFY_URL) return undefined;
  const parsed = alipayTopUpSchema.safeParse({
    sellerId: env.ALIPAY_SELLER_ID,
    notifyUrl: env.ALIPAY_NOTIFY_URL,
  });
  const e = { ...defaults, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) };
  const settings = settingsSchema.safeParse(sharedInput(e));
  const issues = [...(parsed.error?.issues ?? []), ...(settings.error?.issues ?? [])];
  if (!parsed.success || !settings.success || issues.length > 0) {
    const problems = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid Alipay top-up configuration: ${problems}`);
  }
  return Object.freeze({ ...parsed.data, settings: Object.freeze(settings.data) });
}
