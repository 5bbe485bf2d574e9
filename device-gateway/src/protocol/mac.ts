// Message authentication with the device's own 32-byte key. Every MAC input starts with a distinct ASCII
// tag (or is a frame, which starts with the magic), so a value computed for one purpose can never be
// replayed as another: a sign-in response is not a server proof, an offline record MAC is not a frame MAC.

import { createHash, createHmac, createSecretKey, hash, type KeyObject, timingSafeEqual } from 'node:crypto';
import { frameBytesMax, macBytes } from './limits.ts';

export const macTags = {
  signIn: 'campus-card/sign-in/v1',
  serverProof: 'campus-card/server-proof/v1',
  offlineRecord: 'campus-card/offline-record/v1',
} as const;

/**
 * The key for anonymous frames (device id 0): 32 zero bytes. Only CHALLENGE, and ERROR frames that answer
 * a frame the server could not authenticate, are anonymous. Their MAC proves nothing about the sender and
 * only catches corruption; a device never acts on them beyond closing the connection and reconnecting.
 */
export const anonymousKey: Uint8Array = new Uint8Array(32);

/**
 * A key as raw bytes, or prepared once as a KeyObject (prepareKey): a session keeps its device's MAC key and
 * session key prepared, so each frame's HMAC and AES-GCM do not import the key again.
 */
export type KeyMaterial = Uint8Array | KeyObject;

export function prepareKey(key: Uint8Array): KeyObject {
  return createSecretKey(key);
}

/** SHA-256's block: HMAC pads its key to it (RFC 2104). */
const hmacBlockBytes = 64;

/** Where a MAC's inner input is put together (the inner pad, then the bytes): one for the process, used within a call. */
const innerInput = Buffer.alloc(hmacBlockBytes + frameBytesMax);

/** Where an inbound frame's expected MAC is put before the constant-time comparison. */
const expectedMac = Buffer.alloc(macBytes);

/**
 * A device key prepared once a session for its frames' MACs: HMAC-SHA256's two padded key blocks are made
 * up front, so each frame's MAC is two one-shot SHA-256 calls instead of an HMAC object a frame (issue #20).
 * The digests come back as latin1 strings and are copied into place: a Buffer each would be a new backing
 * store for the garbage collector.
 */
export class FrameMacKey {
  private readonly innerPad = new Uint8Array(hmacBlockBytes);
  /** The outer pad, then the inner digest of the MAC being made. */
  private readonly outerInput = Buffer.alloc(hmacBlockBytes + 32);

  constructor(key: Uint8Array) {
    const block = key.byteLength > hmacBlockBytes ? createHash('sha256').update(key).digest() : key;
    for (let i = 0; i < hmacBlockBytes; i++) {
      const byte = block[i] ?? 0;
      this.innerPad[i] = byte ^ 0x36;
      this.outerInput[i] = byte ^ 0x5c;
    }
  }

  /** The first `macBytes` of HMAC-SHA256(key, bytes), written into `out` at `at`. */
  writeMac(bytes: Uint8Array, out: Uint8Array, at: number): void {
    const inputBytes = hmacBlockBytes + bytes.byteLength;
    const input = inputBytes <= innerInput.byteLength ? innerInput : Buffer.alloc(inputBytes);
    input.set(this.innerPad, 0);
    input.set(bytes, hmacBlockBytes);
    // 'binary' is Node's name for latin1: one character a byte.
    const inner = hash('sha256', input.subarray(0, inputBytes), 'binary');
    this.outerInput.write(inner, hmacBlockBytes, 32, 'latin1');
    const mac = hash('sha256', this.outerInput, 'binary');
    for (let i = 0; i < macBytes; i++) out[at + i] = mac.charCodeAt(i);
  }
}

/** A frame MAC key: raw, a KeyObject, or prepared for frames (FrameMacKey, what a session keeps). */
export type MacKeyMaterial = KeyMaterial | FrameMacKey;

/** The first `macBytes` of HMAC-SHA256(key, bytes), written into `out` at `at`. */
function writeMac(key: MacKeyMaterial, bytes: Uint8Array, out: Uint8Array, at: number): void {
  if (key instanceof FrameMacKey) key.writeMac(bytes, out, at);
  else out.set(createHmac('sha256', key).update(bytes).digest().subarray(0, macBytes), at);
}

function hmac(key: KeyMaterial, parts: readonly Uint8Array[]): Uint8Array {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return new Uint8Array(mac.digest());
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The 16-byte frame MAC: HMAC-SHA256(key, every frame byte before the MAC), first 16 bytes. */
export function frameMac(key: MacKeyMaterial, bytesBeforeMac: Uint8Array): Uint8Array {
  const mac = new Uint8Array(macBytes);
  writeMac(key, bytesBeforeMac, mac, 0);
  return mac;
}

/** The frame MAC of `frame`'s bytes before `macAt`, written into `frame` at `macAt`: no intermediate copies. */
export function writeFrameMac(key: MacKeyMaterial, frame: Uint8Array, macAt: number): void {
  writeMac(key, frame.subarray(0, macAt), frame, macAt);
}

/** Whether `mac` is the frame MAC of `bytesBeforeMac`, compared in constant time. */
export function frameMacMatches(key: MacKeyMaterial, bytesBeforeMac: Uint8Array, mac: Uint8Array): boolean {
  if (mac.byteLength !== macBytes) return false;
  writeMac(key, bytesBeforeMac, expectedMac, 0);
  return timingSafeEqual(expectedMac, mac);
}

/** The device's answer to a challenge: HMAC-SHA256(key, tag ‖ device id ‖ server nonce ‖ device nonce). */
export function signInResponse(
  deviceKey: Uint8Array,
  deviceId: number,
  serverNonce: Uint8Array,
  deviceNonce: Uint8Array,
): Uint8Array {
  return hmac(deviceKey, [ascii(macTags.signIn), u32(deviceId), serverNonce, deviceNonce]);
}

/** The server's proof that it holds the device key too, bound to the device's fresh nonce. */
export function serverProof(
  deviceKey: Uint8Array,
  deviceId: number,
  serverNonce: Uint8Array,
  deviceNonce: Uint8Array,
): Uint8Array {
  return hmac(deviceKey, [ascii(macTags.serverProof), u32(deviceId), serverNonce, deviceNonce]);
}

/**
 * An offline record's own 16-byte MAC, made when the record is taken: HMAC-SHA256(key, tag ‖ device id ‖
 * record bytes before the MAC). It lets the server check each record alone, and keep a bad one as evidence
 * without refusing the whole upload.
 */
export function offlineRecordMac(
  deviceKey: Uint8Array,
  deviceId: number,
  recordBody: Uint8Array,
): Uint8Array {
  return hmac(deviceKey, [ascii(macTags.offlineRecord), u32(deviceId), recordBody]).subarray(0, macBytes);
}

/** Constant-time comparison, so a wrong MAC takes as long to refuse wherever it first differs. */
export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
