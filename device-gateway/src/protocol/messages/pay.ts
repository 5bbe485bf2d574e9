// A payment at a POS: the code the student shows, the amount, and the till's own order number. The
// idempotency key is (device id, sequence) from the header; the order number is for receipts only.

import type { Refusal } from '../codes.ts';
import { pinDigits } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCode,
  readDigits,
  readRefusal,
  type ScannedCode,
  writeCode,
  writeDigits,
  writeRefusal,
} from './fields.ts';

export interface PayRequestFields {
  readonly code: ScannedCode;
  /** ≥ 1. */
  readonly amountFen: number;
  /** The till's order number, printed on its receipt. */
  readonly orderNo: number;
  /** The preset price key pressed, or 0 when the amount was keyed in. */
  readonly itemNo: number;
}

/** D→S. */
export interface Pay extends PayRequestFields {
  readonly kind: 'pay';
}

/** D→S, encrypted: a new request (new sequence) after PAY_DECLINED with PIN_REQUIRED. */
export interface PayWithPin extends PayRequestFields {
  readonly kind: 'pay_with_pin';
  /** Six ASCII digits. */
  readonly pin: string;
}

function readPayFields(r: ByteReader): PayRequestFields {
  return {
    code: readCode(r),
    amountFen: checkRange(r.u32('amountFen'), 1, 0xffff_ffff, 'amountFen'),
    orderNo: r.u32('orderNo'),
    itemNo: r.u8('itemNo'),
  };
}

function writePayFields(w: ByteWriter, m: PayRequestFields): void {
  writeCode(w, m.code);
  w.u32(checkRange(m.amountFen, 1, 0xffff_ffff, 'amountFen'), 'amountFen');
  w.u32(m.orderNo, 'orderNo');
  w.u8(m.itemNo, 'itemNo');
}

export function parsePay(r: ByteReader): Pay {
  const fields = readPayFields(r);
  r.end('PAY');
  return { kind: 'pay', ...fields };
}

export function serializePay(w: ByteWriter, m: Pay): void {
  writePayFields(w, m);
}

export function parsePayWithPin(r: ByteReader): PayWithPin {
  const fields = readPayFields(r);
  const pin = readDigits(r, pinDigits, 'pin');
  r.end('PAY_WITH_PIN');
  return { kind: 'pay_with_pin', ...fields, pin };
}

export function serializePayWithPin(w: ByteWriter, m: PayWithPin): void {
  writePayFields(w, m);
  writeDigits(w, m.pin, pinDigits, 'pin');
}

/** S→D. */
export interface PayApproved {
  readonly kind: 'pay_approved';
  /** The whole amount charged: subsidy part + main part. */
  readonly chargedFen: number;
  /** The part taken from the subsidy wallet, which is spent first. */
  readonly subsidyFen: number;
  /** Main + subsidy available after the payment. */
  readonly balanceAfterFen: number;
}

export function parsePayApproved(r: ByteReader): PayApproved {
  const m: PayApproved = {
    kind: 'pay_approved',
    chargedFen: r.u32('chargedFen'),
    subsidyFen: r.u32('subsidyFen'),
    balanceAfterFen: r.u32('balanceAfterFen'),
  };
  checkRange(m.subsidyFen, 0, m.chargedFen, 'subsidyFen');
  r.end('PAY_APPROVED');
  return m;
}

export function serializePayApproved(w: ByteWriter, m: PayApproved): void {
  checkRange(m.subsidyFen, 0, m.chargedFen, 'subsidyFen');
  w.u32(m.chargedFen, 'chargedFen');
  w.u32(m.subsidyFen, 'subsidyFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
}

/** S→D. */
export interface PayDeclined {
  readonly kind: 'pay_declined';
  readonly reason: Refusal;
}

export function parsePayDeclined(r: ByteReader): PayDeclined {
  const reason = readRefusal(r);
  r.end('PAY_DECLINED');
  return { kind: 'pay_declined', reason };
}

export function serializePayDeclined(w: ByteWriter, m: PayDeclined): void {
  writeRefusal(w, m.reason);
}
