// A canteen POS terminal: a scanned code and an amount in, approved with the balance or declined out.

import type { PayApproved, PayDeclined } from '@campus-card/device-gateway/protocol';
import { type DeviceOptions, SimulatedDevice } from './device.ts';

export class PosTerminal {
  private orderNo = 0;

  private constructor(readonly device: SimulatedDevice) {}

  static async connect(options: Omit<DeviceOptions, 'kind'>): Promise<PosTerminal> {
    return new PosTerminal(await SimulatedDevice.connect({ ...options, kind: 'pos' }));
  }

  async pay(qrText: string, amountFen: number): Promise<PayApproved | PayDeclined> {
    this.orderNo += 1;
    const reply = await this.device.request({
      kind: 'pay',
      code: { kind: 'qr', text: qrText },
      amountFen,
      orderNo: this.orderNo,
      itemNo: 0,
    });
    if (reply.kind === 'pay_approved' || reply.kind === 'pay_declined') return reply;
    throw new Error(`PAY answered ${reply.kind}${reply.kind === 'error' ? ` ${reply.code}` : ''}`);
  }

  close(): void {
    this.device.close();
  }
}
