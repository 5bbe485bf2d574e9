import {
  type PayCodeRefusal,
  type PayCodeSecret,
  type PayCodeVerdict,
  payCodeRefusals,
} from '../contract/pay-codes.ts';
// Numeric pay codes, end to end on the server side (docs/credential.md § Numeric pay code): the card's
// secret and code id, made on demand for the card's current version, and the online check the gateway
// asks for. The secret leaves the core only towards the card's own phone (through the BFF).

import { randomBytes, randomInt } from 'node:crypto';
import type { CardService } from '../cards/card-service.ts';
import {
  createNumericCodeSecret,
  createNumericCodeVerifier,
  fromHex,
  numericCodeDefaults,
  parseNumericCode,
  type ReplayGuard,
  toHex,
} from '../credential/index.ts';
import { codeIdMax } from '../credential/numeric-code.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { Pii } from '../pii.ts';
import type { GuessLimit } from './guess-limit.ts';
import type { PayCodeRepository } from './pay-code-repository.ts';

export { type PayCodeRefusal, type PayCodeSecret, type PayCodeVerdict, payCodeRefusals };

export interface PayCodeOptions {
  readonly replayGuard: ReplayGuard;
  readonly guessLimit: GuessLimit;
  readonly now?: () => number;
}

/** Tries at a free random code id before giving up (a billion ids; a clash is already rare). */
const codeIdAttemptsMax = 8;

const statusRefusal = {
  lost: ['CARD_LOST', 'the card is reported lost'],
  frozen: ['CARD_FROZEN', 'the card is frozen'],
  cancelled: ['CARD_CANCELLED', 'the card is cancelled'],
} as const;

export class PayCodeService {
  private readonly now: () => number;

  constructor(
    private readonly repository: PayCodeRepository,
    private readonly cards: CardService,
    private readonly pii: Pii,
    private readonly options: PayCodeOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The card's code id and secret for its current version, made on first demand. A card whose version
   * moved on (report loss, reissue on a new phone …) gets a new pair here, and codes from the old one are
   * refused. Two first demands at once meet at the unique (card, version) key and both answer one row.
   */
  async secretFor(cardNo: string): Promise<PayCodeSecret> {
    const card = await this.cards.get(cardNo);
    if (card.status !== 'active') {
      const [code, message] = statusRefusal[card.status];
      throw new CoreError(code, message);
    }
    const existing = await this.repository.forCardVersion(cardNo, card.version);
    if (existing !== undefined) return this.secretOf(existing);
    for (let attempt = 0; attempt < codeIdAttemptsMax; attempt++) {
      const codeId = randomInt(1, codeIdMax + 1);
      // Never the card number itself, even for a card numbered in the same range.
      if (String(codeId) === cardNo.replace(/^0+/, '')) continue;
      const secret = await createNumericCodeSecret((n) => new Uint8Array(randomBytes(n)));
      const row = {
        codeId,
        cardNo,
        cardVersion: card.version,
        secretEnc: this.pii.encrypt(toHex(secret)),
      };
      try {
        await this.repository.insert(row);
        return this.secretOf(row);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const raced = await this.repository.forCardVersion(cardNo, card.version);
        if (raced !== undefined) return this.secretOf(raced);
        // Otherwise the code id belonged to another card: draw again.
      }
    }
    throw new Error(`no free numeric code id after ${codeIdAttemptsMax} draws`);
  }

  /**
   * The gateway's online check of a scanned numeric code. Order: the digits, the code id, the guess
   * limit, the one-time password (all five steps of the window), then the card's status and version,
   * and last the replay claim, so a code refused for its card is not spent. Rejects only when the
   * database or Redis fails; the gateway then answers SERVICE_UNAVAILABLE.
   */
  async verify(text: string): Promise<PayCodeVerdict> {
    const parsed = parseNumericCode(text, numericCodeDefaults.prefix);
    if (parsed === undefined) return refuse('MALFORMED', 'not a campus numeric code');
    const row = await this.repository.lookup(parsed.codeId);
    if (row === undefined) return refuse('UNKNOWN_CODE_ID', 'no card has this code id');
    if (!(await this.options.guessLimit.take(row.codeId))) {
      return refuse('TOO_MANY_ATTEMPTS', 'too many wrong codes for this code id; try again later');
    }
    const secret = fromHex(this.pii.decrypt(row.secretEnc));
    if (secret === undefined) throw new Error(`pay code ${row.codeId}: the sealed secret is not hex`);
    // The library claims the replay key as soon as the password holds; the claim is kept aside here and
    // made after the card checks below.
    let claim: { key: string; ttlMs: number } | undefined;
    const verifier = createNumericCodeVerifier({
      secretOf: () => secret,
      replayGuard: {
        claim: async (key, ttlMs) => {
          claim = { key, ttlMs };
          return true;
        },
      },
      now: this.now,
    });
    const result = await verifier.verify(text);
    if (!result.ok) return refuse(result.code, result.message);
    await this.options.guessLimit.release(row.codeId);
    if (row.cardStatus !== 'active') {
      const [code, message] = statusRefusal[row.cardStatus];
      return refuse(code, message);
    }
    if (row.cardVersion !== row.currentVersion) {
      return refuse('CREDENTIAL_REVOKED', 'the code comes from a superseded credential; refresh it');
    }
    if (claim === undefined) throw new Error('numeric verifier accepted without a replay claim');
    if (!(await this.options.replayGuard.claim(claim.key, claim.ttlMs))) {
      return refuse('REPLAYED', 'numeric code already used');
    }
    return {
      ok: true,
      cardNo: row.cardNo,
      cardVersion: row.cardVersion,
      personType: row.personType,
      codeId: row.codeId,
      useId: claim.key,
    };
  }

  private secretOf(row: { codeId: number; cardVersion: number; secretEnc: string }): PayCodeSecret {
    return { codeId: row.codeId, secretHex: this.pii.decrypt(row.secretEnc), cardVersion: row.cardVersion };
  }
}

function refuse(code: PayCodeRefusal, message: string): PayCodeVerdict {
  return { ok: false, code, message };
}
