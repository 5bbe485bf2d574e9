// A QR pay code's identity: the card, the phone key that signed it, and the second and counter it was made
// at (everything the phone signed besides the certificate). The verifier's replay guard claims it and the
// ledger remembers it for the codes it charged (docs/credential.md, docs/ledger.md), so both refuse the
// same code and neither confuses two phones of one card (a WeChat and an Alipay binding) that made a code
// in the same second with the same counter. Plain JS over Uint8Array: it runs on the phone side as well.

import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from './bytes.ts';

export interface QrCodeParts {
  readonly cardNo: string;
  /** Phone clock when the code was made, whole seconds in ms. */
  readonly madeAtMs: number;
  readonly counter: number;
  readonly phonePublicKey: Uint8Array;
}

/** `qr:<card>:<madeAt s>:<counter>:<first 16 hex of SHA-256 of the phone key>`. */
export function qrCodeIdentity(code: QrCodeParts): string {
  return qrCodeIdentityWith(code, phoneKeyFingerprint(code.phonePublicKey));
}

/** The first 16 hex of the SHA-256 of a phone key: a verifier keeps it with the certificate that names the key. */
export function phoneKeyFingerprint(phonePublicKey: Uint8Array): string {
  return toHex(sha256(phonePublicKey).subarray(0, 8));
}

/** The same identity, with the phone key's fingerprint already made (`phoneKeyFingerprint`). */
export function qrCodeIdentityWith(code: Omit<QrCodeParts, 'phonePublicKey'>, fingerprint: string): string {
  return `qr:${code.cardNo}:${code.madeAtMs / 1000}:${code.counter}:${fingerprint}`;
}
