// Shower and laundry: start places a hold, usage reports keep it alive and tell the device how much is
// left, stop settles the metered amount and releases the rest. The meter counts units and the server
// prices them, so neither the phone nor the device firmware decides what a card holder pays.

import { type MeterService, type MeterState, meterServices, meterStates, type Refusal } from '../codes.ts';
import { holdIdBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCode,
  readEnum,
  readId,
  readRefusal,
  type ScannedCode,
  writeCode,
  writeEnum,
  writeId,
  writeRefusal,
} from './fields.ts';

/** D→S. */
export interface MeterStart {
  readonly kind: 'meter_start';
  readonly service: MeterService;
  readonly code: ScannedCode;
  /** ≥ 1 and at most the configured meter.holdFen (a laundry program may hold less). */
  readonly holdFen: number;
}

export function parseMeterStart(r: ByteReader): MeterStart {
  const m: MeterStart = {
    kind: 'meter_start',
    service: readEnum(r, meterServices, 'service'),
    code: readCode(r),
    holdFen: checkRange(r.u32('holdFen'), 1, 0xffff_ffff, 'holdFen'),
  };
  r.end('METER_START');
  return m;
}

export function serializeMeterStart(w: ByteWriter, m: MeterStart): void {
  writeEnum(w, meterServices, m.service, 'service');
  writeCode(w, m.code);
  w.u32(checkRange(m.holdFen, 1, 0xffff_ffff, 'holdFen'), 'holdFen');
}

/** S→D: open the water or start the machine. */
export interface MeterStarted {
  readonly kind: 'meter_started';
  /** The core's hold id; the device quotes it in every usage report and the stop. */
  readonly holdId: string;
  readonly holdFen: number;
  /** Main + subsidy available after the hold. */
  readonly balanceAfterFen: number;
}

export function parseMeterStarted(r: ByteReader): MeterStarted {
  const m: MeterStarted = {
    kind: 'meter_started',
    holdId: readId(r, 1, holdIdBytesMax, 'holdId'),
    holdFen: r.u32('holdFen'),
    balanceAfterFen: r.u32('balanceAfterFen'),
  };
  r.end('METER_STARTED');
  return m;
}

export function serializeMeterStarted(w: ByteWriter, m: MeterStarted): void {
  writeId(w, m.holdId, 1, holdIdBytesMax, 'holdId');
  w.u32(m.holdFen, 'holdFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
}

/** S→D: nothing held; show the reason. */
export interface MeterRefused {
  readonly kind: 'meter_refused';
  readonly reason: Refusal;
}

export function parseMeterRefused(r: ByteReader): MeterRefused {
  const reason = readRefusal(r);
  r.end('METER_REFUSED');
  return { kind: 'meter_refused', reason };
}

export function serializeMeterRefused(w: ByteWriter, m: MeterRefused): void {
  writeRefusal(w, m.reason);
}

/** D→S, every meter.reportIntervalSeconds while running: units counted since start, never decreasing. */
export interface MeterUsage {
  readonly kind: 'meter_usage';
  readonly holdId: string;
  readonly usageUnits: number;
}

export function parseMeterUsage(r: ByteReader): MeterUsage {
  const m: MeterUsage = {
    kind: 'meter_usage',
    holdId: readId(r, 1, holdIdBytesMax, 'holdId'),
    usageUnits: r.u32('usageUnits'),
  };
  r.end('METER_USAGE');
  return m;
}

export function serializeMeterUsage(w: ByteWriter, m: MeterUsage): void {
  writeId(w, m.holdId, 1, holdIdBytesMax, 'holdId');
  w.u32(m.usageUnits, 'usageUnits');
}

/** S→D. */
export interface MeterUsageAck {
  readonly kind: 'meter_usage_ack';
  readonly state: MeterState;
  /** The usage so far, priced by the server. */
  readonly usageFen: number;
  /** What is left of the hold; the device shows it and stops at zero. */
  readonly remainingFen: number;
}

export function parseMeterUsageAck(r: ByteReader): MeterUsageAck {
  const m: MeterUsageAck = {
    kind: 'meter_usage_ack',
    state: readEnum(r, meterStates, 'state'),
    usageFen: r.u32('usageFen'),
    remainingFen: r.u32('remainingFen'),
  };
  r.end('METER_USAGE_ACK');
  return m;
}

export function serializeMeterUsageAck(w: ByteWriter, m: MeterUsageAck): void {
  writeEnum(w, meterStates, m.state, 'state');
  w.u32(m.usageFen, 'usageFen');
  w.u32(m.remainingFen, 'remainingFen');
}

/** D→S: the water is off or the cycle is over; final units counted since start. */
export interface MeterStop {
  readonly kind: 'meter_stop';
  readonly holdId: string;
  readonly usageUnits: number;
}

export function parseMeterStop(r: ByteReader): MeterStop {
  const m: MeterStop = {
    kind: 'meter_stop',
    holdId: readId(r, 1, holdIdBytesMax, 'holdId'),
    usageUnits: r.u32('usageUnits'),
  };
  r.end('METER_STOP');
  return m;
}

export function serializeMeterStop(w: ByteWriter, m: MeterStop): void {
  writeId(w, m.holdId, 1, holdIdBytesMax, 'holdId');
  w.u32(m.usageUnits, 'usageUnits');
}

/** S→D: final for the hold; a stop for a hold that already expired gets the expiry's figures. */
export interface MeterSettled {
  readonly kind: 'meter_settled';
  readonly chargedFen: number;
  readonly releasedFen: number;
  readonly balanceAfterFen: number;
}

export function parseMeterSettled(r: ByteReader): MeterSettled {
  const m: MeterSettled = {
    kind: 'meter_settled',
    chargedFen: r.u32('chargedFen'),
    releasedFen: r.u32('releasedFen'),
    balanceAfterFen: r.u32('balanceAfterFen'),
  };
  r.end('METER_SETTLED');
  return m;
}

export function serializeMeterSettled(w: ByteWriter, m: MeterSettled): void {
  w.u32(m.chargedFen, 'chargedFen');
  w.u32(m.releasedFen, 'releasedFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
}
