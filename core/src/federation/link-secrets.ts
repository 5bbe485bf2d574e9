import type { Context } from 'koa';
import { signatureHeaders, signatureMatches, signRequestWithHash } from '../http/signature.ts';

/** A centre's link secrets, opened: the current one and the one a rotation brings in. */
export interface OpenLinkSecrets {
  current: string;
  next: { secret: string; fromMs: number; oldUntilMs: number } | null;
}

/**
 * The secrets of a link at a moment (docs/federation.md § Link secret rotation): the one our requests are
 * signed with, and those the other centre's requests are accepted with, the signing one first. Before the
 * new secret's sign-from both are accepted and the old one signs; from it the new one signs; from the old
 * one's retirement only the new one is accepted.
 */
export function linkSecretsAt(s: OpenLinkSecrets, nowMs: number): { signing: string; accepted: string[] } {
  if (s.next === null) return { signing: s.current, accepted: [s.current] };
  if (nowMs >= s.next.oldUntilMs) return { signing: s.next.secret, accepted: [s.next.secret] };
  return nowMs >= s.next.fromMs
    ? { signing: s.next.secret, accepted: [s.next.secret, s.current] }
    : { signing: s.current, accepted: [s.current, s.next.secret] };
}

/**
 * Of the secrets a link accepts, the one this request was signed with, told by the signature over its
 * body hash (every Transport request carries it); the first when none matches or the hash is absent, so
 * the link's authentication then refuses it as before.
 */
export function secretSigning(ctx: Context, accepted: readonly string[]): string | undefined {
  const bodyHash = ctx.get(signatureHeaders.contentHash).toLowerCase();
  const timestamp = Number(ctx.get(signatureHeaders.timestamp));
  if (accepted.length > 1 && /^[0-9a-f]{64}$/.test(bodyHash) && Number.isSafeInteger(timestamp)) {
    const nonce = ctx.get(signatureHeaders.nonce);
    const signature = ctx.get(signatureHeaders.signature);
    const match = accepted.find((secret) =>
      signatureMatches(
        signRequestWithHash(secret, ctx.method, ctx.url, timestamp, nonce, bodyHash),
        signature,
      ),
    );
    if (match !== undefined) return match;
  }
  return accepted[0];
}
