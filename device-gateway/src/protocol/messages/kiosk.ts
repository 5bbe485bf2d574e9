// The self-service kiosk (protocol § 7.23): a person identifies with a code and gets a short session,
// then loads the card from the bound bank card (圈存) or with banknotes the acceptor counted. Each load is
// one request whose idempotency key is (device id, sequence), as every money request.

import {
  type KioskEntryDirection,
  type KioskLoadStatus,
  type KioskUtilityService,
  type KioskUtilityStatus,
  kioskEntryDirections,
  kioskLoadStatuses,
  kioskUtilityServices,
  kioskUtilityStatuses,
  type ReasonCode,
  reasonCodes,
} from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCode,
  readCount,
  readEnum,
  readId,
  readPrintable,
  readText,
  type ScannedCode,
  writeCode,
  writeCount,
  writeEnum,
  writeId,
  writePrintable,
  writeText,
} from './fields.ts';

export const kioskTokenBytes = 16;
export const kioskEntriesMax = 5;
const displayNameBytesMax = 64;
const bankTailBytesMax = 4;
const referenceBytesMax = 40;

/** D→S: the code shown at the kiosk's scanner, or typed. */
export interface KioskIdentify {
  readonly kind: 'kiosk_identify';
  readonly code: ScannedCode;
}

export function parseKioskIdentify(r: ByteReader): KioskIdentify {
  const code = readCode(r);
  r.end('KIOSK_IDENTIFY');
  return { kind: 'kiosk_identify', code };
}

export function serializeKioskIdentify(w: ByteWriter, m: KioskIdentify): void {
  writeCode(w, m.code);
}

/** One recent transaction, for the screen and the receipt. */
export interface KioskEntry {
  readonly atMs: number;
  readonly direction: KioskEntryDirection;
  readonly amountFen: number;
}

/** S→D, encrypted: who was identified, with the session token the loads name; or why not. */
export interface KioskAccount {
  readonly kind: 'kiosk_account';
  /** NONE with a session; otherwise the refusal, the token all zero and the rest empty. */
  readonly reason: ReasonCode;
  readonly sessionToken: Uint8Array;
  readonly displayName: string;
  readonly mainFen: number;
  readonly subsidyFen: number;
  /** The bound bank card's last four digits; empty when none is bound (圈存 is then refused). */
  readonly bankTail: string;
  readonly entries: readonly KioskEntry[];
}

export function parseKioskAccount(r: ByteReader): KioskAccount {
  const reason = readEnum(r, reasonCodes, 'reason');
  const sessionToken = r.bytesOf(kioskTokenBytes, 'sessionToken');
  const displayName = readText(r, displayNameBytesMax, 'displayName');
  const mainFen = r.u32('mainFen');
  const subsidyFen = r.u32('subsidyFen');
  const bankTail = readPrintable(r, bankTailBytesMax, 'bankTail');
  const count = readCount(r, kioskEntriesMax, 'entries');
  const entries: KioskEntry[] = [];
  for (let i = 0; i < count; i++)
    entries.push({
      atMs: r.u64('atMs'),
      direction: readEnum(r, kioskEntryDirections, 'direction'),
      amountFen: r.u32('amountFen'),
    });
  r.end('KIOSK_ACCOUNT');
  return { kind: 'kiosk_account', reason, sessionToken, displayName, mainFen, subsidyFen, bankTail, entries };
}

export function serializeKioskAccount(w: ByteWriter, m: KioskAccount): void {
  writeEnum(w, reasonCodes, m.reason, 'reason');
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
  writeText(w, m.displayName, displayNameBytesMax, 'displayName');
  w.u32(m.mainFen, 'mainFen');
  w.u32(m.subsidyFen, 'subsidyFen');
  if (m.bankTail !== '' && !/^\d{4}$/.test(m.bankTail))
    throw new ProtocolError('BAD_FIELD', 'bankTail is four digits or empty');
  writePrintable(w, m.bankTail, bankTailBytesMax, 'bankTail');
  writeCount(w, m.entries.length, kioskEntriesMax, 'entries');
  for (const e of m.entries) {
    w.u64(e.atMs, 'atMs');
    writeEnum(w, kioskEntryDirections, e.direction, 'direction');
    w.u32(e.amountFen, 'amountFen');
  }
}

/** D→S: 圈存 of amountFen from the bank card bound to the session's card. */
export interface KioskBankLoad {
  readonly kind: 'kiosk_bank_load';
  readonly sessionToken: Uint8Array;
  readonly amountFen: number;
}

export function parseKioskBankLoad(r: ByteReader): KioskBankLoad {
  const sessionToken = r.bytesOf(kioskTokenBytes, 'sessionToken');
  const amountFen = checkRange(r.u32('amountFen'), 1, 0xffff_ffff, 'amountFen');
  r.end('KIOSK_BANK_LOAD');
  return { kind: 'kiosk_bank_load', sessionToken, amountFen };
}

export function serializeKioskBankLoad(w: ByteWriter, m: KioskBankLoad): void {
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
  w.u32(checkRange(m.amountFen, 1, 0xffff_ffff, 'amountFen'), 'amountFen');
}

/** D→S: banknotes the acceptor took and counted, to be credited to the session's card. */
export interface KioskCashTopUp {
  readonly kind: 'kiosk_cash_top_up';
  readonly sessionToken: Uint8Array;
  readonly amountFen: number;
  /** How many notes the acceptor took, for the cash box count. */
  readonly notes: number;
}

export function parseKioskCashTopUp(r: ByteReader): KioskCashTopUp {
  const sessionToken = r.bytesOf(kioskTokenBytes, 'sessionToken');
  const amountFen = checkRange(r.u32('amountFen'), 1, 0xffff_ffff, 'amountFen');
  const notes = checkRange(r.u16('notes'), 1, 0xffff, 'notes');
  r.end('KIOSK_CASH_TOP_UP');
  return { kind: 'kiosk_cash_top_up', sessionToken, amountFen, notes };
}

export function serializeKioskCashTopUp(w: ByteWriter, m: KioskCashTopUp): void {
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
  w.u32(checkRange(m.amountFen, 1, 0xffff_ffff, 'amountFen'), 'amountFen');
  w.u16(checkRange(m.notes, 1, 0xffff, 'notes'), 'notes');
}

/** S→D: what became of a load, with what the receipt prints. */
export interface KioskLoadResult {
  readonly kind: 'kiosk_load_result';
  /** NONE when credited or still pending at the bank; otherwise why nothing was credited. */
  readonly reason: ReasonCode;
  readonly status: KioskLoadStatus;
  readonly amountFen: number;
  /** Main + subsidy after the load. */
  readonly balanceAfterFen: number;
  /** The receipt's reference: the bank transfer id or the cash top-up's operation id; empty when refused. */
  readonly reference: string;
}

export function parseKioskLoadResult(r: ByteReader): KioskLoadResult {
  const m: KioskLoadResult = {
    kind: 'kiosk_load_result',
    reason: readEnum(r, reasonCodes, 'reason'),
    status: readEnum(r, kioskLoadStatuses, 'status'),
    amountFen: r.u32('amountFen'),
    balanceAfterFen: r.u32('balanceAfterFen'),
    reference: readId(r, 0, referenceBytesMax, 'reference'),
  };
  r.end('KIOSK_LOAD_RESULT');
  return m;
}

export function serializeKioskLoadResult(w: ByteWriter, m: KioskLoadResult): void {
  writeEnum(w, reasonCodes, m.reason, 'reason');
  writeEnum(w, kioskLoadStatuses, m.status, 'status');
  w.u32(m.amountFen, 'amountFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
  writeId(w, m.reference, 0, referenceBytesMax, 'reference');
}

const targetBytesMax = 32;
const orderBytesMax = 48;

/** D→S: dorm electricity for a room, or the campus network for the person's own account, paid from the card. */
export interface KioskUtilityPay {
  readonly kind: 'kiosk_utility_pay';
  readonly sessionToken: Uint8Array;
  readonly service: KioskUtilityService;
  /** The room id for electricity; empty for the network (the person's own account). */
  readonly target: string;
  /** The network package; empty for electricity. */
  readonly packageId: string;
  readonly amountFen: number;
}

export function parseKioskUtilityPay(r: ByteReader): KioskUtilityPay {
  const m: KioskUtilityPay = {
    kind: 'kiosk_utility_pay',
    sessionToken: r.bytesOf(kioskTokenBytes, 'sessionToken'),
    service: readEnum(r, kioskUtilityServices, 'service'),
    target: readId(r, 0, targetBytesMax, 'target'),
    packageId: readId(r, 0, targetBytesMax, 'packageId'),
    amountFen: checkRange(r.u32('amountFen'), 1, 0xffff_ffff, 'amountFen'),
  };
  r.end('KIOSK_UTILITY_PAY');
  return m;
}

export function serializeKioskUtilityPay(w: ByteWriter, m: KioskUtilityPay): void {
  w.fixedBytes(m.sessionToken, kioskTokenBytes, 'sessionToken');
  writeEnum(w, kioskUtilityServices, m.service, 'service');
  writeId(w, m.target, 0, targetBytesMax, 'target');
  writeId(w, m.packageId, 0, targetBytesMax, 'packageId');
  w.u32(checkRange(m.amountFen, 1, 0xffff_ffff, 'amountFen'), 'amountFen');
}

/** S→D: what became of a payment to the meter or network system, for the screen and the receipt. */
export interface KioskUtilityResult {
  readonly kind: 'kiosk_utility_result';
  /** NONE when completed or pending; otherwise why nothing was charged. */
  readonly reason: ReasonCode;
  readonly status: KioskUtilityStatus;
  readonly amountFen: number;
  readonly balanceAfterFen: number;
  /** The order id for the receipt; empty when refused before an order existed. */
  readonly reference: string;
}

export function parseKioskUtilityResult(r: ByteReader): KioskUtilityResult {
  const m: KioskUtilityResult = {
    kind: 'kiosk_utility_result',
    reason: readEnum(r, reasonCodes, 'reason'),
    status: readEnum(r, kioskUtilityStatuses, 'status'),
    amountFen: r.u32('amountFen'),
    balanceAfterFen: r.u32('balanceAfterFen'),
    reference: readId(r, 0, orderBytesMax, 'reference'),
  };
  r.end('KIOSK_UTILITY_RESULT');
  return m;
}

export function serializeKioskUtilityResult(w: ByteWriter, m: KioskUtilityResult): void {
  writeEnum(w, reasonCodes, m.reason, 'reason');
  writeEnum(w, kioskUtilityStatuses, m.status, 'status');
  w.u32(m.amountFen, 'amountFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
  writeId(w, m.reference, 0, orderBytesMax, 'reference');
}
