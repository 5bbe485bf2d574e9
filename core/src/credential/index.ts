// The credential library's public API. Everything here is pure (Uint8Array and @noble only), so the
// mini-program may import it; the Node-only fast verifier is in node-ed25519.ts, imported on its own.

export { decodeBase45, encodeBase45 } from './base45.ts';
export { fromHex, toHex } from './bytes.ts';
export {
  type CampusKeyring,
  type CampusPublicKey,
  certificateLifetimeMaxMs,
  createCampusKeyring,
} from './campus-keys.ts';
export { type CardCredential, type PersonType, personTypes } from './card.ts';
export { type Certificate, decodeCertificate } from './certificate.ts';
export { codeFromText, codeTextChars, codeToText, type DecodedCode, decodeCode } from './code.ts';
export { type QrCodeParts, qrCodeIdentity } from './code-identity.ts';
export {
  type CampusSigningKey,
  type CertificateRequest,
  campusSigningKeyFromSecret,
  certificateLifetimeDefaultMs,
  createCampusSigningKey,
  issueCertificate,
} from './issuer.ts';
export { certificateLayout, codeLayout, codeTextPrefix } from './layout.ts';
export {
  assertCampusPrefix,
  createNumericCodeSecret,
  createNumericCodeVerifier,
  knownPayCodeSchemes,
  makeNumericCode,
  type NumericCodeRequest,
  type NumericCodeVerifier,
  type NumericCodeVerifierOptions,
  type NumericVerifyFailureCode,
  type NumericVerifyResult,
  numericCodeDefaults,
  numericCodeLayout,
  type PayCodeScheme,
  parseNumericCode,
  payCodeSchemeOf,
} from './numeric-code.ts';
export {
  type CodeMaker,
  type CodeRequest,
  createCodeMaker,
  generatePhoneKeyPair,
  makeCode,
  type PhoneKeyPair,
  phoneKeyPairFromSecret,
  sizeBaseTableForPhone,
} from './phone.ts';
export { type RandomSource, webCryptoRandom } from './random.ts';
export {
  createMemoryReplayGuard,
  type MemoryReplayGuard,
  type MemoryReplayGuardOptions,
  type ReplayGuard,
} from './replay-guard.ts';
export { type Ed25519Verify, nobleEd25519Verify } from './signature.ts';
export { createVerifier, type Verifier, type VerifierOptions, verifierDefaults } from './verify.ts';
export {
  type VerifyAccepted,
  type VerifyFailureCode,
  type VerifyRefused,
  type VerifyResult,
  verifyFailureCodes,
} from './verify-result.ts';
export {
  createVisitorPassVerifier,
  decodeVisitorPass,
  idTailPattern,
  issueVisitorPass,
  type VisitorPass,
  type VisitorPassCheck,
  type VisitorPassRefusal,
  type VisitorPassRequest,
  type VisitorPassVerdict,
  type VisitorPassVerifier,
  visitorPassLayout,
  visitorPassLifetimeMaxMs,
  visitorPassPlacesMax,
  visitorPassTextPrefix,
  visitorPassToText,
  visitorPlacePattern,
  visitorTailDigest,
} from './visitor-pass.ts';
