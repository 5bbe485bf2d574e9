// The phone side, run inside the WeChat/Alipay mini-program: make the card's key pair once, then make
// codes offline. Only Uint8Array and @noble here: no Buffer, no node:crypto, no TextEncoder.

import { concatBytes, equalBytes } from './bytes.ts';
import { decodeCertificate } from './certificate.ts';
import { codeToText, encodeCodeBody } from './code.ts';
import { ed25519 } from './ed25519.ts';
import { signatureTags } from './layout.ts';
import { type RandomSource, takeRandomBytes } from './random.ts';
import { ed25519SecretKeyBytes, isAcceptablePublicKey, publicKeyOf, signTagged } from './signature.ts';

/** The secret key never leaves the phone; only the public key goes to the BFF when binding. */
export interface PhoneKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Makes the card's key pair from 32 bytes of the platform's randomness, e.g.
 * `(n) => crypto.getRandomValues(new Uint8Array(n))` in H5, or wx.getRandomValues wrapped in a promise.
 */
export async function generatePhoneKeyPair(random: RandomSource): Promise<PhoneKeyPair> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const keyPair = phoneKeyPairFromSecret(await takeRandomBytes(random, ed25519SecretKeyBytes));
    // Any 32 bytes make a valid key; the check only guards against a broken source, so a few tries suffice.
    if (isAcceptablePublicKey(keyPair.publicKey)) return keyPair;
  }
  throw new Error('random source keeps producing unusable keys');
}

/** Restores the pair from the secret kept in the mini-program's storage. */
export function phoneKeyPairFromSecret(secretKey: Uint8Array): PhoneKeyPair {
  if (secretKey.length !== ed25519SecretKeyBytes) throw new Error('phone secret key must be 32 bytes');
  return { secretKey: Uint8Array.from(secretKey), publicKey: publicKeyOf(secretKey) };
}

/** Width in bits of the base point's table on a phone: 4 builds ~800 points where noble's default 6 builds ~2,000. */
const phoneBaseWindowBits = 4;

/**
 * Sizes the base point's multiplication table for a phone, which signs a code now and then and verifies
 * nothing. noble builds a W = 6 table (about 2,000 points) on the first multiplication, which a server
 * signing or verifying many times repays; on a phone it delays the first QR (docs/benchmarks.md, the
 * H5 first QR). W = 4 builds about 800 and a signature after it costs about the same. The signatures are
 * the same bytes: Ed25519 is deterministic and the table only changes how rG and aG are summed. The
 * table is the process's, so servers never call this; the mini-program calls it once before its first code.
 */
export function sizeBaseTableForPhone(): void {
  ed25519.Point.BASE.precompute(phoneBaseWindowBits);
}

export interface CodeRequest {
  readonly keyPair: PhoneKeyPair;
  /** The certificate bytes the BFF returned for this key pair. */
  readonly certificate: Uint8Array;
  /** The phone's clock, corrected by the server offset learned at the last sync. */
  readonly nowMs: number;
  /** 0–65535; a different value for each code made in the same second. */
  readonly counter: number;
}

/**
 * Makes one QR code text, offline. Throws when the certificate is not for this key pair or has expired:
 * the page should renew it (online) rather than show a code every scanner will refuse.
 */
export function makeCode(request: CodeRequest): string {
  const certificate = decodeCertificate(request.certificate);
  if (certificate === undefined) throw new Error('certificate does not decode');
  if (!equalBytes(certificate.phonePublicKey, request.keyPair.publicKey)) {
    throw new Error('certificate is for another phone key');
  }
  if (request.nowMs >= certificate.validUntilMs) throw new Error('certificate expired; renew it online');
  const body = encodeCodeBody(request.certificate, request.nowMs, request.counter);
  return codeToText(concatBytes(body, signTagged(signatureTags.code, body, request.keyPair.secretKey)));
}

export interface CodeMaker {
  /** Makes the next code; call it on each refresh and on tap. */
  next(nowMs: number): string;
  /** The counter the next code will carry; persist it so a restarted page does not reuse values. */
  readonly counter: number;
}

/**
 * Holds the counter between codes. Start it from storage (or from two random bytes): two codes of the
 * same card with the same second and counter are one code to the replay guard.
 */
export function createCodeMaker(
  keyPair: PhoneKeyPair,
  certificate: Uint8Array,
  counterStart: number,
): CodeMaker {
  let counter = counterStart & 0xffff;
  return {
    next(nowMs) {
      const text = makeCode({ keyPair, certificate, nowMs, counter });
      counter = (counter + 1) & 0xffff;
      return text;
    },
    get counter() {
      return counter;
    },
  };
}
