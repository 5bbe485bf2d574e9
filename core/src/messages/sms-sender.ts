import { randomUUID } from 'node:crypto';
import type { MessageKind, MessageSender, SendOutcome } from './message-types.ts';
import { rpcSignature } from './sms-signature.ts';

/**
 * SMS through Alibaba Cloud's SendSms (dysmsapi 2017-05-25) over its documented HTTP API with the
 * RPC signature v1 (the provider's Node SDK is not installable here). The phone number is the target
 * and is never logged; the outbox row does not hold it either (it is looked up at delivery).
 */
export interface SmsOptions {
  /** https://dysmsapi.aliyuncs.com, or the stand-in's base URL. */
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** TemplateCode and its parameter names, in the event's field order, per kind. */
  templates: Partial<Record<MessageKind, { code: string; keys: string[] }>>;
  timeoutMs?: number;
}

const retryCodes = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'isp.SYSTEM_ERROR',
  'Throttling.User',
  'ServiceUnavailable',
]);

export class SmsSender implements MessageSender {
  constructor(private readonly options: SmsOptions) {}

  async send(phone: string, kind: MessageKind, payload: { fields: string[] }): Promise<SendOutcome> {
    const template = this.options.templates[kind];
    if (template === undefined) return { outcome: 'refused', code: 'sms_no_template' };
    const templateParam: Record<string, string> = {};
    template.keys.forEach((key, i) => {
      templateParam[key] = payload.fields[i] ?? '';
    });
    const params: Record<string, string> = {
      AccessKeyId: this.options.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: phone,
      RegionId: 'cn-hangzhou',
      SignName: this.options.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: template.code,
      TemplateParam: JSON.stringify(templateParam),
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    params.Signature = rpcSignature('GET', params, this.options.accessKeySecret);
    let answer: { Code?: string };
    try {
      const response = await fetch(`${this.options.endpoint}/?${new URLSearchParams(params)}`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      if (response.status >= 500) return { outcome: 'retry', code: `http_${response.status}` };
      answer = (await response.json()) as { Code?: string };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } })?.cause?.code;
      return cause === 'ECONNREFUSED'
        ? { outcome: 'retry', code: 'unreachable' }
        : { outcome: 'unknown', code: 'no_answer' };
    }
    const code = answer.Code ?? 'none';
    if (code === 'OK') return { outcome: 'sent' };
    if (retryCodes.has(code)) return { outcome: 'retry', code: `sms_${code}` };
    return { outcome: 'refused', code: `sms_${code}` };
  }
}
