// A canteen POS terminal: a scanned code and an amount in, approved with the balance or declined out.
// With the gateway away it takes the payment offline within its configured limits (protocol § 12).

import type { PayApproved, PayDeclined } from '@campus-card/device-gateway/protocol';
import { type OfflineDecision, scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

/** A payment the terminal decided on its own while offline. */
export type OfflinePayment = { readonly kind: 'offline' } & OfflineDecision;

export class PosTerminal extends Terminal {
  private orderNo = 0;

  constructor(options: TerminalOptions) {
    super('pos', options);
  }

  static async connect(options: TerminalOptions): Promise<PosTerminal> {
    const pos = new PosTerminal(options);
    await pos.connect();
    return pos;
  }

  async pay(scanned: string, amountFen: number): Promise<PayApproved | PayDeclined | OfflinePayment> {
    this.orderNo += 1;
    const code = scannedCode(scanned);
    if (!this.online) {
      const decision = await this.decideOffline({
        recordKind: 'payment',
        amountFen,
        orderNo: this.orderNo,
        sessionId: '',
        code,
      });
      return { kind: 'offline', ...decision };
    }
    // BUSY is waited out and the same payment sent again under its sequence (protocol § 7.9).
    const reply = await this.requestHonouringBusy({
      kind: 'pay',
      code,
      amountFen,
      orderNo: this.orderNo,
      itemNo: 0,
    });
    if (reply.kind === 'pay_approved' || reply.kind === 'pay_declined') return reply;
    throw new Error(`PAY answered ${reply.kind}${reply.kind === 'error' ? ` ${reply.code}` : ''}`);
  }
}
