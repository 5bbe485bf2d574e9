// The QR code payload: certificate + time + counter + phone signature, and its text form for the QR.
// Pure codec shared by the phone (which makes codes) and the verifier (which reads them).

import { decodeBase45, encodeBase45 } from './base45.ts';
import { isUint16, isUint32, view } from './bytes.ts';
import { type Certificate, decodeCertificate } from './certificate.ts';
import { codeLayout as at, certificateLayout, codeFormat, codeTextPrefix, signatureTags } from './layout.ts';
import { taggedMessage } from './signature.ts';

export interface DecodedCode {
  readonly certificate: Certificate;
  /** Phone clock when the code was made, whole seconds in ms. */
  readonly madeAtMs: number;
  /** Tells apart codes made in the same second (a tap refresh) and keys the replay guard. */
  readonly counter: number;
  readonly phoneSignature: Uint8Array;
  readonly bytes: Uint8Array;
}

/** Length of the text form: the prefix plus Base45 of 191 bytes (95 pairs × 3 + 2 characters). */
export const codeTextChars = codeTextPrefix.length + Math.floor(at.bytes / 2) * 3 + (at.bytes % 2) * 2;

/** Writes the signed part (bytes [0, 127)). Throws on values the layout cannot hold. */
export function encodeCodeBody(certificateBytes: Uint8Array, madeAtMs: number, counter: number): Uint8Array {
  if (certificateBytes.length !== certificateLayout.bytes) throw new Error('certificate must be 120 bytes');
  const madeAtS = Math.floor(madeAtMs / 1000);
  if (!isUint32(madeAtS)) throw new Error(`code time out of range: ${madeAtMs}`);
  if (!isUint16(counter)) throw new Error(`code counter must fit 16 bits, got ${counter}`);
  const body = new Uint8Array(at.signedBytes);
  body[at.format] = codeFormat;
  body.set(certificateBytes, at.certificate);
  view(body).setUint32(at.madeAt, madeAtS);
  view(body).setUint16(at.counter, counter);
  return body;
}

/** Reads the 191 bytes; undefined when they cannot be a code of this format. Signatures unchecked. */
export function decodeCode(bytes: Uint8Array): DecodedCode | undefined {
  if (bytes.length !== at.bytes || bytes[at.format] !== codeFormat) return undefined;
  const certificate = decodeCertificate(bytes.subarray(at.certificate, at.madeAt));
  if (certificate === undefined) return undefined;
  const data = view(bytes);
  return {
    certificate,
    madeAtMs: data.getUint32(at.madeAt) * 1000,
    counter: data.getUint16(at.counter),
    phoneSignature: bytes.subarray(at.phoneSignature, at.bytes),
    bytes,
  };
}

/** What the phone key signs: the tag, then bytes [0, 127), which include the whole certificate. */
export function codeSignedMessage(codeBytes: Uint8Array): Uint8Array {
  return taggedMessage(signatureTags.code, codeBytes.subarray(0, at.signedBytes));
}

export function codeToText(codeBytes: Uint8Array): string {
  return codeTextPrefix + encodeBase45(codeBytes);
}

/**
 * Undefined for anything but the prefix followed by Base45 of the right length. The length is checked
 * before decoding, so a scanner feeding us a megabyte costs nothing.
 */
export function codeFromText(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length !== codeTextChars || !text.startsWith(codeTextPrefix)) {
    return undefined;
  }
  return decodeBase45(text, codeTextPrefix.length);
}
