// The identity of one pay code, as the ledger remembers the codes it charged (docs/ledger.md): a code
// paid once is refused CODE_REPLAYED on every later path (another till, another gateway instance, an
// offline record uploaded days later).

import { hash } from 'node:crypto';
import { codeFromText, decodeCode } from '@campus-card/core/credential';

/** The parts of a QR code that make its identity, as the verifier answers them for an accepted code. */
export interface QrCodeParts {
  readonly card: { readonly cardNo: string };
  readonly madeAtMs: number;
  readonly counter: number;
  readonly phonePublicKey: Uint8Array;
}

/** `qr:<card>:<madeAt s>:<counter>:<phone key fingerprint>` of a code already decoded (and verified). */
export function qrCodeIdOf(code: QrCodeParts): string {
  const fingerprint = hash('sha256', code.phonePublicKey, 'hex').slice(0, 16);
  return `qr:${code.card.cardNo}:${code.madeAtMs / 1000}:${code.counter}:${fingerprint}`;
}

/**
 * A QR code is the card, the phone key that signed it, and the second and counter it was made at
 * (what the phone signed besides the certificate): `qr:<card>:<madeAt s>:<counter>:<phone key
 * fingerprint>`. Undefined for text that is no QR code of a known format.
 */
export function qrCodeId(text: string): string | undefined {
  const bytes = codeFromText(text);
  const code = bytes === undefined ? undefined : decodeCode(bytes);
  if (code === undefined) return undefined;
  return qrCodeIdOf({
    ...code,
    card: code.certificate.card,
    phonePublicKey: code.certificate.phonePublicKey,
  });
}
