// CENTRE_KEYS (0xA4), CENTRE_BLACKLIST_REQUEST (0xA5), CENTRE_BLACKLIST_CHUNK (0xA6),
// CENTRE_BLACKLIST_DELTA (0xA7) and CENTRE_OFFLINE_POLICY (0xA8), protocol § 7.29: the other card centres whose cards this centre's devices
// take (docs/federation.md). A card number is unique only within its centre, so each other centre's
// blacklist is a list of its own, named by the centre's id and kept at that centre's versions; a device
// checks a code against the list of the centre whose key signed it. The list messages are the
// BLACKLIST_* ones (§ 7.20–7.22) with the centre's id in front.

import { ProtocolError } from '../errors.ts';
import { campusKeysMax, campusPublicKeyBytes } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  type BlacklistChunk,
  type BlacklistDelta,
  type BlacklistRequest,
  parseBlacklistChunk,
  parseBlacklistDelta,
  parseBlacklistRequest,
  serializeBlacklistChunk,
  serializeBlacklistDelta,
  serializeBlacklistRequest,
} from './blacklist.ts';
import type { CampusKey } from './config.ts';
import { readCount, readId, writeCount, writeId } from './fields.ts';

/** The other centres a device may know at once. */
export const centresMax = 8;
/** A centre id: 2–16 of A-Z 0-9, the first a letter (as the trust list has it). */
const centreIdPattern = /^[A-Z][A-Z0-9]{1,15}$/;

function readCentreId(r: ByteReader): string {
  const id = readId(r, 2, 16, 'centreId');
  if (!centreIdPattern.test(id)) throw new ProtocolError('BAD_FIELD', 'centreId is not a centre id');
  return id;
}

function writeCentreId(w: ByteWriter, id: string): void {
  if (!centreIdPattern.test(id)) throw new ProtocolError('BAD_FIELD', 'centreId is not a centre id');
  writeId(w, id, 2, 16, 'centreId');
}

/** One other centre: the keys its cards' certificates are signed with, and its blacklist's version here. */
export interface CentreKeySet {
  readonly centreId: string;
  /** The version of this centre's list the gateway holds; a device holding another asks for it (0xA5). */
  readonly blacklistVersion: number;
  /** 0 … 4, as CONFIG_PUSH's campus keys: retiredAtMs 0 while the key signs. */
  readonly keys: readonly CampusKey[];
}

/** S→D, sequence 0: every other centre whose cards the device takes; replaces the device's whole set. */
export interface CentreKeys {
  readonly kind: 'centre_keys';
  readonly centres: readonly CentreKeySet[];
}

export function parseCentreKeys(r: ByteReader): CentreKeys {
  const count = readCount(r, centresMax, 'centreCount');
  const centres: CentreKeySet[] = [];
  for (let i = 0; i < count; i++) {
    const centreId = readCentreId(r);
    const blacklistVersion = r.u32('blacklistVersion');
    const keyCount = readCount(r, campusKeysMax, 'keyCount');
    const keys: CampusKey[] = [];
    for (let k = 0; k < keyCount; k++) {
      keys.push({
        kid: r.u16('kid'),
        publicKey: r.bytesOf(campusPublicKeyBytes, 'publicKey'),
        retiredAtMs: r.u64('retiredAtMs'),
      });
    }
    centres.push({ centreId, blacklistVersion, keys });
  }
  r.end('CENTRE_KEYS');
  return { kind: 'centre_keys', centres };
}

export function serializeCentreKeys(w: ByteWriter, m: CentreKeys): void {
  writeCount(w, m.centres.length, centresMax, 'centreCount');
  for (const centre of m.centres) {
    writeCentreId(w, centre.centreId);
    w.u32(centre.blacklistVersion, 'blacklistVersion');
    writeCount(w, centre.keys.length, campusKeysMax, 'keyCount');
    for (const key of centre.keys) {
      w.u16(key.kid, 'kid');
      w.fixedBytes(key.publicKey, campusPublicKeyBytes, 'publicKey');
      w.u64(key.retiredAtMs, 'retiredAtMs');
    }
  }
}

/** D→S: BLACKLIST_REQUEST for one other centre's list. */
export type CentreBlacklistRequest = Omit<BlacklistRequest, 'kind'> & {
  readonly kind: 'centre_blacklist_request';
  readonly centreId: string;
};

export function parseCentreBlacklistRequest(r: ByteReader): CentreBlacklistRequest {
  const centreId = readCentreId(r);
  const { kind: _, ...rest } = parseBlacklistRequest(r);
  return { kind: 'centre_blacklist_request', centreId, ...rest };
}

export function serializeCentreBlacklistRequest(w: ByteWriter, m: CentreBlacklistRequest): void {
  writeCentreId(w, m.centreId);
  serializeBlacklistRequest(w, { ...m, kind: 'blacklist_request' });
}

/** S→D, encrypted: BLACKLIST_CHUNK of one other centre's list. */
export type CentreBlacklistChunk = Omit<BlacklistChunk, 'kind'> & {
  readonly kind: 'centre_blacklist_chunk';
  readonly centreId: string;
};

export function parseCentreBlacklistChunk(r: ByteReader): CentreBlacklistChunk {
  const centreId = readCentreId(r);
  const { kind: _, ...rest } = parseBlacklistChunk(r);
  return { kind: 'centre_blacklist_chunk', centreId, ...rest };
}

export function serializeCentreBlacklistChunk(w: ByteWriter, m: CentreBlacklistChunk): void {
  writeCentreId(w, m.centreId);
  serializeBlacklistChunk(w, { ...m, kind: 'blacklist_chunk' });
}

/** S→D, encrypted, sequence 0: BLACKLIST_DELTA of one other centre's list, pushed as its changes arrive. */
export type CentreBlacklistDelta = Omit<BlacklistDelta, 'kind'> & {
  readonly kind: 'centre_blacklist_delta';
  readonly centreId: string;
};

export function parseCentreBlacklistDelta(r: ByteReader): CentreBlacklistDelta {
  const centreId = readCentreId(r);
  const { kind: _, ...rest } = parseBlacklistDelta(r);
  return { kind: 'centre_blacklist_delta', centreId, ...rest };
}

export function serializeCentreBlacklistDelta(w: ByteWriter, m: CentreBlacklistDelta): void {
  writeCentreId(w, m.centreId);
  serializeBlacklistDelta(w, { ...m, kind: 'blacklist_delta' });
}

/**
 * One other centre's offline policy for its cards at this centre's devices (docs/federation.md § A
 * unreachable): offline, a device takes one of its cards for at most paymentMaxFen a payment and
 * cardDailyMaxFen a card and local day. 0 and 0: never offline.
 */
export interface CentrePolicy {
  readonly centreId: string;
  readonly paymentMaxFen: number;
  readonly cardDailyMaxFen: number;
}

/** S→D, sequence 0: every other centre's offline policy; replaces the device's whole set (one not named: 0, 0). */
export interface CentreOfflinePolicy {
  readonly kind: 'centre_offline_policy';
  readonly centres: readonly CentrePolicy[];
}

export function parseCentreOfflinePolicy(r: ByteReader): CentreOfflinePolicy {
  const count = readCount(r, centresMax, 'centreCount');
  const centres: CentrePolicy[] = [];
  for (let i = 0; i < count; i++) {
    const centreId = readCentreId(r);
    centres.push({
      centreId,
      paymentMaxFen: r.u32('paymentMaxFen'),
      cardDailyMaxFen: r.u32('cardDailyMaxFen'),
    });
  }
  r.end('CENTRE_OFFLINE_POLICY');
  return { kind: 'centre_offline_policy', centres };
}

export function serializeCentreOfflinePolicy(w: ByteWriter, m: CentreOfflinePolicy): void {
  writeCount(w, m.centres.length, centresMax, 'centreCount');
  for (const centre of m.centres) {
    writeCentreId(w, centre.centreId);
    w.u32(centre.paymentMaxFen, 'paymentMaxFen');
    w.u32(centre.cardDailyMaxFen, 'cardDailyMaxFen');
  }
}
