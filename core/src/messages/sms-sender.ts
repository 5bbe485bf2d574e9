import { createRequire } from 'node:module';
import type { LookUpOutcome, MessageKind, MessageSender, SendOutcome } from './message-types.ts';

// The SDK is CommonJS with an ES-style `default`; required so its types and runtime agree.
const requireCjs = createRequire(import.meta.url);
const {
  default: Dysmsapi,
  QuerySendDetailsRequest,
  SendSmsRequest,
} = requireCjs('@alicloud/dysmsapi20170525') as typeof import('@alicloud/dysmsapi20170525');
const { $OpenApiUtil } = requireCjs('@alicloud/openapi-core') as typeof import('@alicloud/openapi-core');

/**
 * SMS through Alibaba Cloud's SendSms (dysmsapi 2017-05-25) with its official SDK, and QuerySendDetails
 * for a message whose SendSms answer never came,
 * `@alicloud/dysmsapi20170525`, which signs each request with signature V3 (ACS3-HMAC-SHA256). The SDK
 * retries nothing here (SendSms is not idempotent): the outbox decides, from the outcome below. The
 * phone number is the target and is never logged, and neither is any SDK error's message (it carries
 * the request URL with the number); the outbox row holds neither (the phone is looked up at delivery).
 */
export interface SmsOptions {
  /** https://dysmsapi.aliyuncs.com, or the stand-in's base URL. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** TemplateCode and its parameter names, in the event's field order, per kind. */
  templates: Partial<Record<MessageKind, { code: string; keys: string[] }>>;
  /** How long an answer is waited for once the request has left; after it the outcome is unknown. */
  timeoutMs?: number;
}

/** QuerySendDetails pages (50 records each) read per phone and day before giving up on finding one. */
const lookUpPagesMax = 10;
const lookUpPageSize = 50;

/** Answers (Code in a 200 body) that say the message was not taken and may be tried again later. */
const retryCodes = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'isp.SYSTEM_ERROR', 'isv.OUT_OF_SERVICE']);

/** What an SDK error says about the message: not taken (retry), refused for good, or perhaps taken. */
function outcomeOfError(error: unknown): SendOutcome {
  const e = error as { name?: string; code?: unknown; statusCode?: number; message?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  // Never left, or no connection was made: not taken.
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNRESET')
    return { outcome: 'retry', code: 'unreachable' };
  if (e.name === 'RequestTimeoutError')
    return e.message?.startsWith('ConnectTimeout')
      ? { outcome: 'retry', code: 'unreachable' }
      : { outcome: 'unknown', code: 'no_answer' };
  // The gateway answered: throttled (ThrottlingError), refused (ClientError, 4xx), or failed (ServerError, 5xx).
  if (e.name === 'ThrottlingError') return { outcome: 'retry', code: `sms_${code ?? 'Throttling'}` };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return { outcome: 'refused', code: `sms_${code ?? `http_${e.statusCode}`}` };
  if (typeof e.statusCode === 'number' && e.statusCode >= 500)
    return { outcome: 'retry', code: `sms_${code ?? `http_${e.statusCode}`}` };
  // An answer that could not be read, or anything else after the request left: it may have been taken.
  return { outcome: 'unknown', code: 'unreadable_answer' };
}

export class SmsSender implements MessageSender {
  private readonly client: InstanceType<typeof Dysmsapi>;

  constructor(private readonly options: SmsOptions) {
    const url = new URL(options.endpoint);
    this.client = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        endpoint: url.host,
        protocol: url.protocol === 'http:' ? 'HTTP' : 'HTTPS',
        regionId: 'cn-hangzhou',
        connectTimeout: 3_000,
        readTimeout: options.timeoutMs ?? 5_000,
      }),
    );
  }

  /** `messageId` goes as SendSms's OutId, which delivery reports and QuerySendDetails give back (not read yet). */
  async send(
    phone: string,
    kind: MessageKind,
    payload: { fields: string[] },
    messageId: string,
  ): Promise<SendOutcome> {
    const template = this.options.templates[kind];
    if (template === undefined) return { outcome: 'refused', code: 'sms_no_template' };
    const templateParam: Record<string, string> = {};
    template.keys.forEach((key, i) => {
      templateParam[key] = payload.fields[i] ?? '';
    });
    const timeoutMs = this.options.timeoutMs ?? 5_000;
    let code: string;
    let timer: NodeJS.Timeout | undefined;
    try {
      const sending = this.client.sendSms(
        new SendSmsRequest({
          phoneNumbers: phone,
          signName: this.options.signName,
          templateCode: template.code,
          templateParam: JSON.stringify(templateParam),
          outId: messageId,
        }),
      );
      // The SDK's own read timeout is not applied on every reused keep-alive connection (httpx 2.3.3:
      // after an answered request the next one on that client waited out a late answer in
      // core/test/sms-sender.test.ts), so the sender keeps its own deadline; a late answer is ignored.
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeoutMs + 500);
      });
      sending.catch(() => {});
      const response = await Promise.race([sending, late]);
      if (response === 'late') return { outcome: 'unknown', code: 'no_answer' };
      code = response.body?.code ?? 'none';
    } catch (error) {
      return outcomeOfError(error);
    } finally {
      clearTimeout(timer);
    }
    if (code === 'OK') return { outcome: 'sent' };
    if (retryCodes.has(code)) return { outcome: 'retry', code: `sms_${code}` };
    return { outcome: 'refused', code: `sms_${code}` };
  }

  /**
   * QuerySendDetails for the phone on each day given, page by page, until the record with our OutId
   * is found: SendStatus 3 (delivered) or 1 (taken, waiting for the carrier's receipt) is sent, 2 is
   * failed with the carrier's ErrCode; no such record is none. Any error or non-OK Code is no_answer.
   */
  async lookUp(phone: string, messageId: string, days: readonly string[]): Promise<LookUpOutcome> {
    // The sender's own deadline, as in send (the SDK's read timeout is not applied on every reused connection).
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<LookUpOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ outcome: 'no_answer', code: 'no_answer' }),
        (this.options.timeoutMs ?? 5_000) + 500,
      );
    });
    try {
      return await Promise.race([this.query(phone, messageId, days), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async query(phone: string, messageId: string, days: readonly string[]): Promise<LookUpOutcome> {
    try {
      for (const day of days) {
        for (let page = 1; page <= lookUpPagesMax; page++) {
          const response = await this.client.querySendDetails(
            new QuerySendDetailsRequest({
              phoneNumber: phone,
              sendDate: day,
              pageSize: lookUpPageSize,
              currentPage: page,
            }),
          );
          const body = response.body;
          if (body?.code !== 'OK') return { outcome: 'no_answer', code: `sms_${body?.code ?? 'none'}` };
          const records = body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
          const record = records.find((r) => r.outId === messageId);
          if (record?.sendStatus === 3 || record?.sendStatus === 1) return { outcome: 'sent' };
          if (record?.sendStatus === 2)
            return { outcome: 'failed', code: `sms_report_${record.errCode || 'UNKNOWN'}` };
          if (records.length < lookUpPageSize || page * lookUpPageSize >= Number(body.totalCount ?? 0)) break;
        }
      }
    } catch (error) {
      const outcome = outcomeOfError(error);
      return { outcome: 'no_answer', code: outcome.outcome === 'sent' ? 'unreadable_answer' : outcome.code };
    }
    return { outcome: 'none' };
  }
}
