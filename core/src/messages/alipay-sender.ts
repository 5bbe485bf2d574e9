import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import { formatDateTime } from '../time.ts';
import type { MessageKind, MessageSender, SendOutcome } from './message-types.ts';

/**
 * Alipay template messages (`alipay.open.app.mini.templatemessage.send`) through the official
 * alipay-sdk with every answer's RSA2 signature checked (validateSign; the SDK skips it unless asked)
 * and the timestamp in Beijing time. A signed refusal is final; a 5xx or no connection was not taken
 * (retry); an answer that cannot be trusted or a timeout may have been taken (unknown, never resent).
 */
export interface AlipayMessageOptions {
  appId: string;
  privateKey: string;
  alipayPublicKey: string;
  gatewayUrl: string;
  /** user_template_id and its data keys, in the event's field order, per kind. */
  templates: Record<MessageKind, { id: string; keys: string[] }>;
  /** Which id the app's bindings hold: the 2088… user_id or the newer open_id. */
  idMode?: 'user_id' | 'open_id';
  timeoutMs?: number;
}

export class AlipayMessageSender implements MessageSender {
  private readonly sdk: AlipaySdk;

  constructor(private readonly options: AlipayMessageOptions) {
    const privateKey = options.privateKey.trim();
    this.sdk = new AlipaySdk({
      appId: options.appId,
      privateKey,
      keyType: privateKey.includes('BEGIN PRIVATE KEY') ? 'PKCS8' : 'PKCS1',
      alipayPublicKey: options.alipayPublicKey.trim(),
      gateway: options.gatewayUrl,
      timeout: options.timeoutMs ?? 5_000,
      camelcase: false,
    });
  }

  async send(
    target: string,
    kind: MessageKind,
    payload: { fields: string[]; page?: string },
  ): Promise<SendOutcome> {
    const template = this.options.templates[kind];
    const data: Record<string, { value: string }> = {};
    template.keys.forEach((key, i) => {
      data[key] = { value: payload.fields[i] ?? '' };
    });
    const to =
      (this.options.idMode ?? 'user_id') === 'user_id' ? { to_user_id: target } : { to_open_id: target };
    let answer: Record<string, unknown>;
    try {
      answer = (await this.sdk.exec(
        'alipay.open.app.mini.templatemessage.send',
        {
          timestamp: formatDateTime(Date.now()),
          bizContent: {
            ...to,
            user_template_id: template.id,
            ...(payload.page === undefined ? {} : { page: payload.page }),
            data: JSON.stringify(data),
          },
        },
        { validateSign: true },
      )) as Record<string, unknown>;
    } catch (error) {
      return failureOf(error);
    }
    const code = String(answer.code ?? '');
    if (code === '10000') return { outcome: 'sent' };
    const subCode = String(answer.sub_code ?? code);
    // aop.ACQ.SYSTEM_ERROR / isp.* are Alipay's own trouble: not taken, retried.
    if (code === '20000' || subCode.startsWith('isp.'))
      return { outcome: 'retry', code: `alipay_${subCode}` };
    return { outcome: 'refused', code: `alipay_${subCode}` };
  }
}

function failureOf(error: unknown): SendOutcome {
  if (error instanceof AlipayRequestError) {
    // The gateway (or a balancer before it) answered an error status: it did not take the call.
    if (error.message.startsWith('HTTP 请求错误')) return { outcome: 'retry', code: 'http_status' };
    if (
      error.message.startsWith('HttpClient Request error') &&
      /ECONNREFUSED/.test(String(error.cause ?? error.message))
    )
      return { outcome: 'retry', code: 'unreachable' };
  }
  // A timeout, a dropped connection or an answer whose signature does not verify: it may have been taken.
  return { outcome: 'unknown', code: 'no_trusted_answer' };
}
