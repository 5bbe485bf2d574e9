// The certificate: the campus vouches that a phone key speaks for a card, for a bounded time.
// This module only encodes and decodes; issuing is issuer.ts, checking is verify.ts.

import { isUint16, isUint32, view } from './bytes.ts';
import {
  type CardCredential,
  cardNoBytes,
  packCardNo,
  personTypeFromByte,
  personTypeToByte,
  unpackCardNo,
} from './card.ts';
import { certificateLayout as at, certificateFormat, signatureTags } from './layout.ts';
import { ed25519PublicKeyBytes, taggedMessage } from './signature.ts';

export interface Certificate {
  readonly kid: number;
  readonly card: CardCredential;
  /** Whole seconds in ms; the certificate is valid in [validFromMs, validUntilMs). */
  readonly validFromMs: number;
  readonly validUntilMs: number;
  readonly phonePublicKey: Uint8Array;
  readonly campusSignature: Uint8Array;
  /** The 120 bytes as carried, so nothing is re-encoded before its signature is checked. */
  readonly bytes: Uint8Array;
}

export type CertificateFields = Omit<Certificate, 'campusSignature' | 'bytes'>;

/** Writes the signed part (bytes [0, 56)). Throws on values the layout cannot hold: a programmer error. */
export function encodeCertificateBody(fields: CertificateFields): Uint8Array {
  const { kid, card, validFromMs, validUntilMs, phonePublicKey } = fields;
  if (!isUint16(kid)) throw new Error(`kid must fit 16 bits, got ${kid}`);
  if (!isUint32(card.cardVersion)) throw new Error(`card version must fit 32 bits, got ${card.cardVersion}`);
  if (validFromMs % 1000 !== 0 || validUntilMs % 1000 !== 0)
    throw new Error('validity must be whole seconds');
  if (!isUint32(validFromMs / 1000) || !isUint32(validUntilMs / 1000))
    throw new Error('validity out of range');
  if (validUntilMs <= validFromMs) throw new Error('certificate must end after it starts');
  if (phonePublicKey.length !== ed25519PublicKeyBytes) throw new Error('phone public key must be 32 bytes');

  const body = new Uint8Array(at.signedBytes);
  const data = view(body);
  body[at.format] = certificateFormat;
  data.setUint16(at.kid, kid);
  body.set(packCardNo(card.cardNo), at.cardNo);
  body[at.personType] = personTypeToByte(card.personType);
  data.setUint32(at.cardVersion, card.cardVersion);
  data.setUint32(at.validFrom, validFromMs / 1000);
  data.setUint32(at.validUntil, validUntilMs / 1000);
  body.set(phonePublicKey, at.phonePublicKey);
  return body;
}

/** Reads the 120 bytes; undefined when they cannot be a certificate of this format. Signature unchecked. */
export function decodeCertificate(bytes: Uint8Array): Certificate | undefined {
  if (bytes.length !== at.bytes || bytes[at.format] !== certificateFormat) return undefined;
  const data = view(bytes);
  const cardNo = unpackCardNo(bytes.subarray(at.cardNo, at.cardNo + cardNoBytes));
  const personType = personTypeFromByte(bytes[at.personType] ?? 0);
  if (cardNo === undefined || personType === undefined) return undefined;
  return {
    kid: data.getUint16(at.kid),
    card: { cardNo, personType, cardVersion: data.getUint32(at.cardVersion) },
    validFromMs: data.getUint32(at.validFrom) * 1000,
    validUntilMs: data.getUint32(at.validUntil) * 1000,
    phonePublicKey: bytes.subarray(at.phonePublicKey, at.campusSignature),
    campusSignature: bytes.subarray(at.campusSignature, at.bytes),
    bytes,
  };
}

/** What the campus key signs: the tag, then bytes [0, 56). */
export function certificateSignedMessage(certificateBytes: Uint8Array): Uint8Array {
  return taggedMessage(signatureTags.certificate, certificateBytes.subarray(0, at.signedBytes));
}
