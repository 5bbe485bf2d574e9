// The verifier shared by the device gateway (online) and the device simulators (offline): from a scanned
// text to a card or a refusal code. Pure apart from what is injected: clock, keys, replay guard, lookups.

import { equalBytes } from './bytes.ts';
import type { CampusKeyring } from './campus-keys.ts';
import { certificateLifetimeMaxMs } from './campus-keys.ts';
import type { CardCredential } from './card.ts';
import { type Certificate, certificateSignedMessage } from './certificate.ts';
import { codeFromText, codeSignedMessage, decodeCode } from './code.ts';
import { phoneKeyFingerprint, qrCodeIdentityWith } from './code-identity.ts';
import { codeLayout } from './layout.ts';
import type { ReplayGuard } from './replay-guard.ts';
import { type Ed25519Verify, nobleEd25519Verify } from './signature.ts';
import { refused, type VerifyResult } from './verify-result.ts';

export interface VerifierOptions {
  readonly keyring: CampusKeyring;
  /** Required: a verifier without replay protection would accept a photographed code all minute. */
  readonly replayGuard: ReplayGuard;
  /** Current time in ms; devices pass their synced clock, tests a fake one. */
  readonly now?: () => number;
  /** How long a code is good for after it is made, before skew. */
  readonly codeValidityMs?: number;
  /** How far the phone's and the verifier's clocks may disagree, applied to every time comparison. */
  readonly clockSkewMs?: number;
  /** Bounds how long a retired campus key is still accepted. */
  readonly certificateLifetimeMaxMs?: number;
  /**
   * The card's current version where known (online: from core; offline: usually unknown). A
   * certificate must name exactly it: an older one is superseded, a newer one was never issued (only
   * someone holding a campus key, e.g. a leaked or development one, can have made it).
   */
  readonly knownCardVersion?: (cardNo: string) => number | undefined | Promise<number | undefined>;
  readonly isBlacklisted?: (card: CardCredential) => boolean | Promise<boolean>;
  /** Signature check; noble by default, `createNodeEd25519Verify()` on servers for speed. */
  readonly ed25519Verify?: Ed25519Verify;
  /** Certificates whose campus signature already checked out, kept to skip that check; 0 turns it off. */
  readonly certificateCacheEntriesMax?: number;
}

/** Every default in one place; docs/credential.md explains the choices. */
export const verifierDefaults = {
  now: Date.now,
  codeValidityMs: 60_000,
  clockSkewMs: 30_000,
  certificateLifetimeMaxMs,
  ed25519Verify: nobleEd25519Verify,
  certificateCacheEntriesMax: 10_000,
} as const;

/** Limits on configuration, so a typo cannot make codes live for an hour. */
const codeValidityMsMax = 10 * 60_000;
const clockSkewMsMax = 5 * 60_000;

export interface Verifier {
  /**
   * Checks a scanned text. Never throws on bad input: decoding returns undefined instead of throwing and
   * signature checks return false. It rejects only when an injected dependency (replay guard, lookups)
   * fails, because "Redis is down" is not a verdict on the code: the caller decides, and fails closed.
   */
  verify(text: string): Promise<VerifyResult>;
}

interface CheckedCertificate {
  readonly bytes: Uint8Array;
  readonly campusPublicKey: Uint8Array;
  /** Of the phone key it names, for the codes' identities: made once a certificate, not once a code. */
  readonly phoneKeyFingerprint: string;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const { keyring, replayGuard, knownCardVersion, isBlacklisted } = options;
  const now = options.now ?? verifierDefaults.now;
  const codeValidityMs = options.codeValidityMs ?? verifierDefaults.codeValidityMs;
  const clockSkewMs = options.clockSkewMs ?? verifierDefaults.clockSkewMs;
  const lifetimeMaxMs = options.certificateLifetimeMaxMs ?? verifierDefaults.certificateLifetimeMaxMs;
  const ed25519Verify = options.ed25519Verify ?? verifierDefaults.ed25519Verify;
  const cacheEntriesMax = options.certificateCacheEntriesMax ?? verifierDefaults.certificateCacheEntriesMax;
  if (!(codeValidityMs > 0 && codeValidityMs <= codeValidityMsMax)) {
    throw new Error(`codeValidityMs must be in (0, ${codeValidityMsMax}], got ${codeValidityMs}`);
  }
  if (!(clockSkewMs >= 0 && clockSkewMs <= clockSkewMsMax)) {
    throw new Error(`clockSkewMs must be in [0, ${clockSkewMsMax}], got ${clockSkewMs}`);
  }
  const certificateCache = new Map<number, CheckedCertificate>();
  // What a phone key signs (the tag, then the code's first bytes), assembled in this one buffer for each
  // check instead of a new array a scan; filled and checked within one synchronous step.
  const codeMessage = codeSignedMessage(new Uint8Array(codeLayout.signedBytes));
  const codeMessageTagBytes = codeMessage.byteLength - codeLayout.signedBytes;

  /** The certificate once its campus signature holds (kept, so the check is made once a certificate); else undefined. */
  function checkedCertificate(
    certificate: Certificate,
    campusPublicKey: Uint8Array,
  ): CheckedCertificate | undefined {
    const cacheKey = certificateCacheKey(certificate.campusSignature);
    const cached = certificateCache.get(cacheKey);
    if (
      cached !== undefined &&
      equalBytes(cached.bytes, certificate.bytes) &&
      equalBytes(cached.campusPublicKey, campusPublicKey)
    ) {
      return cached;
    }
    const holds = ed25519Verify(
      certificate.campusSignature,
      certificateSignedMessage(certificate.bytes),
      campusPublicKey,
    );
    if (!holds) return undefined;
    const checked: CheckedCertificate = {
      bytes: Uint8Array.from(certificate.bytes),
      campusPublicKey,
      phoneKeyFingerprint: phoneKeyFingerprint(certificate.phonePublicKey),
    };
    if (cacheEntriesMax > 0) {
      // Oldest first out: a card shows the same certificate all week, so recent ones are the useful ones.
      if (certificateCache.size >= cacheEntriesMax) {
        const oldest = certificateCache.keys().next();
        if (oldest.done !== true) certificateCache.delete(oldest.value);
      }
      certificateCache.set(cacheKey, checked);
    }
    return checked;
  }

  async function verify(text: string): Promise<VerifyResult> {
    const bytes = codeFromText(text);
    const code = bytes === undefined ? undefined : decodeCode(bytes);
    if (code === undefined) return refused('MALFORMED', 'not a campus card code of a known format');
    const { certificate } = code;
    const { card } = certificate;

    const campusKey = keyring.get(certificate.kid);
    if (campusKey === undefined)
      return refused('UNKNOWN_KEY', `campus key ${certificate.kid} is not trusted`);
    const checked = checkedCertificate(certificate, campusKey.publicKey);
    if (checked === undefined) {
      return refused('BAD_CERT_SIGNATURE', `certificate not signed by campus key ${certificate.kid}`);
    }

    const nowMs = now();
    // Only after the signature: validFrom is the campus's word only once the signature holds.
    if (campusKey.retiredAtMs !== undefined) {
      if (certificate.validFromMs >= campusKey.retiredAtMs) {
        return refused('KEY_RETIRED', `campus key ${certificate.kid} signed after it was retired`);
      }
      if (nowMs >= campusKey.retiredAtMs + lifetimeMaxMs) {
        return refused('KEY_RETIRED', `campus key ${certificate.kid} retired and its certificates are over`);
      }
    }
    if (nowMs >= certificate.validUntilMs + clockSkewMs) {
      return refused('CERT_EXPIRED', `certificate expired at ${iso(certificate.validUntilMs)}`);
    }
    if (nowMs < certificate.validFromMs - clockSkewMs) {
      return refused('CERT_NOT_YET_VALID', `certificate valid from ${iso(certificate.validFromMs)}`);
    }
    // Lookups are awaited only when given: each await is a trip through the microtask queue.
    const knownVersion = knownCardVersion === undefined ? undefined : await knownCardVersion(card.cardNo);
    if (knownVersion !== undefined && card.cardVersion !== knownVersion) {
      return refused(
        'CREDENTIAL_REVOKED',
        `card version ${card.cardVersion} is not the current ${knownVersion}`,
      );
    }

    // Freshness before the phone signature: stale codes are the common bad input and cost no curve math.
    const ageMs = nowMs - code.madeAtMs;
    if (ageMs > codeValidityMs + clockSkewMs) {
      return refused('CODE_EXPIRED', `code made ${Math.round(ageMs / 1000)} s ago`);
    }
    if (ageMs < -clockSkewMs) {
      return refused('CODE_FROM_FUTURE', `code dated ${Math.round(-ageMs / 1000)} s ahead`);
    }
    codeMessage.set(code.bytes.subarray(0, codeLayout.signedBytes), codeMessageTagBytes);
    if (!ed25519Verify(code.phoneSignature, codeMessage, certificate.phonePublicKey)) {
      return refused('BAD_CODE_SIGNATURE', 'code not signed by the phone key in its certificate');
    }

    // Keyed by what the phone signed (the code's identity, phone key included), not by signature bytes,
    // and kept until the code could no longer pass.
    const codeId = qrCodeIdentityWith(
      { cardNo: card.cardNo, madeAtMs: code.madeAtMs, counter: code.counter },
      checked.phoneKeyFingerprint,
    );
    const ttlMs = code.madeAtMs + codeValidityMs + clockSkewMs - nowMs + 1000;
    if (!(await replayGuard.claim(codeId, ttlMs))) {
      return refused('REPLAYED', 'code already used (or the replay guard is full)');
    }
    if (isBlacklisted !== undefined && (await isBlacklisted(card)) === true) {
      return refused('BLACKLISTED', `card ${card.cardNo} is blacklisted`);
    }

    return {
      ok: true,
      card,
      kid: certificate.kid,
      certificateValidUntilMs: certificate.validUntilMs,
      madeAtMs: code.madeAtMs,
      counter: code.counter,
      codeId,
    };
  }

  return { verify };
}

/**
 * The certificate cache's key: the first 48 bits of the campus signature (its R half, a hash output, so keys
 * spread). A number, not a string of the 64 bytes made on every scan; two certificates that share it only
 * cost a check, since an entry counts only when its bytes and campus key match in full.
 */
function certificateCacheKey(campusSignature: Uint8Array): number {
  let key = 0;
  for (let i = 0; i < 6; i++) key = key * 256 + (campusSignature[i] ?? 0);
  return key;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
