// The visitor pass: a QR code for a registered visitor, who has no account, no card and no phone key.
// The campus key signs it directly (its own tag, its own text prefix "CV:"), so a gate with the campus
// public keys checks it with no network, exactly as it checks a card's certificate: the window it is
// good for, the places it opens, and a digest of the visitor's ID-number tail that the guard's keypad
// entry must match. Pure (Uint8Array and @noble only), so the H5 page, devices and the gateway share it.
// See docs/visitors-meetings-bus.md.

import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase45, encodeBase45 } from './base45.ts';
import { asciiBytes, concatBytes, equalBytes, isUint16, isUint32, view } from './bytes.ts';
import type { CampusKeyring } from './campus-keys.ts';
import { certificateLifetimeMaxMs } from './campus-keys.ts';
import type { CampusSigningKey } from './issuer.ts';
import { type Ed25519Verify, nobleEd25519Verify, signTagged, taggedMessage } from './signature.ts';

/**
 * Visitor pass payload, 24 + Σ(1 + place length) + 64 bytes; the campus signs everything before the
 * signature, prefixed with `visitorPassTag`.
 *
 * | offset | size | field                                               |
 * |-------:|-----:|-----------------------------------------------------|
 * |      0 |    1 | format, 0x01                                        |
 * |      1 |    2 | kid: which campus key signed                        |
 * |      3 |    8 | pass id (random, hex in the core's visits table)    |
 * |     11 |    4 | valid from, seconds                                 |
 * |     15 |    4 | valid until, seconds (exclusive)                    |
 * |     19 |    4 | ID-tail digest: SHA-256(tag ‖ pass id ‖ tail)[0,4)  |
 * |     23 |    1 | place count, 1–6                                    |
 * |     24 |    … | each place: length (1 byte, 1–32), ASCII            |
 * |      … |   64 | campus signature, Ed25519                           |
 */
export const visitorPassLayout = {
  format: 0,
  kid: 1,
  passId: 3,
  validFrom: 11,
  validUntil: 15,
  tailDigest: 19,
  placeCount: 23,
  places: 24,
  passIdBytes: 8,
  tailDigestBytes: 4,
  signatureBytes: 64,
} as const;

export const visitorPassFormat = 0x01;
export const visitorPassTextPrefix = 'CV:';
export const visitorPassTag = 'campus-card/visitor-pass/v1';
const tailDigestTag = 'campus-card/visitor-id-tail/v1';

/** A visit lasts at most what a certificate may (7 days); longer stays are new registrations. */
export const visitorPassLifetimeMaxMs = certificateLifetimeMaxMs;
/**
 * Six places of 32 characters keep the pass at most 286 bytes, 432 characters of text: inside the
 * protocol's 512-byte scanned code (device-gateway `codeBytesMax`).
 */
export const visitorPassPlacesMax = 6;
export const visitorPlaceCharsMax = 32;
/** A place is a passage place or door-group id, or `device:<id>`: `[A-Za-z0-9:_-]`, 1–32 characters. */
export const visitorPlacePattern = /^[A-Za-z0-9:_-]{1,32}$/;
/** The last four characters of a mainland ID number (digits, the last may be X). */
export const idTailPattern = /^[0-9]{3}[0-9X]$/;

export interface VisitorPass {
  readonly kid: number;
  /** 16 hex characters. */
  readonly passId: string;
  readonly validFromMs: number;
  readonly validUntilMs: number;
  readonly tailDigest: Uint8Array;
  readonly places: readonly string[];
  readonly signature: Uint8Array;
  readonly bytes: Uint8Array;
}

export interface VisitorPassRequest {
  passId: string;
  validFromMs: number;
  validUntilMs: number;
  /** The visitor's ID-number tail; only its digest travels. */
  idTail: string;
  places: readonly string[];
}

function passIdBytes(passId: string): Uint8Array {
  if (!/^[0-9a-f]{16}$/.test(passId)) throw new Error('pass id must be 16 lower-case hex characters');
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number.parseInt(passId.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function passIdText(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The 4 bytes a gate compares with what the guard typed. */
export function visitorTailDigest(passId: string, idTail: string): Uint8Array {
  const message = concatBytes(
    asciiBytes(tailDigestTag),
    passIdBytes(passId),
    asciiBytes(idTail.toUpperCase()),
  );
  return sha256(message).subarray(0, visitorPassLayout.tailDigestBytes);
}

/** Signs a pass. Throws on a request the issuer should never make (a programmer error). */
export function issueVisitorPass(key: CampusSigningKey, request: VisitorPassRequest): Uint8Array {
  const at = visitorPassLayout;
  if (!isUint16(key.kid)) throw new Error('kid must fit 16 bits');
  if (!idTailPattern.test(request.idTail.toUpperCase())) throw new Error('ID tail must be 4 characters');
  const fromS = Math.floor(request.validFromMs / 1000);
  const untilS = Math.ceil(request.validUntilMs / 1000);
  if (!isUint32(fromS) || !isUint32(untilS) || untilS <= fromS) throw new Error('bad pass window');
  if ((untilS - fromS) * 1000 > visitorPassLifetimeMaxMs) throw new Error('pass window longer than 7 days');
  const places = request.places;
  if (places.length < 1 || places.length > visitorPassPlacesMax) throw new Error('a pass names 1–6 places');
  const placeBytes = places.map((p) => {
    if (!visitorPlacePattern.test(p)) throw new Error(`bad place reference ${JSON.stringify(p)}`);
    return concatBytes(Uint8Array.of(p.length), asciiBytes(p));
  });
  const head = new Uint8Array(at.places);
  head[at.format] = visitorPassFormat;
  view(head).setUint16(at.kid, key.kid);
  head.set(passIdBytes(request.passId), at.passId);
  view(head).setUint32(at.validFrom, fromS);
  view(head).setUint32(at.validUntil, untilS);
  head.set(visitorTailDigest(request.passId, request.idTail), at.tailDigest);
  head[at.placeCount] = places.length;
  const body = concatBytes(head, ...placeBytes);
  return concatBytes(body, signTagged(visitorPassTag, body, key.secretKey));
}

/** Reads a pass; undefined when the bytes cannot be one. The signature is not checked here. */
export function decodeVisitorPass(bytes: Uint8Array): VisitorPass | undefined {
  const at = visitorPassLayout;
  if (bytes.length < at.places + 2 + at.signatureBytes || bytes[at.format] !== visitorPassFormat)
    return undefined;
  const count = bytes[at.placeCount] ?? 0;
  if (count < 1 || count > visitorPassPlacesMax) return undefined;
  const places: string[] = [];
  let offset: number = at.places;
  for (let i = 0; i < count; i++) {
    const length = bytes[offset] ?? 0;
    if (length < 1 || length > visitorPlaceCharsMax || offset + 1 + length > bytes.length) return undefined;
    const place = String.fromCharCode(...bytes.subarray(offset + 1, offset + 1 + length));
    if (!visitorPlacePattern.test(place)) return undefined;
    places.push(place);
    offset += 1 + length;
  }
  if (bytes.length !== offset + at.signatureBytes) return undefined;
  const data = view(bytes);
  const validFromMs = data.getUint32(at.validFrom) * 1000;
  const validUntilMs = data.getUint32(at.validUntil) * 1000;
  if (validUntilMs <= validFromMs) return undefined;
  return {
    kid: data.getUint16(at.kid),
    passId: passIdText(bytes.subarray(at.passId, at.passId + at.passIdBytes)),
    validFromMs,
    validUntilMs,
    tailDigest: bytes.subarray(at.tailDigest, at.tailDigest + at.tailDigestBytes),
    places,
    signature: bytes.subarray(offset),
    bytes,
  };
}

export function visitorPassToText(bytes: Uint8Array): string {
  return visitorPassTextPrefix + encodeBase45(bytes);
}

export type VisitorPassRefusal =
  | 'MALFORMED'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'KEY_RETIRED'
  | 'PASS_NOT_YET_VALID'
  | 'PASS_EXPIRED'
  | 'WRONG_PLACE'
  | 'ID_TAIL_MISMATCH';

export type VisitorPassVerdict =
  | { ok: true; pass: VisitorPass; place: string }
  | { ok: false; code: VisitorPassRefusal; pass?: VisitorPass };

export interface VisitorPassCheck {
  text: string;
  nowMs: number;
  /** The places this gate belongs to (its door groups, areas and `device:<id>`). */
  placesHere: readonly string[];
  /** What the guard typed; checked only when given (the gate asks for it on entry). */
  idTail?: string;
}

export interface VisitorPassVerifierOptions {
  keyring: CampusKeyring;
  verify?: Ed25519Verify;
  /** How far gate and issuer clocks may disagree (the card codes' 30 s). */
  clockSkewMs?: number;
}

/**
 * Checks a scanned visitor pass offline, in this order: form, key, signature, window, place, ID tail.
 * Never throws on bad input; the first failing check gives the code.
 */
export function createVisitorPassVerifier(options: VisitorPassVerifierOptions) {
  const verify = options.verify ?? nobleEd25519Verify;
  const skewMs = options.clockSkewMs ?? 30_000;
  return (check: VisitorPassCheck): VisitorPassVerdict => {
    if (!check.text.startsWith(visitorPassTextPrefix)) return { ok: false, code: 'MALFORMED' };
    const bytes = decodeBase45(check.text.slice(visitorPassTextPrefix.length));
    const pass = bytes && decodeVisitorPass(bytes);
    if (!pass) return { ok: false, code: 'MALFORMED' };
    const key = options.keyring.get(pass.kid);
    if (!key) return { ok: false, code: 'UNKNOWN_KEY', pass };
    const signed = pass.bytes.subarray(0, pass.bytes.length - visitorPassLayout.signatureBytes);
    if (!verify(pass.signature, taggedMessage(visitorPassTag, signed), key.publicKey))
      return { ok: false, code: 'BAD_SIGNATURE', pass };
    if (key.retiredAtMs !== undefined) {
      if (pass.validFromMs >= key.retiredAtMs || check.nowMs >= key.retiredAtMs + visitorPassLifetimeMaxMs)
        return { ok: false, code: 'KEY_RETIRED', pass };
    }
    if (check.nowMs < pass.validFromMs - skewMs) return { ok: false, code: 'PASS_NOT_YET_VALID', pass };
    if (check.nowMs >= pass.validUntilMs + skewMs) return { ok: false, code: 'PASS_EXPIRED', pass };
    const place = pass.places.find((p) => check.placesHere.includes(p));
    if (place === undefined) return { ok: false, code: 'WRONG_PLACE', pass };
    if (check.idTail !== undefined) {
      const tail = check.idTail.toUpperCase();
      if (!idTailPattern.test(tail) || !equalBytes(visitorTailDigest(pass.passId, tail), pass.tailDigest))
        return { ok: false, code: 'ID_TAIL_MISMATCH', pass };
    }
    return { ok: true, pass, place };
  };
}
export type VisitorPassVerifier = ReturnType<typeof createVisitorPassVerifier>;
