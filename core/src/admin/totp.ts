import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

/**
 * The second factor of admin sign-in: TOTP (RFC 6238) as authenticator apps show it — HMAC-SHA1,
 * 30-second steps, 6 digits, secrets as base32 text — computed by otplib, a maintained library
 * checked against the RFC vectors, rather than by hand. What stays ours is the policy: one step of
 * clock drift either way, and the caller refusing a step it already accepted (no replay).
 */
export const totpStepSeconds = 30;

/** The time step a moment falls in. */
export function totpStep(atMs: number): number {
  return Math.floor(atMs / 1000 / totpStepSeconds);
}

/** The code of a base32 secret at a moment. */
export function totp(secretBase32: string, atMs: number): string {
  return generateSync({ secret: secretBase32, epoch: Math.floor(atMs / 1000), period: totpStepSeconds });
}

/** The code of a base32 secret for one time step. */
export function totpAtStep(secretBase32: string, step: number): string {
  return generateSync({ secret: secretBase32, epoch: step * totpStepSeconds, period: totpStepSeconds });
}

/**
 * The step a code belongs to, accepting one step of clock drift either way; undefined when the
 * code matches none or is not six digits. The caller refuses a step it already accepted (no replay).
 */
export function matchTotp(secretBase32: string, code: string, atMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = verifySync({
    secret: secretBase32,
    token: code,
    epoch: Math.floor(atMs / 1000),
    period: totpStepSeconds,
    // A window of one period either side of now reaches exactly the previous and the next step.
    epochTolerance: totpStepSeconds,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation) as 32 base32 characters. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI an authenticator app scans. */
export function otpauthUri(issuer: string, account: string, secretBase32: string): string {
  return generateURI({ issuer, label: account, secret: secretBase32, period: totpStepSeconds, digits: 6 });
}
