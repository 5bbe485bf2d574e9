// The per-session key and the sealing of payloads that carry personal data. The key is derived, never
// sent: both sides know the device key and saw both sign-in nonces, so both compute the same key, and a
// recorded session cannot be decrypted by replaying its sign-in (the server's nonce is fresh every time).

import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { ProtocolError } from './errors.ts';
import { gcmNonceBytes, gcmTagBytes, sealOverheadBytes } from './limits.ts';
import type { KeyMaterial } from './mac.ts';

export const sessionKeyInfo = 'campus-card/session/v1';
export const sessionKeyBytes = 32;

/**
 * HKDF-SHA256 (RFC 5869): IKM = device key, salt = server nonce ‖ device nonce,
 * info = "campus-card/session/v1" ‖ device id (uint32, big-endian), 32 bytes out: an AES-256 key.
 */
export function deriveSessionKey(
  deviceKey: Uint8Array,
  deviceId: number,
  serverNonce: Uint8Array,
  deviceNonce: Uint8Array,
): Uint8Array {
  const salt = new Uint8Array(serverNonce.byteLength + deviceNonce.byteLength);
  salt.set(serverNonce, 0);
  salt.set(deviceNonce, serverNonce.byteLength);
  const tag = new TextEncoder().encode(sessionKeyInfo);
  const info = new Uint8Array(tag.byteLength + 4);
  info.set(tag, 0);
  new DataView(info.buffer).setUint32(tag.byteLength, deviceId, false);
  return new Uint8Array(hkdfSync('sha256', deviceKey, salt, info, sessionKeyBytes));
}

/**
 * AES-256-GCM with a random 12-byte nonce: out = nonce ‖ ciphertext ‖ tag. The frame header is the
 * additional authenticated data, so a sealed payload cannot be moved under another type, device or sequence.
 * Random nonces are safe here: one key seals a few thousand payloads in a session, far below the 2^32 limit.
 */
export function sealPayload(
  sessionKey: KeyMaterial,
  header: Uint8Array,
  plaintext: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  assertSessionKey(sessionKey);
  if (nonce.byteLength !== gcmNonceBytes) {
    throw new ProtocolError('BAD_FIELD', `GCM nonce must be ${gcmNonceBytes} bytes, got ${nonce.byteLength}`);
  }
  const cipher = createCipheriv('aes-256-gcm', sessionKey, nonce, { authTagLength: gcmTagBytes });
  cipher.setAAD(header);
  const body = cipher.update(plaintext);
  cipher.final();
  const out = new Uint8Array(plaintext.byteLength + sealOverheadBytes);
  out.set(nonce, 0);
  out.set(body, gcmNonceBytes);
  out.set(cipher.getAuthTag(), gcmNonceBytes + body.byteLength);
  return out;
}

/** The plaintext of a sealed payload; TRUNCATED if too short to hold nonce and tag, DECRYPT_FAILED if forged. */
export function openPayload(sessionKey: KeyMaterial, header: Uint8Array, sealed: Uint8Array): Uint8Array {
  assertSessionKey(sessionKey);
  if (sealed.byteLength < sealOverheadBytes) {
    throw new ProtocolError(
      'TRUNCATED',
      `encrypted payload is ${sealed.byteLength} bytes, below ${sealOverheadBytes}`,
    );
  }
  const nonce = sealed.subarray(0, gcmNonceBytes);
  const tag = sealed.subarray(sealed.byteLength - gcmTagBytes);
  const body = sealed.subarray(gcmNonceBytes, sealed.byteLength - gcmTagBytes);
  try {
    const decipher = createDecipheriv('aes-256-gcm', sessionKey, nonce, { authTagLength: gcmTagBytes });
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    const head = decipher.update(body);
    const tail = decipher.final();
    const out = new Uint8Array(head.byteLength + tail.byteLength);
    out.set(head, 0);
    out.set(tail, head.byteLength);
    return out;
  } catch {
    throw new ProtocolError('DECRYPT_FAILED', 'the encrypted payload does not verify under the session key');
  }
}

/** A key of the wrong size is a bug on this side, not a bad frame, so it must not pass as DECRYPT_FAILED. */
function assertSessionKey(sessionKey: KeyMaterial): void {
  const bytes = sessionKey instanceof Uint8Array ? sessionKey.byteLength : sessionKey.symmetricKeySize;
  if (bytes !== sessionKeyBytes) {
    throw new Error(`a session key is ${sessionKeyBytes} bytes, got ${bytes}`);
  }
}
