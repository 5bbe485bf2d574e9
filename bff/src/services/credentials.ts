import type { Binding, CoreClient } from '@campus-card/core/client';
import {
  type CampusSigningKey,
  campusSigningKeyFromSecret,
  certificateLifetimeDefaultMs,
  fromHex,
  issueCertificate,
  personTypes,
  toHex,
} from '@campus-card/core/credential';
import { BffError } from '../errors.ts';

/** Parses CAMPUS_SIGNING_KEY ("kid:secretHex") into the issuing key. */
export function signingKeyOf(config: string): CampusSigningKey {
  const [kid, secret] = config.split(':') as [string, string];
  const secretKey = fromHex(secret);
  if (!secretKey) throw new Error('CAMPUS_SIGNING_KEY: the secret is not hex');
  return campusSigningKeyFromSecret(Number(kid), secretKey);
}

const statusRefusals = {
  lost: ['CARD_LOST', 'the card is reported lost; cancel the loss first'],
  frozen: ['CARD_FROZEN', 'the card is frozen; unfreeze it first'],
  cancelled: ['CARD_CANCELLED', 'the card is cancelled'],
} as const;

/**
 * Certificates for the phone's own key (docs/credential.md): the campus key signs the card number,
 * person type and the card's current version. Renewal is the same call; binding on a new phone
 * bumped the version in the core, so certificates of an earlier phone no longer verify. The answer
 * also carries the card's numeric pay code id and secret, which die with the version in the same way.
 */
export class CredentialIssuer {
  constructor(
    private readonly core: CoreClient,
    private readonly key: CampusSigningKey,
  ) {}

  async issue(binding: Binding, publicKeyHex: string) {
    const card = await this.core.getCard(binding.cardNo);
    if (card.status !== 'active') {
      const [code, message] = statusRefusals[card.status];
      throw BffError.fromCore(code, message);
    }
    const personType = personTypes.find((t) => t === card.personType);
    if (!personType) throw new BffError('FORBIDDEN', 'this kind of card has no phone credential');
    const phonePublicKey = fromHex(publicKeyHex);
    if (!phonePublicKey) throw new BffError('VALIDATION_FAILED', 'publicKey: not hex');
    const nowMs = Date.now();
    let certificate: Uint8Array;
    try {
      certificate = issueCertificate(this.key, {
        card: { cardNo: card.cardNo, personType, cardVersion: card.version },
        phonePublicKey,
        validFromMs: nowMs,
      });
    } catch {
      throw new BffError('VALIDATION_FAILED', 'publicKey: not a usable Ed25519 public key');
    }
    const validFromMs = Math.floor(nowMs / 1000) * 1000;
    // The numeric pay code's id and secret for this card version, made by the core on first demand: the
    // phone makes 18-digit codes from them offline. They go nowhere else (and are never logged).
    const payCode = await this.core.payCodeSecret(card.cardNo);
    return {
      certificate: toHex(certificate),
      kid: this.key.kid,
      cardVersion: card.version,
      validFromMs,
      validUntilMs: validFromMs + certificateLifetimeDefaultMs,
      numericCode: { codeId: payCode.codeId, secret: payCode.secretHex, cardVersion: payCode.cardVersion },
      serverTimeMs: Date.now(),
    };
  }
}
