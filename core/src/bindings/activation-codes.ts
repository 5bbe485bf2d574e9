import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database.ts';

/** Crockford base32 without I, L, O, U: nothing a student can misread off a printed slip or an SMS. */
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 characters: 50 bits, against at most attemptsMax guesses per code. */
export const activationCodeLength = 10;

export interface ActivationCodeOptions {
  /** How long an issued code can be used. */
  readonly ttlMs: number;
  /** Checks of one code (right or wrong) before it is spent; the card centre issues a new one. */
  readonly attemptsMax: number;
}

export const activationCodeDefaults: ActivationCodeOptions = {
  ttlMs: 30 * 24 * 3_600_000,
  attemptsMax: 5,
};

/** What checking an offered code found. */
export type ActivationCheck = 'ok' | 'wrong' | 'none';

/**
 * One-time activation codes per card (sql/020). The code is shown once, when issued; only its keyed
 * digest is stored. Every check first takes one of the code's attempts with a conditional UPDATE
 * (the row lock makes concurrent checks count one by one), so of a burst of guesses at most
 * attemptsMax are ever compared; using the code marks it spent in one more conditional UPDATE, so
 * two binds racing with one code cannot both use it.
 */
export class ActivationCodes {
  readonly #key: Buffer;

  constructor(
    private readonly db: Database,
    piiKeyHex: string,
    private readonly options: ActivationCodeOptions = activationCodeDefaults,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = createHmac('sha256', Buffer.from(piiKeyHex, 'hex'))
      .update('campus-card activation code v1')
      .digest();
  }

  /** Issues a new code for the card, replacing any earlier one; answers the code, shown this once. */
  async issue(cardNo: string, issuedBy: string | null): Promise<{ code: string; expiresAtMs: number }> {
    let code = '';
    for (let i = 0; i < activationCodeLength; i++) code += codeAlphabet[randomInt(codeAlphabet.length)];
    const nowMs = this.now();
    const expiresAtMs = nowMs + this.options.ttlMs;
    const digest = this.digestOf(cardNo, code);
    const replaced = await this.db.execute(
      `UPDATE card_activation_codes SET code_digest = ?, attempts = 0, expires_at_ms = ?, used_at_ms = NULL,
              issued_by = ?, created_at_ms = ? WHERE card_no = ?`,
      [digest, expiresAtMs, issuedBy, nowMs, cardNo],
    );
    if (replaced === 0) {
      await this.db.execute(
        `INSERT INTO card_activation_codes (card_no, code_digest, attempts, expires_at_ms, used_at_ms, issued_by, created_at_ms)
         VALUES (?, ?, 0, ?, NULL, ?, ?)`,
        [cardNo, digest, expiresAtMs, issuedBy, nowMs],
      );
    }
    return { code, expiresAtMs };
  }

  /**
   * Checks an offered code: takes an attempt first (refused when the code is spent, expired or out
   * of attempts, which answers 'none' as if there were no code), then compares digests.
   */
  async check(cardNo: string, offered: string): Promise<ActivationCheck> {
    const taken = await this.db.execute(
      `UPDATE card_activation_codes SET attempts = attempts + 1
        WHERE card_no = ? AND used_at_ms IS NULL AND expires_at_ms > ? AND attempts < ?`,
      [cardNo, this.now(), this.options.attemptsMax],
    );
    if (taken !== 1) return 'none';
    const rows = await this.db.select<{ code_digest: string }>(
      'SELECT code_digest FROM card_activation_codes WHERE card_no = ?',
      [cardNo],
    );
    const stored = rows[0]?.code_digest;
    if (stored === undefined) return 'none';
    const given = Buffer.from(this.digestOf(cardNo, normalise(offered)), 'hex');
    return timingSafeEqual(given, Buffer.from(stored, 'hex')) ? 'ok' : 'wrong';
  }

  /** Marks the code spent; false when another request spent it first (or it was replaced). */
  async use(cardNo: string, offered: string): Promise<boolean> {
    const used = await this.db.execute(
      'UPDATE card_activation_codes SET used_at_ms = ? WHERE card_no = ? AND code_digest = ? AND used_at_ms IS NULL',
      [this.now(), cardNo, this.digestOf(cardNo, normalise(offered))],
    );
    return used === 1;
  }

  private digestOf(cardNo: string, code: string): string {
    return createHmac('sha256', this.#key).update(`${cardNo}\n${code}`).digest('hex');
  }
}

/** Case and the separators people type (spaces, dashes) do not matter. */
function normalise(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}
