// The campus public keys a verifier trusts. Keys rotate: a new key signs new certificates at once, and the
// retired one stays trusted for the certificates it signed before retiring, which all expire within
// `certificateLifetimeMaxMs`. After that it is refused outright, even if left in the list by mistake.

import { isUint16 } from './bytes.ts';
import { ed25519PublicKeyBytes } from './signature.ts';

/** The longest a certificate may live; the issuer refuses longer, the verifier bounds retired keys by it. */
export const certificateLifetimeMaxMs = 7 * 24 * 60 * 60 * 1000;

export interface CampusPublicKey {
  /** Key id carried in each certificate (16 bits). */
  readonly kid: number;
  readonly publicKey: Uint8Array;
  /** When the key stopped signing; absent while it is the active key. */
  readonly retiredAtMs?: number;
}

/** How a verifier finds a key by kid. Implement it yourself to swap keys without rebuilding a verifier. */
export interface CampusKeyring {
  get(kid: number): CampusPublicKey | undefined;
}

/** A fixed keyring. Duplicate kids or malformed keys are configuration mistakes and throw at start. */
export function createCampusKeyring(keys: readonly CampusPublicKey[]): CampusKeyring {
  const byKid = new Map<number, CampusPublicKey>();
  for (const key of keys) {
    if (!isUint16(key.kid)) throw new Error(`campus key kid must fit 16 bits, got ${key.kid}`);
    if (key.publicKey.length !== ed25519PublicKeyBytes)
      throw new Error(`campus key ${key.kid} is not 32 bytes`);
    if (byKid.has(key.kid)) throw new Error(`campus key ${key.kid} listed twice`);
    byKid.set(key.kid, { ...key, publicKey: Uint8Array.from(key.publicKey) });
  }
  return { get: (kid) => byKid.get(kid) };
}
