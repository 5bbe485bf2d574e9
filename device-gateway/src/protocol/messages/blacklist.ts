// The blacklist: cards whose codes a device must refuse even when it verifies them offline. It is
// versioned: a full snapshot is downloaded in chunks, later changes arrive as deltas between versions.
// Who lost or froze a card is personal data, so chunks and deltas are always encrypted.

import { type BlacklistOp, type BlacklistReason, blacklistOps, blacklistReasons } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { blacklistDeltaEntriesMax, blacklistEntriesPerChunkMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCardNo,
  readCount16,
  readEnum,
  writeCardNo,
  writeCount16,
  writeEnum,
} from './fields.ts';

/** One card on the list; at most one entry per card number. */
export interface BlacklistEntry {
  readonly cardNo: string;
  /**
   * Codes whose certificate carries this card version or lower are refused; 0xFFFFFFFF refuses every
   * version (lost, frozen, cancelled), a lower value only the versions a reissue replaced.
   */
  readonly cardVersionMax: number;
  readonly reason: BlacklistReason;
}

function readEntry(r: ByteReader): BlacklistEntry {
  return {
    cardNo: readCardNo(r),
    cardVersionMax: r.u32('cardVersionMax'),
    reason: readEnum(r, blacklistReasons, 'reason'),
  };
}

/**
 * Whether a code of `cardVersion` is refused for a card with this entry (protocol § 10.5): every version of a
 * lost, frozen or cancelled card; for a reissued card every version but its current one, cardVersionMax + 1
 * (older ones are superseded phones, newer ones were never issued: a forged certificate).
 */
export function blacklistRefuses(entry: BlacklistEntry | undefined, cardVersion: number): boolean {
  if (entry === undefined) return false;
  return cardVersion <= entry.cardVersionMax || neverIssued(entry, cardVersion);
}

/** A version above a reissued card's current one: no certificate was ever made for it. */
export function neverIssued(entry: BlacklistEntry | undefined, cardVersion: number): boolean {
  return entry?.reason === 'reissued' && cardVersion > entry.cardVersionMax + 1;
}

function writeEntry(w: ByteWriter, e: BlacklistEntry): void {
  writeCardNo(w, e.cardNo);
  w.u32(e.cardVersionMax, 'cardVersionMax');
  writeEnum(w, blacklistReasons, e.reason, 'reason');
}

/** D→S. */
export interface BlacklistRequest {
  readonly kind: 'blacklist_request';
  /** The version the device holds, 0 for none. The server may answer chunk 0 with a delta from it. */
  readonly haveVersion: number;
  /** The snapshot being downloaded, 0 to start with the latest. */
  readonly version: number;
  readonly chunkIndex: number;
}

export function parseBlacklistRequest(r: ByteReader): BlacklistRequest {
  const m: BlacklistRequest = {
    kind: 'blacklist_request',
    haveVersion: r.u32('haveVersion'),
    version: r.u32('version'),
    chunkIndex: r.u16('chunkIndex'),
  };
  r.end('BLACKLIST_REQUEST');
  return m;
}

export function serializeBlacklistRequest(w: ByteWriter, m: BlacklistRequest): void {
  w.u32(m.haveVersion, 'haveVersion');
  w.u32(m.version, 'version');
  w.u16(m.chunkIndex, 'chunkIndex');
}

/** S→D, encrypted: chunk `chunkIndex` of `chunkCount` of snapshot `version`. */
export interface BlacklistChunk {
  readonly kind: 'blacklist_chunk';
  /** ≥ 1. If it differs from the version requested, that snapshot is gone: start over with this chunk. */
  readonly version: number;
  readonly chunkIndex: number;
  /** ≥ 1; an empty list is one chunk with no entries. */
  readonly chunkCount: number;
  /** At most 256, in ascending card number order across the snapshot. */
  readonly entries: readonly BlacklistEntry[];
}

function checkChunk(version: number, chunkIndex: number, chunkCount: number): void {
  checkRange(version, 1, 0xffff_ffff, 'version');
  if (chunkCount < 1 || chunkIndex >= chunkCount) {
    throw new ProtocolError('BAD_FIELD', `chunk ${chunkIndex} of ${chunkCount} does not exist`);
  }
}

export function parseBlacklistChunk(r: ByteReader): BlacklistChunk {
  const version = r.u32('version');
  const chunkIndex = r.u16('chunkIndex');
  const chunkCount = r.u16('chunkCount');
  checkChunk(version, chunkIndex, chunkCount);
  const count = readCount16(r, blacklistEntriesPerChunkMax, 'entryCount');
  const entries: BlacklistEntry[] = [];
  for (let i = 0; i < count; i++) entries.push(readEntry(r));
  r.end('BLACKLIST_CHUNK');
  return { kind: 'blacklist_chunk', version, chunkIndex, chunkCount, entries };
}

export function serializeBlacklistChunk(w: ByteWriter, m: BlacklistChunk): void {
  checkChunk(m.version, m.chunkIndex, m.chunkCount);
  w.u32(m.version, 'version');
  w.u16(m.chunkIndex, 'chunkIndex');
  w.u16(m.chunkCount, 'chunkCount');
  writeCount16(w, m.entries.length, blacklistEntriesPerChunkMax, 'entryCount');
  for (const entry of m.entries) writeEntry(w, entry);
}

/** One change: an add carries the whole entry; a remove only the card number (the rest is sent as zeros). */
export type BlacklistChange =
  | ({ readonly op: Extract<BlacklistOp, 'add'> } & BlacklistEntry)
  | { readonly op: Extract<BlacklistOp, 'remove'>; readonly cardNo: string };

/** S→D, encrypted, pushed within a second of a card's status change. */
export interface BlacklistDelta {
  readonly kind: 'blacklist_delta';
  /** Apply only if the device holds exactly this version; otherwise ask for the list again. */
  readonly fromVersion: number;
  /** > fromVersion; the device's version after applying. */
  readonly toVersion: number;
  /** At most 250, applied in order. */
  readonly changes: readonly BlacklistChange[];
}

function checkVersions(fromVersion: number, toVersion: number): void {
  if (toVersion <= fromVersion) {
    throw new ProtocolError('BAD_FIELD', `delta from ${fromVersion} to ${toVersion} does not move forward`);
  }
}

export function parseBlacklistDelta(r: ByteReader): BlacklistDelta {
  const fromVersion = r.u32('fromVersion');
  const toVersion = r.u32('toVersion');
  checkVersions(fromVersion, toVersion);
  const count = readCount16(r, blacklistDeltaEntriesMax, 'changeCount');
  const changes: BlacklistChange[] = [];
  for (let i = 0; i < count; i++) {
    const op = readEnum(r, blacklistOps, 'op');
    if (op === 'add') {
      changes.push({ op, ...readEntry(r) });
      continue;
    }
    const cardNo = readCardNo(r);
    if (r.u32('cardVersionMax') !== 0 || r.u8('reason') !== 0) {
      throw new ProtocolError('BAD_FIELD', 'a remove carries a card version or reason other than zero');
    }
    changes.push({ op, cardNo });
  }
  r.end('BLACKLIST_DELTA');
  return { kind: 'blacklist_delta', fromVersion, toVersion, changes };
}

export function serializeBlacklistDelta(w: ByteWriter, m: BlacklistDelta): void {
  checkVersions(m.fromVersion, m.toVersion);
  w.u32(m.fromVersion, 'fromVersion');
  w.u32(m.toVersion, 'toVersion');
  writeCount16(w, m.changes.length, blacklistDeltaEntriesMax, 'changeCount');
  for (const change of m.changes) {
    writeEnum(w, blacklistOps, change.op, 'op');
    if (change.op === 'add') {
      writeEntry(w, change);
    } else {
      writeCardNo(w, change.cardNo);
      w.u32(0, 'cardVersionMax').u8(0, 'reason');
    }
  }
}
