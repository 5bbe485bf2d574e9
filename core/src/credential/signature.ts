// Ed25519 through noble (see ed25519.ts), plain JS over Uint8Array that runs unchanged on the phone.
// Verification is pluggable because noble verifies a few hundred signatures a second per core, while the
// gateway needs thousands: node-ed25519.ts offers the OpenSSL one for servers, with the same contract.

import { asciiBytes, concatBytes } from './bytes.ts';
import { ed25519 } from './ed25519.ts';

export const ed25519PublicKeyBytes = 32;
export const ed25519SecretKeyBytes = 32;
export const ed25519SignatureBytes = 64;

/** True only for a valid signature; false (never a throw) for anything else, including a bad key. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * Strict RFC 8032 decoding (zip215 off): non-canonical encodings are refused, so there is exactly one
 * valid signature encoding per message, the same set OpenSSL accepts.
 */
export const nobleEd25519Verify: Ed25519Verify = (signature, message, publicKey) => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

/** Tag bytes made once: the verifier builds a tagged message on every scan. */
const tagBytesCache = new Map<string, Uint8Array>();

export function taggedMessage(tag: string, signedBytes: Uint8Array): Uint8Array {
  let tagBytes = tagBytesCache.get(tag);
  if (tagBytes === undefined) {
    tagBytes = asciiBytes(tag);
    tagBytesCache.set(tag, tagBytes);
  }
  return concatBytes(tagBytes, signedBytes);
}

export function signTagged(tag: string, signedBytes: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed25519.sign(taggedMessage(tag, signedBytes), secretKey);
}

/**
 * A phone key the campus will certify must be a proper point of the prime-order group: a small-order key
 * would let anyone forge "signatures" that verify for every message.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== ed25519PublicKeyBytes) return false;
  try {
    if (!ed25519.utils.isValidPublicKey(publicKey, false)) return false;
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}
