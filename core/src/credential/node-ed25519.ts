// Ed25519 verification through Node's OpenSSL, for the gateway and simulators: roughly 15× faster than
// noble per signature. Server-only (node:crypto), hence kept out of index.ts so the mini-program bundle
// never sees it; import it from this file.

import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { Ed25519Verify } from './signature.ts';
import { ed25519PublicKeyBytes, ed25519SignatureBytes } from './signature.ts';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 raw key bytes follow it. */
const spkiPrefix = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

export interface NodeEd25519VerifyOptions {
  /** Imported public keys kept for reuse; importing costs about as much as verifying. */
  readonly keyCacheEntriesMax?: number;
}

export function createNodeEd25519Verify(options: NodeEd25519VerifyOptions = {}): Ed25519Verify {
  const keyCacheEntriesMax = options.keyCacheEntriesMax ?? 10_000;
  const keyCache = new Map<string, KeyObject>();

  function keyObject(publicKey: Uint8Array): KeyObject {
    // Node's own latin1 decoding, not String.fromCharCode(...key): no arguments array on every scan.
    const cacheKey = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString(
      'latin1',
    );
    const cached = keyCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const der = new Uint8Array(spkiPrefix.length + publicKey.length);
    der.set(spkiPrefix);
    der.set(publicKey, spkiPrefix.length);
    const key = createPublicKey({ key: Buffer.from(der.buffer), format: 'der', type: 'spki' });
    if (keyCache.size >= keyCacheEntriesMax) {
      const oldest = keyCache.keys().next();
      if (oldest.done !== true) keyCache.delete(oldest.value);
    }
    if (keyCacheEntriesMax > 0) keyCache.set(cacheKey, key);
    return key;
  }

  return (signature, message, publicKey) => {
    if (signature.length !== ed25519SignatureBytes || publicKey.length !== ed25519PublicKeyBytes)
      return false;
    try {
      return verify(null, message, keyObject(publicKey), signature);
    } catch {
      return false;
    }
  };
}
