// Shower and laundry meters: a code opens a hold, the meter counts (seconds of flow, cycles), the stop
// settles them. Meters never start offline: a hold needs the server (protocol § 12.1).

import type {
  MeterRefused,
  MeterSettled,
  MeterStarted,
  MeterUsageAck,
} from '@campus-card/device-gateway/protocol';
import { scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

export class Meter extends Terminal {
  private holdId: string | undefined;

  constructor(
    readonly service: 'shower' | 'laundry',
    options: TerminalOptions,
  ) {
    super(service, options);
  }

  async start(scanned: string, holdFen: number): Promise<MeterStarted | MeterRefused> {
    const reply = await this.request({
      kind: 'meter_start',
      service: this.service,
      code: scannedCode(scanned),
      holdFen,
    });
    if (reply.kind === 'meter_started') this.holdId = reply.holdId;
    if (reply.kind === 'meter_started' || reply.kind === 'meter_refused') return reply;
    throw new Error(`METER_START answered ${reply.kind}`);
  }

  /** METER_REFUSED HOLD_NOT_FOUND: the server knows no such hold for this meter; it stops and resets. */
  async report(usageUnits: number): Promise<MeterUsageAck | MeterRefused> {
    const reply = await this.request({ kind: 'meter_usage', holdId: this.running(), usageUnits });
    if (reply.kind === 'meter_refused') {
      this.holdId = undefined;
      return reply;
    }
    if (reply.kind !== 'meter_usage_ack') throw new Error(`METER_USAGE answered ${reply.kind}`);
    return reply;
  }

  async stop(usageUnits: number): Promise<MeterSettled | MeterRefused> {
    const reply = await this.request({ kind: 'meter_stop', holdId: this.running(), usageUnits });
    if (reply.kind !== 'meter_settled' && reply.kind !== 'meter_refused') {
      throw new Error(`METER_STOP answered ${reply.kind}`);
    }
    this.holdId = undefined;
    return reply;
  }

  private running(): string {
    if (this.holdId === undefined) throw new Error('the meter is not running');
    return this.holdId;
  }
}

export class ShowerMeter extends Meter {
  constructor(options: TerminalOptions) {
    super('shower', options);
  }

  static async connect(options: TerminalOptions): Promise<ShowerMeter> {
    const meter = new ShowerMeter(options);
    await meter.connect();
    return meter;
  }
}

export class LaundryMeter extends Meter {
  constructor(options: TerminalOptions) {
    super('laundry', options);
  }

  static async connect(options: TerminalOptions): Promise<LaundryMeter> {
    const meter = new LaundryMeter(options);
    await meter.connect();
    return meter;
  }
}
