// The numeric pay code, for keyboards and 1-D scanners: 18 digits, verified online against a per-card
// secret. It sits beside the QR code for tills that cannot read a QR, not instead of it.
//
//   88 | 123456789 | 3   | 047211
//   prefix  code id  seq   one-time password: HMAC-SHA256(secret, tag ‖ time step ‖ seq), 6 digits
//
// The code id is a number the server assigns with the secret (not the card number, which stays off the
// screen); seq lets the phone show a fresh code within one time step after a payment.

import { asciiBytes, concatBytes, equalBytes } from './bytes.ts';
import { otpDigits, timeStepBytes } from './otp.ts';
import { type RandomSource, takeRandomBytes } from './random.ts';
import type { ReplayGuard } from './replay-guard.ts';

export const numericCodeLayout = {
  prefixDigits: 2,
  codeIdDigits: 9,
  seqDigits: 1,
  otpDigits: 6,
  digits: 18,
} as const;
export const codeIdMax = 10 ** numericCodeLayout.codeIdDigits - 1;
export const numericCodeSecretBytes = 32;

/** Pay-code ranges a till already routes by prefix; a campus prefix must stay out of all of them. */
export const knownPayCodeSchemes = [
  { scheme: 'wechat', prefixes: ['10', '11', '12', '13', '14', '15'], digitsMin: 18, digitsMax: 18 },
  { scheme: 'alipay', prefixes: ['25', '26', '27', '28', '29', '30'], digitsMin: 16, digitsMax: 24 },
  { scheme: 'unionpay', prefixes: ['62'], digitsMin: 19, digitsMax: 19 },
] as const;

export type PayCodeScheme = (typeof knownPayCodeSchemes)[number]['scheme'] | 'campus';

export const numericCodeDefaults = {
  /** Clear of WeChat (10–15), Alipay (25–30) and UnionPay (62) at every length. */
  prefix: '88',
  stepMs: 30_000,
  validityMs: 60_000,
  clockSkewMs: 30_000,
} as const;

/** Throws if the prefix is not two digits or shares its first two digits with a known scheme. */
export function assertCampusPrefix(prefix: string): void {
  if (!/^[0-9]{2}$/.test(prefix)) throw new Error(`campus prefix must be two digits, got "${prefix}"`);
  for (const known of knownPayCodeSchemes) {
    if ((known.prefixes as readonly string[]).includes(prefix)) {
      throw new Error(`campus prefix ${prefix} collides with ${known.scheme} pay codes`);
    }
  }
}

/** How a till routes a scanned digit string: to a wallet provider, to us, or nowhere. */
export function payCodeSchemeOf(
  digits: string,
  campusPrefix: string = numericCodeDefaults.prefix,
): PayCodeScheme | undefined {
  if (!/^[0-9]+$/.test(digits)) return undefined;
  const prefix = digits.slice(0, 2);
  if (prefix === campusPrefix && digits.length === numericCodeLayout.digits) return 'campus';
  for (const known of knownPayCodeSchemes) {
    const lengthFits = digits.length >= known.digitsMin && digits.length <= known.digitsMax;
    if (lengthFits && (known.prefixes as readonly string[]).includes(prefix)) return known.scheme;
  }
  return undefined;
}

/** A new per-card secret; the server keeps it (encrypted) and sends it to the phone once, over TLS. */
export function createNumericCodeSecret(random: RandomSource): Promise<Uint8Array> {
  return takeRandomBytes(random, numericCodeSecretBytes);
}

export interface NumericCodeRequest {
  readonly codeId: number;
  readonly secret: Uint8Array;
  readonly nowMs: number;
  /** 0–9: bump it after each payment so the next code differs within the same time step. */
  readonly seq: number;
  readonly prefix?: string;
  readonly stepMs?: number;
}

function otpMessage(step: number, seq: number): Uint8Array {
  return concatBytes(asciiBytes('campus-card/numeric/v1'), timeStepBytes(step), Uint8Array.of(seq));
}

export function makeNumericCode(request: NumericCodeRequest): string {
  const prefix = request.prefix ?? numericCodeDefaults.prefix;
  const stepMs = request.stepMs ?? numericCodeDefaults.stepMs;
  assertCampusPrefix(prefix);
  const { codeId, seq } = request;
  if (!Number.isInteger(codeId) || codeId < 0 || codeId > codeIdMax)
    throw new Error(`code id out of range: ${codeId}`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 9) throw new Error(`seq must be a digit, got ${seq}`);
  const step = Math.floor(request.nowMs / stepMs);
  const otp = otpDigits(request.secret, otpMessage(step, seq), numericCodeLayout.otpDigits);
  return `${prefix}${String(codeId).padStart(numericCodeLayout.codeIdDigits, '0')}${seq}${otp}`;
}

export interface ParsedNumericCode {
  readonly codeId: number;
  readonly seq: number;
  readonly otp: string;
}

export function parseNumericCode(
  text: string,
  prefix: string = numericCodeDefaults.prefix,
): ParsedNumericCode | undefined {
  if (typeof text !== 'string' || text.length !== numericCodeLayout.digits || !/^[0-9]+$/.test(text))
    return undefined;
  if (!text.startsWith(prefix)) return undefined;
  const { prefixDigits, codeIdDigits } = numericCodeLayout;
  const seqAt = prefixDigits + codeIdDigits;
  return {
    codeId: Number(text.slice(prefixDigits, seqAt)),
    seq: Number(text.charAt(seqAt)),
    otp: text.slice(seqAt + 1),
  };
}

export const numericVerifyFailureCodes = [
  'MALFORMED',
  'UNKNOWN_CODE_ID',
  'CODE_INVALID',
  'REPLAYED',
] as const;
export type NumericVerifyFailureCode = (typeof numericVerifyFailureCodes)[number];

export type NumericVerifyResult =
  | { readonly ok: true; readonly codeId: number; readonly step: number; readonly seq: number }
  | { readonly ok: false; readonly code: NumericVerifyFailureCode; readonly message: string };

export interface NumericCodeVerifierOptions {
  /** The card's secret by code id; the caller already knows which card a code id belongs to. */
  readonly secretOf: (codeId: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
  readonly replayGuard: ReplayGuard;
  readonly now?: () => number;
  readonly prefix?: string;
  readonly stepMs?: number;
  readonly validityMs?: number;
  readonly clockSkewMs?: number;
}

export interface NumericCodeVerifier {
  /** Never throws on bad input; rejects only if secretOf or the replay guard fails. */
  verify(text: string): Promise<NumericVerifyResult>;
}

/**
 * Online verification. A wrong and an expired code look the same (`CODE_INVALID`): with a one-time
 * password we cannot tell them apart without widening the window an attacker may guess in. Callers should
 * rate-limit failures per code id; each attempt has about one chance in 200,000 (5 steps, 6 digits).
 */
export function createNumericCodeVerifier(options: NumericCodeVerifierOptions): NumericCodeVerifier {
  const prefix = options.prefix ?? numericCodeDefaults.prefix;
  const stepMs = options.stepMs ?? numericCodeDefaults.stepMs;
  const validityMs = options.validityMs ?? numericCodeDefaults.validityMs;
  const clockSkewMs = options.clockSkewMs ?? numericCodeDefaults.clockSkewMs;
  const now = options.now ?? Date.now;
  assertCampusPrefix(prefix);
  if (
    !(stepMs >= 1000 && validityMs >= stepMs && clockSkewMs >= 0 && validityMs + clockSkewMs <= 10 * 60_000)
  ) {
    throw new Error('numeric code timing out of bounds');
  }

  return {
    async verify(text) {
      const parsed = parseNumericCode(text, prefix);
      if (parsed === undefined) return { ok: false, code: 'MALFORMED', message: 'not a campus numeric code' };
      const secret = await options.secretOf(parsed.codeId);
      if (secret === undefined) {
        return { ok: false, code: 'UNKNOWN_CODE_ID', message: `no card has code id ${parsed.codeId}` };
      }
      const nowMs = now();
      const stepFirst = Math.floor((nowMs - validityMs - clockSkewMs) / stepMs);
      const stepLast = Math.floor((nowMs + clockSkewMs) / stepMs);
      const given = asciiBytes(parsed.otp);
      let matchedStep: number | undefined;
      // Every step in the window is computed and compared, so the time taken does not say which matched.
      for (let step = stepFirst; step <= stepLast; step++) {
        const expected = asciiBytes(
          otpDigits(secret, otpMessage(step, parsed.seq), numericCodeLayout.otpDigits),
        );
        if (equalBytes(expected, given)) matchedStep = step;
      }
      if (matchedStep === undefined) {
        return { ok: false, code: 'CODE_INVALID', message: 'wrong or expired numeric code' };
      }
      const ttlMs = (matchedStep + 1) * stepMs + validityMs + clockSkewMs - nowMs + 1000;
      const replayKey = `num:${parsed.codeId}:${matchedStep}:${parsed.seq}`;
      if (!(await options.replayGuard.claim(replayKey, ttlMs))) {
        return { ok: false, code: 'REPLAYED', message: 'numeric code already used' };
      }
      return { ok: true, codeId: parsed.codeId, step: matchedStep, seq: parsed.seq };
    },
  };
}
