import { z } from 'zod';
import { type AlipayCertificates, isStandInCertificate } from '../alipay/certificates.ts';
import { messageKinds } from '../messages/message-types.ts';
import type { NamedSecret } from '../secrets.ts';

const templateSchema = z.object({ id: z.string().min(1), keys: z.array(z.string().min(1)) });
const messageTemplatesSchema = z.object({
  wechat: z.partialRecord(z.enum(messageKinds), templateSchema).default({}),
  alipay: z.partialRecord(z.enum(messageKinds), templateSchema).default({}),
  sms: z
    .partialRecord(z.enum(messageKinds), z.object({ code: z.string().min(1), keys: z.array(z.string()) }))
    .default({}),
});

/** Development and demo templates: the stand-ins accept any id (production must set its own). */
export const demoTemplates = JSON.stringify({
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

/** Messages outside the app (docs/messages.md): the delivery loop, the templates, each channel's credentials. */
export const messagesSettings = {
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
  alipayPublicKey: z.string().optional().describe("ALIPAY_PUBLIC_KEY: Alipay's public key, PEM (key mode)"),
  alipayAppCert: z
    .string()
    .optional()
    .describe("ALIPAY_APP_CERT: certificate mode (instead of ALIPAY_PUBLIC_KEY): the app's certificate, PEM"),
  alipayPublicCert: z
    .string()
    .optional()
    .describe("ALIPAY_PUBLIC_CERT: certificate mode: Alipay's public certificate, PEM"),
  alipayRootCert: z
    .string()
    .optional()
    .describe("ALIPAY_ROOT_CERT: certificate mode: Alipay's root certificates, PEM"),
  alipayIdType: z
    .enum(['open_id', 'user_id'])
    .describe('ALIPAY_ID_TYPE: which id the Alipay bindings hold, open_id or user_id'),
  smsUrl: z
    .url()
    // The SDK is given the host and posts to its root: a path or query would be dropped without a word.
    .refine((u) => /^https?:\/\/[^/?#]+\/?$/.test(u), 'an http(s) origin with no path (the SDK posts to /)')
    .describe('SMS_URL: Alibaba Cloud SMS endpoint (https://dysmsapi.aliyuncs.com)'),
  smsAccessKeyId: z.string().optional().describe('SMS_ACCESS_KEY_ID: the SMS AccessKey id'),
  smsAccessKeySecret: z.string().optional().describe('SMS_ACCESS_KEY_SECRET: its AccessKey secret'),
  smsSignName: z.string().optional().describe('SMS_SIGN_NAME: the approved SMS signature (签名)'),
};

type MessagesConfig = z.output<z.ZodObject<typeof messagesSettings>>;

/** The settings each channel in MESSAGES_CHANNELS cannot go without, by variable name. */
export function missingChannelSettings(c: MessagesConfig): string[] {
  const need: [boolean, string, unknown][] = [
    [c.messagesChannels.includes('wechat'), 'WECHAT_APPID', c.wechatAppId],
    [c.messagesChannels.includes('wechat'), 'WECHAT_APP_SECRET', c.wechatAppSecret],
    [c.messagesChannels.includes('alipay'), 'ALIPAY_APP_ID', c.alipayAppId],
    [c.messagesChannels.includes('alipay'), 'ALIPAY_PRIVATE_KEY', c.alipayPrivateKey],
    [
      c.messagesChannels.includes('alipay'),
      'ALIPAY_PUBLIC_KEY (or ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT)',
      c.alipayPublicKey ?? alipayCertificatesOf(c),
    ],
    [c.messagesChannels.includes('sms'), 'SMS_ACCESS_KEY_ID', c.smsAccessKeyId],
    [c.messagesChannels.includes('sms'), 'SMS_ACCESS_KEY_SECRET', c.smsAccessKeySecret],
    [c.messagesChannels.includes('sms'), 'SMS_SIGN_NAME', c.smsSignName],
  ];
  return need.filter(([on, , value]) => on && value === undefined).map(([, name]) => name);
}

/** Certificate mode's three certificates when all are set (key mode otherwise). */
export function alipayCertificatesOf(c: MessagesConfig): AlipayCertificates | undefined {
  const { alipayAppCert: appCert, alipayPublicCert, alipayRootCert } = c;
  return appCert && alipayPublicCert && alipayRootCert
    ? { appCert, alipayPublicCert, alipayRootCert }
    : undefined;
}

/** The ALIPAY_*_CERT variables holding the local stand-in's certificates, which production refuses. */
export function standInAlipayCertificates(c: MessagesConfig): string[] {
  return (
    [
      ['ALIPAY_APP_CERT', c.alipayAppCert],
      ['ALIPAY_PUBLIC_CERT', c.alipayPublicCert],
      ['ALIPAY_ROOT_CERT', c.alipayRootCert],
    ] as const
  )
    .filter(([, text]) => text !== undefined && isStandInCertificate(text))
    .map(([name]) => name);
}

/** The message channels' secrets production judges: those of the channels switched on. */
export function messageChannelSecrets(env: NodeJS.ProcessEnv): NamedSecret[] {
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
