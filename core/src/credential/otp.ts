// One-time passwords in the manner of RFC 4226 (HOTP) and RFC 6238 (TOTP), over HMAC-SHA256, which RFC 6238
// allows and which its test vectors cover. Pure: runs on the phone to show the numeric code.

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const otpDigitsMax = 9;

/** RFC 4226 dynamic truncation of HMAC-SHA256(secret, message) to `digits` decimal digits. */
export function otpDigits(secret: Uint8Array, message: Uint8Array, digits: number): string {
  if (!Number.isInteger(digits) || digits < 6 || digits > otpDigitsMax)
    throw new Error('otp digits must be 6–9');
  const mac = hmac(sha256, secret, message);
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary =
    (((mac[offset] ?? 0) & 0x7f) << 24) |
    ((mac[offset + 1] ?? 0) << 16) |
    ((mac[offset + 2] ?? 0) << 8) |
    (mac[offset + 3] ?? 0);
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The RFC 6238 moving factor T as 8 big-endian bytes. No BigInt, so the numeric code still works on old
 * engines without it, where the Ed25519 QR code (noble needs BigInt) cannot.
 */
export function timeStepBytes(step: number): Uint8Array {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new Error(`time step must be a safe non-negative integer, got ${step}`);
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(step / 2 ** 32));
  view.setUint32(4, step >>> 0);
  return bytes;
}
