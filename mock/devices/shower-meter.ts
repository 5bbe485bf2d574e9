// A shower water meter: a code opens a hold, the meter counts seconds of flow, the stop settles them.

import type {
  MeterRefused,
  MeterSettled,
  MeterStarted,
  MeterUsageAck,
} from '@campus-card/device-gateway/protocol';
import { type DeviceOptions, SimulatedDevice } from './device.ts';

export class ShowerMeter {
  private holdId: string | undefined;

  private constructor(readonly device: SimulatedDevice) {}

  static async connect(options: Omit<DeviceOptions, 'kind'>): Promise<ShowerMeter> {
    return new ShowerMeter(await SimulatedDevice.connect({ ...options, kind: 'shower' }));
  }

  async start(qrText: string, holdFen: number): Promise<MeterStarted | MeterRefused> {
    const reply = await this.device.request({
      kind: 'meter_start',
      service: 'shower',
      code: { kind: 'qr', text: qrText },
      holdFen,
    });
    if (reply.kind === 'meter_started') this.holdId = reply.holdId;
    if (reply.kind === 'meter_started' || reply.kind === 'meter_refused') return reply;
    throw new Error(`METER_START answered ${reply.kind}`);
  }

  async report(usageUnits: number): Promise<MeterUsageAck> {
    const reply = await this.device.request({ kind: 'meter_usage', holdId: this.running(), usageUnits });
    if (reply.kind !== 'meter_usage_ack') throw new Error(`METER_USAGE answered ${reply.kind}`);
    return reply;
  }

  async stop(usageUnits: number): Promise<MeterSettled> {
    const reply = await this.device.request({ kind: 'meter_stop', holdId: this.running(), usageUnits });
    if (reply.kind !== 'meter_settled') throw new Error(`METER_STOP answered ${reply.kind}`);
    this.holdId = undefined;
    return reply;
  }

  close(): void {
    this.device.close();
  }

  private running(): string {
    if (this.holdId === undefined) throw new Error('the meter is not running');
    return this.holdId;
  }
}
