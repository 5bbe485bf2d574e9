// Message authentication with the device's own 32-byte key. Every MAC input starts with a distinct ASCII
// tag (or is a frame, which starts with the magic), so a value computed for one purpose can never be
// replayed as another: a sign-in response is not a server proof, an offline record MAC is not a frame MAC.

import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { macBytes } from './limits.ts';

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
export function frameMac(key: KeyMaterial, bytesBeforeMac: Uint8Array): Uint8Array {
  return hmac(key, [bytesBeforeMac]).subarray(0, macBytes);
}

/** The frame MAC of `frame`'s bytes before `macAt`, written into `frame` at `macAt`: no intermediate copies. */
export function writeFrameMac(key: KeyMaterial, frame: Uint8Array, macAt: number): void {
  const digest = createHmac('sha256', key).update(frame.subarray(0, macAt)).digest();
  frame.set(digest.subarray(0, macBytes), macAt);
}

/** Whether `mac` is the frame MAC of `bytesBeforeMac`, compared in constant time, without copying the digest. */
export function frameMacMatches(key: KeyMaterial, bytesBeforeMac: Uint8Array, mac: Uint8Array): boolean {
  const digest = createHmac('sha256', key).update(bytesBeforeMac).digest();
  return mac.byteLength === macBytes && timingSafeEqual(digest.subarray(0, macBytes), mac);
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
