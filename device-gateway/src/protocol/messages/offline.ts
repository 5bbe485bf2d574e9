// Records a device stored while it could not reach the server, uploaded in batches when it can. Each
// record keeps the sequence number it was taken under (the idempotency key, shared with online requests)
// and a contiguous offline record number (so a missing record shows as a gap), and carries its own MAC.

import {
  type OfflineDecision,
  type OfflineRecordKind,
  type OfflineResultStatus,
  offlineDecisions,
  offlineRecordKinds,
  offlineResultStatuses,
  type ReasonCode,
  reasonCodes,
} from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { gapRangesMax, idBytesMax, macBytes, offlineRecordsPerUploadMax } from '../limits.ts';
import { macEquals, offlineRecordMac } from '../mac.ts';
import type { ByteReader } from '../reader.ts';
import { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCode,
  readCount,
  readEnum,
  readId,
  type ScannedCode,
  writeCode,
  writeCount,
  writeEnum,
  writeId,
} from './fields.ts';

/** A record's fields before its MAC. */
export interface OfflineRecordBody {
  readonly recordKind: OfflineRecordKind;
  readonly decision: OfflineDecision;
  /** The sequence the transaction was taken under; ≥ 1. Reused from an unanswered online request. */
  readonly sequence: number;
  /** 1, 2, 3 … for every record this device ever stores, without holes. */
  readonly offlineNo: number;
  /** Device clock, ms since the Unix epoch (UTC). */
  readonly takenAtMs: number;
  /** A payment's amount (≥ 1); a bus ride's fare (0 for a booked seat or a free ride); 0 for access and attendance. */
  readonly amountFen: number;
  /** A payment's till order number; 0 for other records. */
  readonly orderNo: number;
  /** An attendance record's session id, a bus ride's run id; empty for other records. */
  readonly sessionId: string;
  readonly code: ScannedCode;
}

export interface OfflineRecord extends OfflineRecordBody {
  /** HMAC-SHA256(device key, "campus-card/offline-record/v1" ‖ device id ‖ body), first 16 bytes. */
  readonly mac: Uint8Array;
}

function checkRecord(m: OfflineRecordBody): void {
  const isPayment = m.recordKind === 'payment';
  // A bus ride carries its fare (0 for a booked seat or a free ride) and no till order number.
  const amountOk = isPayment
    ? m.amountFen >= 1
    : m.orderNo === 0 && (m.recordKind === 'bus_ride' || m.amountFen === 0);
  if (!amountOk) {
    throw new ProtocolError(
      'BAD_FIELD',
      `a ${m.recordKind} record carries amountFen ${m.amountFen}, orderNo ${m.orderNo}`,
    );
  }
  // The attendance session, or the bus run, the record belongs to.
  const needsSession = m.recordKind === 'attendance' || m.recordKind === 'bus_ride';
  if (needsSession !== m.sessionId.length > 0) {
    throw new ProtocolError('BAD_FIELD', `a ${m.recordKind} record carries sessionId "${m.sessionId}"`);
  }
}

function readRecordBody(r: ByteReader): OfflineRecordBody {
  const m: OfflineRecordBody = {
    recordKind: readEnum(r, offlineRecordKinds, 'recordKind'),
    decision: readEnum(r, offlineDecisions, 'decision'),
    sequence: checkRange(r.u32('sequence'), 1, 0xffff_ffff, 'sequence'),
    offlineNo: checkRange(r.u32('offlineNo'), 1, 0xffff_ffff, 'offlineNo'),
    takenAtMs: r.u64('takenAtMs'),
    amountFen: r.u32('amountFen'),
    orderNo: r.u32('orderNo'),
    sessionId: readId(r, 0, idBytesMax, 'sessionId'),
    code: readCode(r),
  };
  checkRecord(m);
  return m;
}

function writeRecordBody(w: ByteWriter, m: OfflineRecordBody): void {
  checkRecord(m);
  writeEnum(w, offlineRecordKinds, m.recordKind, 'recordKind');
  writeEnum(w, offlineDecisions, m.decision, 'decision');
  w.u32(checkRange(m.sequence, 1, 0xffff_ffff, 'sequence'), 'sequence');
  w.u32(checkRange(m.offlineNo, 1, 0xffff_ffff, 'offlineNo'), 'offlineNo');
  w.u64(m.takenAtMs, 'takenAtMs');
  w.u32(m.amountFen, 'amountFen');
  w.u32(m.orderNo, 'orderNo');
  writeId(w, m.sessionId, 0, idBytesMax, 'sessionId');
  writeCode(w, m.code);
}

/** The bytes a record's MAC covers (after the tag and device id). */
export function offlineRecordBody(m: OfflineRecordBody): Uint8Array {
  const w = new ByteWriter();
  writeRecordBody(w, m);
  return w.finish();
}

/** What a device does when it stores a record: computes the MAC while the transaction is fresh. */
export function signOfflineRecord(
  deviceKey: Uint8Array,
  deviceId: number,
  body: OfflineRecordBody,
): OfflineRecord {
  const { recordKind, decision, sequence, offlineNo, takenAtMs, amountFen, orderNo, sessionId, code } = body;
  const fields = {
    recordKind,
    decision,
    sequence,
    offlineNo,
    takenAtMs,
    amountFen,
    orderNo,
    sessionId,
    code,
  };
  return { ...fields, mac: offlineRecordMac(deviceKey, deviceId, offlineRecordBody(fields)) };
}

/** What the server does with each uploaded record; a bad one is answered `rejected`, not a failed upload. */
export function verifyOfflineRecord(deviceKey: Uint8Array, deviceId: number, record: OfflineRecord): boolean {
  return macEquals(offlineRecordMac(deviceKey, deviceId, offlineRecordBody(record)), record.mac);
}

/** Bytes one record takes in an OFFLINE_UPLOAD, so a device can pack as many as fit in a frame. */
export function offlineRecordBytes(record: OfflineRecordBody): number {
  return offlineRecordBody(record).byteLength + macBytes;
}

/** D→S. */
export interface OfflineUpload {
  readonly kind: 'offline_upload';
  /** Oldest first; 0–64 records, as many as fit in one frame. */
  readonly records: readonly OfflineRecord[];
}

export function parseOfflineUpload(r: ByteReader): OfflineUpload {
  const count = readCount(r, offlineRecordsPerUploadMax, 'recordCount');
  const records: OfflineRecord[] = [];
  for (let i = 0; i < count; i++) {
    const body = readRecordBody(r);
    records.push({ ...body, mac: r.bytesOf(macBytes, 'record mac') });
  }
  r.end('OFFLINE_UPLOAD');
  return { kind: 'offline_upload', records };
}

export function serializeOfflineUpload(w: ByteWriter, m: OfflineUpload): void {
  writeCount(w, m.records.length, offlineRecordsPerUploadMax, 'recordCount');
  for (const record of m.records) {
    writeRecordBody(w, record);
    w.fixedBytes(record.mac, macBytes, 'record mac');
  }
}

/** What became of one uploaded record. Every status is final: the device deletes the record. */
export interface OfflineRecordResult {
  readonly sequence: number;
  readonly status: OfflineResultStatus;
  /** NONE for accepted and duplicate; the cause for exception and rejected. */
  readonly reason: ReasonCode;
}

/** Offline record numbers the server has never received, inclusive. */
export interface OfflineGap {
  readonly fromOfflineNo: number;
  readonly toOfflineNo: number;
}

/** S→D. */
export interface OfflineUploadResult {
  readonly kind: 'offline_upload_result';
  /** In the order of the upload's records. */
  readonly results: readonly OfflineRecordResult[];
  /** The lowest gaps, at most 32, ascending. */
  readonly gaps: readonly OfflineGap[];
}

function checkResult(status: OfflineResultStatus, reason: ReasonCode): void {
  const needsReason = status === 'exception' || status === 'rejected';
  if (needsReason !== (reason !== 'NONE')) {
    throw new ProtocolError('BAD_FIELD', `result ${status} carries reason ${reason}`);
  }
}

function checkGap(gap: OfflineGap): void {
  if (gap.fromOfflineNo < 1 || gap.fromOfflineNo > gap.toOfflineNo) {
    throw new ProtocolError('BAD_FIELD', `gap [${gap.fromOfflineNo}, ${gap.toOfflineNo}] is not a range`);
  }
}

export function parseOfflineUploadResult(r: ByteReader): OfflineUploadResult {
  const results: OfflineRecordResult[] = [];
  const resultCount = readCount(r, offlineRecordsPerUploadMax, 'resultCount');
  for (let i = 0; i < resultCount; i++) {
    const sequence = checkRange(r.u32('sequence'), 1, 0xffff_ffff, 'sequence');
    const status = readEnum(r, offlineResultStatuses, 'status');
    const reason = readEnum(r, reasonCodes, 'reason');
    checkResult(status, reason);
    results.push({ sequence, status, reason });
  }
  const gaps: OfflineGap[] = [];
  const gapCount = readCount(r, gapRangesMax, 'gapCount');
  for (let i = 0; i < gapCount; i++) {
    const gap = { fromOfflineNo: r.u32('fromOfflineNo'), toOfflineNo: r.u32('toOfflineNo') };
    checkGap(gap);
    gaps.push(gap);
  }
  r.end('OFFLINE_UPLOAD_RESULT');
  return { kind: 'offline_upload_result', results, gaps };
}

export function serializeOfflineUploadResult(w: ByteWriter, m: OfflineUploadResult): void {
  writeCount(w, m.results.length, offlineRecordsPerUploadMax, 'resultCount');
  for (const result of m.results) {
    checkResult(result.status, result.reason);
    w.u32(checkRange(result.sequence, 1, 0xffff_ffff, 'sequence'), 'sequence');
    writeEnum(w, offlineResultStatuses, result.status, 'status');
    writeEnum(w, reasonCodes, result.reason, 'reason');
  }
  writeCount(w, m.gaps.length, gapRangesMax, 'gapCount');
  for (const gap of m.gaps) {
    checkGap(gap);
    w.u32(gap.fromOfflineNo, 'fromOfflineNo');
    w.u32(gap.toOfflineNo, 'toOfflineNo');
  }
}
