// The issuing side (the BFF when a phone binds or renews a card): campus signing keys and certificates.
// It runs on the server, yet uses only @noble so the same code can sign in tests and simulators.

import { concatBytes, isUint16 } from './bytes.ts';
import { certificateLifetimeMaxMs } from './campus-keys.ts';
import type { CardCredential } from './card.ts';
import { decodeCertificate, encodeCertificateBody } from './certificate.ts';
import { signatureTags } from './layout.ts';
import { type RandomSource, takeRandomBytes } from './random.ts';
import { ed25519SecretKeyBytes, isAcceptablePublicKey, publicKeyOf, signTagged } from './signature.ts';

/** A campus issuing key. The secret belongs in the server's secret store, never in the repository. */
export interface CampusSigningKey {
  readonly kid: number;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export async function createCampusSigningKey(kid: number, random: RandomSource): Promise<CampusSigningKey> {
  return campusSigningKeyFromSecret(kid, await takeRandomBytes(random, ed25519SecretKeyBytes));
}

/** Rebuilds a key loaded from the secret store. */
export function campusSigningKeyFromSecret(kid: number, secretKey: Uint8Array): CampusSigningKey {
  if (!isUint16(kid)) throw new Error(`kid must fit 16 bits, got ${kid}`);
  if (secretKey.length !== ed25519SecretKeyBytes) throw new Error('campus secret key must be 32 bytes');
  return { kid, secretKey: Uint8Array.from(secretKey), publicKey: publicKeyOf(secretKey) };
}

/** Default certificate life: a week, renewed silently whenever the phone is online. */
export const certificateLifetimeDefaultMs = certificateLifetimeMaxMs;

export interface CertificateRequest {
  readonly card: CardCredential;
  /** The phone's Ed25519 public key, sent by the mini-program when it binds the card. */
  readonly phonePublicKey: Uint8Array;
  /** Issue time; rounded down to the second. */
  readonly validFromMs: number;
  /** Whole seconds, at most `certificateLifetimeMaxMs`. */
  readonly lifetimeMs?: number;
}

/**
 * Signs a certificate binding the phone key to the card and its current version. Throws on a request the
 * BFF should never make (bad card number, small-order phone key, lifetime over the maximum).
 */
export function issueCertificate(key: CampusSigningKey, request: CertificateRequest): Uint8Array {
  const lifetimeMs = request.lifetimeMs ?? certificateLifetimeDefaultMs;
  if (!Number.isInteger(lifetimeMs / 1000) || lifetimeMs <= 0 || lifetimeMs > certificateLifetimeMaxMs) {
    throw new Error(`certificate lifetime must be whole seconds in (0, ${certificateLifetimeMaxMs}] ms`);
  }
  if (!isAcceptablePublicKey(request.phonePublicKey)) throw new Error('phone public key is not a usable key');
  const validFromMs = Math.floor(request.validFromMs / 1000) * 1000;
  const body = encodeCertificateBody({
    kid: key.kid,
    card: request.card,
    validFromMs,
    validUntilMs: validFromMs + lifetimeMs,
    phonePublicKey: request.phonePublicKey,
  });
  const certificate = concatBytes(body, signTagged(signatureTags.certificate, body, key.secretKey));
  if (decodeCertificate(certificate) === undefined) throw new Error('issued certificate does not decode');
  return certificate;
}
