import { type AlipayCertificates, AlipayGateway } from '../alipay/gateway.ts';
import type { MessageKind, MessageSender, SendOutcome } from './message-types.ts';

/**
 * Alipay template messages (`alipay.open.app.mini.templatemessage.send`) through the project's one
 * verifying Alipay client (core/src/alipay/gateway.ts: every answer's RSA2 signature checked, the
 * timestamp in Beijing time). A signed refusal is final; a 5xx or no connection was not taken
 * (retry); an answer that cannot be trusted or a timeout may have been taken (unknown, never resent).
 */
export interface AlipayMessageOptions {
  appId: string;
  privateKey: string;
  /** Key mode: Alipay's public key; or certificate mode: `certs` (core/src/alipay/gateway.ts). */
  alipayPublicKey?: string | undefined;
  certs?: AlipayCertificates | undefined;
  gatewayUrl: string;
  /** user_template_id and its data keys, in the event's field order, per kind. */
  templates: Record<MessageKind, { id: string; keys: string[] }>;
  /** Which id the app's bindings hold: the 2088… user_id or the newer open_id. */
  idMode?: 'user_id' | 'open_id';
  timeoutMs?: number;
}

export class AlipayMessageSender implements MessageSender {
  private readonly gateway: AlipayGateway;

  constructor(private readonly options: AlipayMessageOptions) {
    this.gateway = new AlipayGateway(options);
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
    const answer = await this.gateway.exec('alipay.open.app.mini.templatemessage.send', {
      bizContent: {
        ...to,
        user_template_id: template.id,
        ...(payload.page === undefined ? {} : { page: payload.page }),
        data: JSON.stringify(data),
      },
    });
    switch (answer.kind) {
      case 'ok':
        return { outcome: 'sent' };
      case 'refused': {
        const subCode = answer.subCode || answer.code;
        // aop.ACQ.SYSTEM_ERROR / isp.* are Alipay's own trouble: not taken, retried.
        if (answer.code === '20000' || subCode.startsWith('isp.'))
          return { outcome: 'retry', code: `alipay_${subCode}` };
        return { outcome: 'refused', code: `alipay_${subCode}` };
      }
      case 'unavailable':
        // The gateway refused the connection or answered an error status: it did not take the call.
        if (answer.reason === 'unreachable' || answer.reason === 'http_status')
          return { outcome: 'retry', code: answer.reason };
        // A timeout, a dropped connection or an answer whose signature does not verify: it may have been taken.
        return { outcome: 'unknown', code: 'no_trusted_answer' };
    }
  }
}
