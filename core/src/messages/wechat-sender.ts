import type { MessageRepository } from './message-repository.ts';
import type { MessageKind, MessageSender, SendOutcome } from './message-types.ts';
import { SharedToken } from './shared-token.ts';

/**
 * WeChat subscription messages (`cgi-bin/message/subscribe/send`) with the access token of
 * `cgi-bin/token`, shared by all instances (SharedToken). A rejected token (40001, 42001) is refreshed
 * once and the message sent again; 43101 (the user refused) is final; busy, quota and an unreachable or
 * failing server are retried later by the outbox; a timeout after the request left is unknown.
 */
export interface WechatMessageOptions {
  /** https://api.weixin.qq.com, or the stand-in's base URL. */
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** Template id and its data keys, in the event's field order, per kind. */
  templates: Record<MessageKind, { id: string; keys: string[] }>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  timeoutMs?: number;
}

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

const tokenRejected = new Set([40001, 42001, 40014]);
const retryable = new Set([-1, 45009, 45011, 45047]);

/** Truncates a value to WeChat's 20-character `thing` limit, counting characters, not bytes. */
const clip = (value: string): string => {
  const chars = [...value];
  return chars.length <= 20 ? value : `${chars.slice(0, 19).join('')}…`;
};

export class WechatMessageSender implements MessageSender {
  readonly token: SharedToken;

  constructor(
    repo: MessageRepository,
    private readonly options: WechatMessageOptions,
  ) {
    this.token = new SharedToken(repo, `wechat:${options.appId}`, () => this.fetchToken());
  }

  private async call(url: string, init?: RequestInit): Promise<WechatAnswer> {
    const response = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (!response.ok) throw new HttpStatusError(response.status);
    return JSON.parse(await response.text()) as WechatAnswer;
  }

  private async fetchToken(): Promise<{ token: string; expiresInS: number }> {
    const query = new URLSearchParams({
      grant_type: 'client_credential',
      appid: this.options.appId,
      secret: this.options.appSecret,
    });
    const answer = await this.call(`${this.options.baseUrl}/cgi-bin/token?${query}`);
    if (typeof answer.access_token !== 'string') throw new Error(`cgi-bin/token answered ${answer.errcode}`);
    return { token: answer.access_token, expiresInS: answer.expires_in ?? 7200 };
  }

  async send(
    target: string,
    kind: MessageKind,
    payload: { fields: string[]; page?: string },
  ): Promise<SendOutcome> {
    const template = this.options.templates[kind];
    const data: Record<string, { value: string }> = {};
    template.keys.forEach((key, i) => {
      data[key] = { value: clip(payload.fields[i] ?? '') };
    });
    const body = JSON.stringify({
      touser: target,
      template_id: template.id,
      page: payload.page,
      data,
      miniprogram_state: this.options.miniprogramState ?? 'formal',
      lang: 'zh_CN',
    });
    let token: string;
    try {
      token = await this.token.get();
    } catch {
      return { outcome: 'retry', code: 'token_unavailable' };
    }
    for (let round = 0; round < 2; round += 1) {
      let answer: WechatAnswer;
      try {
        answer = await this.call(
          `${this.options.baseUrl}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`,
          { method: 'POST', headers: { 'Content-Type': 'application/json' }, body },
        );
      } catch (error) {
        return failureOf(error);
      }
      const code = answer.errcode ?? 0;
      if (code === 0) return { outcome: 'sent' };
      if (tokenRejected.has(code) && round === 0) {
        try {
          token = await this.token.get(token);
        } catch {
          return { outcome: 'retry', code: 'token_unavailable' };
        }
        continue;
      }
      if (tokenRejected.has(code) || retryable.has(code)) return { outcome: 'retry', code: `wechat_${code}` };
      return { outcome: 'refused', code: `wechat_${code}` };
    }
    return { outcome: 'retry', code: 'token_rejected' };
  }
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/**
 * What a failed request means for at-most-once: no connection or an HTTP error status from the
 * platform means it did not take the message (retry); a timeout or a dropped connection after the
 * request left may mean it did (unknown, never sent again).
 */
export function failureOf(error: unknown): SendOutcome {
  if (error instanceof HttpStatusError) return { outcome: 'retry', code: `http_${error.status}` };
  const cause = (error as { cause?: { code?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN')
    return { outcome: 'retry', code: 'unreachable' };
  if ((error as { name?: string })?.name === 'TimeoutError') return { outcome: 'unknown', code: 'timeout' };
  return { outcome: 'unknown', code: 'connection_lost' };
}
