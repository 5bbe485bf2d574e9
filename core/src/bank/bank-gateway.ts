import { createHmac } from 'node:crypto';

/**
 * The core's adapter to the bank front end (银行前置): signed JSON over HTTP, each call bounded by
 * timeoutMs. A call that gets no answer in time is `no_answer` — for a transfer that means the
 * bank may or may not have booked it, which only a reversal (冲正) or the bank's own record settles
 * (docs/funds.md § Bank). Never logs or keeps the bank card number.
 */
export interface BankGatewayOptions {
  url: string;
  secret: string;
  timeoutMs: number;
}

export type BankTransferAnswer =
  | {
      kind: 'answered';
      status: 'succeeded' | 'failed' | 'reversed' | 'unknown';
      serial: string | null;
      code: string | null;
    }
  | { kind: 'no_answer' };

export type VerifyAnswer =
  | { kind: 'sent'; requestId: string; phoneTail: string }
  | { kind: 'refused'; code: string };
export type ConfirmAnswer =
  | { kind: 'bound'; token: string; masked: string }
  | { kind: 'refused'; code: string };

export class BankUnanswered extends Error {
  constructor() {
    super('the bank front end did not answer');
    this.name = 'BankUnanswered';
  }
}

export class BankGateway {
  constructor(private readonly options: BankGatewayOptions) {}

  async verify(request: {
    cardNumber: string;
    name: string;
    idNumber: string;
    phone: string;
  }): Promise<VerifyAnswer> {
    const body = await this.call('POST', '/bind/verify', request);
    if (!body) throw new BankUnanswered();
    return body.result === 'sent'
      ? { kind: 'sent', requestId: String(body.requestId), phoneTail: String(body.phoneTail ?? '') }
      : { kind: 'refused', code: String(body.code ?? 'REFUSED') };
  }

  async confirm(requestId: string, smsCode: string): Promise<ConfirmAnswer> {
    const body = await this.call('POST', '/bind/confirm', { requestId, smsCode });
    if (!body) throw new BankUnanswered();
    return body.result === 'bound'
      ? { kind: 'bound', token: String(body.token), masked: String(body.masked) }
      : { kind: 'refused', code: String(body.code ?? 'REFUSED') };
  }

  /** Debits (load) or credits (payout) the account behind the agreement token, once per transfer id. */
  async transfer(request: {
    transferId: string;
    token: string;
    amount: number;
    kind: 'debit' | 'credit';
  }): Promise<BankTransferAnswer> {
    return transferAnswer(await this.call('POST', '/transfers', request));
  }

  async query(transferId: string): Promise<BankTransferAnswer> {
    return transferAnswer(await this.call('GET', `/transfers/${encodeURIComponent(transferId)}`));
  }

  /** 冲正: the bank undoes the transfer if it booked it, and refuses it for good if it arrives later. */
  async reverse(transferId: string): Promise<BankTransferAnswer> {
    return transferAnswer(
      await this.call('POST', `/transfers/${encodeURIComponent(transferId)}/reversal`, {}),
    );
  }

  /** The end-of-day file: each line a transfer the bank booked that Shanghai day. */
  async reconciliationFile(date: string): Promise<string> {
    const response = await this.send('GET', `/reconciliation?date=${encodeURIComponent(date)}`);
    if (!response?.ok) throw new BankUnanswered();
    return response.text();
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown> | undefined> {
    const response = await this.send(method, path, body);
    // A refusal of our signature or a 5xx says nothing certain about a transfer: treated as no answer.
    if (!response?.ok) return undefined;
    try {
      return (await response.json()) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response | undefined> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const timestamp = String(Date.now());
    const signature = createHmac('sha256', this.options.secret)
      .update(`${timestamp}\n${method}\n${path}\n${payload}`)
      .digest('hex');
    try {
      return await fetch(`${this.options.url}${path}`, {
        method,
        body: payload || undefined,
        headers: {
          'content-type': 'application/json',
          'x-bank-timestamp': timestamp,
          'x-bank-signature': signature,
        },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch {
      // Refused connection, reset or timeout: the caller cannot know whether the bank acted.
      return undefined;
    }
  }
}

function transferAnswer(body: Record<string, unknown> | undefined): BankTransferAnswer {
  if (!body) return { kind: 'no_answer' };
  const status = body.status;
  if (status !== 'succeeded' && status !== 'failed' && status !== 'reversed' && status !== 'unknown')
    return { kind: 'no_answer' };
  return {
    kind: 'answered',
    status,
    serial: typeof body.serial === 'string' ? body.serial : null,
    code: typeof body.code === 'string' ? body.code.slice(0, 32) : null,
  };
}
