// A person at the self-service kiosk without a phone (protocol § 7.25): identification by ID number and
// the card's PIN (answered by KIOSK_ACCOUNT, like a code), a loss report (挂失) and its cancellation (解挂)
// with the card's PIN, and fee bills listed and paid from the card, all under the kiosk session the
// identification opened.

import {
  type KioskCancelLossStatus,
  type KioskFeePaymentStatus,
  type KioskLossStatus,
  kioskCancelLossStatuses,
  kioskFeePaymentStatuses,
  kioskLossStatuses,
  type ReasonCode,
  reasonCodes,
} from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { pinDigits } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCount,
  readDigits,
  readEnum,
  readId,
  readText,
  writeCount,
  writeDigits,
  writeEnum,
  writeId,
  writeText,
} from './fields.ts';
import { kioskTokenBytes } from './kiosk.ts';

const idNumberBytesMin = 6;
const idNumberBytesMax = 32;
const billIdBytes = 26;
const receiptBytesMax = 40;
const feeNameBytesMax = 64;
export const kioskFeeBillsMax = 8;

/** D→S, encrypted: the ID number typed at the kiosk and the card's PIN. */
export interface KioskIdentifyById {
  readonly kind: 'kiosk_identify_by_id';
  /** Letters and digits, 6–32 (an 18-character resident ID card number with its check letter). */
  readonly idNumber: string;
  readonly pin: string;
}

export function parseKioskIdentifyById(r: ByteReader): KioskIdentifyById {
  const idNumber = readId(r, idNumberBytesMin, idNumberBytesMax, 'idNumber');
  const pin = readDigits(r, pinDigits, 'pin');
  r.end('KIOSK_IDENTIFY_BY_ID');
  return { kind: 'kiosk_identify_by_id', idNumber, pin };
}

export function serializeKioskIdentifyById(w: ByteWriter, m: KioskIdentifyById): void {
  writeId(w, m.idNumber, idNumberBytesMin, idNumberBytesMax, 'idNumber');
  writeDigits(w, m.pin, pinDigits, 'pin');
}

/** D→S: report the session's card lost. */
export interface KioskReportLoss {
  readonly kind: 'kiosk_report_loss';
  readonly sessionToken: Uint8Array;
}

export function parseKioskReportLoss(r: ByteReader): KioskReportLoss {
  const sessionToken = r.bytesOf(kioskTokenBytes, 'sessionToken');
  r.end('KIOSK_REPORT_LOSS');
  return { kind: 'kiosk_report_loss', sessionToken };
}

export function serializeKioskReportLoss(w: ByteWriter, m: KioskReportLoss): void {
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
}

/** S→D: what became of the loss report. */
export interface KioskLossResult {
  readonly kind: 'kiosk_loss_result';
  /** NONE when reported or already lost; otherwise why nothing changed. */
  readonly reason: ReasonCode;
  readonly status: KioskLossStatus;
}

export function parseKioskLossResult(r: ByteReader): KioskLossResult {
  const reason = readEnum(r, reasonCodes, 'reason');
  const status = readEnum(r, kioskLossStatuses, 'status');
  r.end('KIOSK_LOSS_RESULT');
  return { kind: 'kiosk_loss_result', reason, status };
}

export function serializeKioskLossResult(w: ByteWriter, m: KioskLossResult): void {
  writeEnum(w, reasonCodes, m.reason, 'reason');
  writeEnum(w, kioskLossStatuses, m.status, 'status');
}

/** D→S, encrypted: cancel the loss of the session's card (解挂) with the card's PIN, typed again. */
export interface KioskCancelLoss {
  readonly kind: 'kiosk_cancel_loss';
  readonly sessionToken: Uint8Array;
  readonly pin: string;
}

export function parseKioskCancelLoss(r: ByteReader): KioskCancelLoss {
  const sessionToken = r.bytesOf(kioskTokenBytes, 'sessionToken');
  const pin = readDigits(r, pinDigits, 'pin');
  r.end('KIOSK_CANCEL_LOSS');
  return { kind: 'kiosk_cancel_loss', sessionToken, pin };
}

export function serializeKioskCancelLoss(w: ByteWriter, m: KioskCancelLoss): void {
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
  writeDigits(w, m.pin, pinDigits, 'pin');
}

/** S→D: what became of the cancellation. */
export interface KioskCancelLossResult {
  readonly kind: 'kiosk_cancel_loss_result';
  /** NONE when cancelled or not lost; otherwise why nothing changed. */
  readonly reason: ReasonCode;
  readonly status: KioskCancelLossStatus;
}

export function parseKioskCancelLossResult(r: ByteReader): KioskCancelLossResult {
  const reason = readEnum(r, reasonCodes, 'reason');
  const status = readEnum(r, kioskCancelLossStatuses, 'status');
  r.end('KIOSK_CANCEL_LOSS_RESULT');
  checkCancelReason(reason, status);
  return { kind: 'kiosk_cancel_loss_result', reason, status };
}

export function serializeKioskCancelLossResult(w: ByteWriter, m: KioskCancelLossResult): void {
  checkCancelReason(m.reason, m.status);
  writeEnum(w, reasonCodes, m.reason, 'reason');
  writeEnum(w, kioskCancelLossStatuses, m.status, 'status');
}

/** A refusal names its reason; cancelled and not_lost name none. */
function checkCancelReason(reason: ReasonCode, status: KioskCancelLossStatus): void {
  if ((status === 'refused') === (reason === 'NONE'))
    throw new ProtocolError('BAD_FIELD', 'reason is NONE exactly when the status is not refused');
}

/**
 * D→S, encrypted: the session's owed fee bills; with a bill id, first pays amountFen of it from the
 * card (the PIN, 6 digits or empty, for an amount above the card's PIN-free limit). The payment's
 * idempotency key is (device id, sequence), as every money request.
 */
export interface KioskFeesRequest {
  readonly kind: 'kiosk_fees_request';
  readonly sessionToken: Uint8Array;
  /** Empty: the list only. */
  readonly billId: string;
  /** 0 with no bill; otherwise what to pay. */
  readonly amountFen: number;
  /** Empty, or the card's 6-digit PIN. */
  readonly pin: string;
}

export function parseKioskFeesRequest(r: ByteReader): KioskFeesRequest {
  const sessionToken = r.bytesOf(kioskTokenBytes, 'sessionToken');
  const billId = readId(r, 0, billIdBytes, 'billId');
  const amountFen = r.u32('amountFen');
  const pinLength = r.u8('pin length');
  if (pinLength !== 0 && pinLength !== pinDigits)
    throw new ProtocolError('BAD_FIELD', `pin is empty or ${pinDigits} digits`);
  const pin = readDigits(r, pinLength, 'pin');
  r.end('KIOSK_FEES_REQUEST');
  checkBillAndAmount(billId, amountFen);
  return { kind: 'kiosk_fees_request', sessionToken, billId, amountFen, pin };
}

export function serializeKioskFeesRequest(w: ByteWriter, m: KioskFeesRequest): void {
  checkBillAndAmount(m.billId, m.amountFen);
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
  writeId(w, m.billId, 0, billIdBytes, 'billId');
  w.u32(m.amountFen, 'amountFen');
  if (m.pin !== '' && m.pin.length !== pinDigits)
    throw new ProtocolError('BAD_FIELD', `pin is empty or ${pinDigits} digits`);
  w.u8(m.pin.length, 'pin length');
  if (m.pin !== '') writeDigits(w, m.pin, pinDigits, 'pin');
}

/** A bill id is 26 characters or empty; the amount is 0 exactly when no bill is named. */
function checkBillAndAmount(billId: string, amountFen: number): void {
  if (billId !== '' && billId.length !== billIdBytes)
    throw new ProtocolError('BAD_FIELD', `billId is empty or ${billIdBytes} characters`);
  if ((billId === '') !== (amountFen === 0))
    throw new ProtocolError('BAD_FIELD', 'amountFen is 0 exactly when no bill is named');
}

/** One bill still owed, as the screen lists it. */
export interface KioskFeeBill {
  readonly billId: string;
  readonly name: string;
  readonly owedFen: number;
  /** Whether a part may be paid; otherwise exactly owedFen. */
  readonly allowPartial: boolean;
}

/** S→D, encrypted: the named payment's outcome and the bills still owed (at most 8, the earliest due first). */
export interface KioskFees {
  readonly kind: 'kiosk_fees';
  /** NONE when the list (and the named payment) went through; otherwise why nothing was charged. */
  readonly reason: ReasonCode;
  readonly payment: KioskFeePaymentStatus;
  readonly amountFen: number;
  /** Main + subsidy after the payment; 0 when none was made. */
  readonly balanceAfterFen: number;
  /** The receipt number of a paid payment; otherwise empty. */
  readonly reference: string;
  readonly bills: readonly KioskFeeBill[];
}

export function parseKioskFees(r: ByteReader): KioskFees {
  const reason = readEnum(r, reasonCodes, 'reason');
  const payment = readEnum(r, kioskFeePaymentStatuses, 'payment');
  const amountFen = r.u32('amountFen');
  const balanceAfterFen = r.u32('balanceAfterFen');
  const reference = readId(r, 0, receiptBytesMax, 'reference');
  const count = readCount(r, kioskFeeBillsMax, 'bills');
  const bills: KioskFeeBill[] = [];
  for (let i = 0; i < count; i++)
    bills.push({
      billId: readId(r, billIdBytes, billIdBytes, 'billId'),
      name: readText(r, feeNameBytesMax, 'name'),
      owedFen: r.u32('owedFen'),
      allowPartial: checkRange(r.u8('allowPartial'), 0, 1, 'allowPartial') === 1,
    });
  r.end('KIOSK_FEES');
  return { kind: 'kiosk_fees', reason, payment, amountFen, balanceAfterFen, reference, bills };
}

export function serializeKioskFees(w: ByteWriter, m: KioskFees): void {
  writeEnum(w, reasonCodes, m.reason, 'reason');
  writeEnum(w, kioskFeePaymentStatuses, m.payment, 'payment');
  w.u32(m.amountFen, 'amountFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
  writeId(w, m.reference, 0, receiptBytesMax, 'reference');
  writeCount(w, m.bills.length, kioskFeeBillsMax, 'bills');
  for (const b of m.bills) {
    writeId(w, b.billId, billIdBytes, billIdBytes, 'billId');
    writeText(w, b.name, feeNameBytesMax, 'name');
    w.u32(b.owedFen, 'owedFen');
    w.u8(b.allowPartial ? 1 : 0, 'allowPartial');
  }
}
