// The identity of one pay code, as the ledger remembers the codes it charged (docs/ledger.md): a code
// paid once is refused CODE_REPLAYED on every later path (another till, another gateway instance, an
// offline record uploaded days later). Online, the verifier answers it (VerifyAccepted.codeId).

import { codeFromText, decodeCode, qrCodeIdentity } from '@campus-card/core/credential';

/**
 * The identity of a QR code read from an offline record (core/src/credential/code-identity.ts).
 * Undefined for text that is no QR code of a known format.
 */
export function qrCodeId(text: string): string | undefined {
  const bytes = codeFromText(text);
  const code = bytes === undefined ? undefined : decodeCode(bytes);
  if (code === undefined) return undefined;
  return qrCodeIdentity({
    cardNo: code.certificate.card.cardNo,
    madeAtMs: code.madeAtMs,
    counter: code.counter,
    phonePublicKey: code.certificate.phonePublicKey,
  });
}
