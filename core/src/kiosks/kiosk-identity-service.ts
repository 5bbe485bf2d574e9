import type { CardService } from '../cards/card-service.ts';
import { CoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Pii } from '../pii.ts';
import { idNumberHasher } from './id-index.ts';
import type { KioskIdentityRepository } from './kiosk-identity-repository.ts';

const indexPageSize = 500;
/**
 * A person without a phone identifies at a kiosk with their ID number and the card's PIN (#16,
 * docs/funds.md § Kiosk identification). The ID number is looked up by its keyed hash (sql/063); the PIN
 * is checked by the card's own PIN counter (CardService.checkPin: each check takes a slot of the card's
 * window before comparing, so a burst of guesses at any number of kiosks gets no more than the limit).
 * An unknown ID number, a wrong PIN and a locked PIN answer alike (PIN_INVALID), so the kiosk teaches
 * nothing about whose number it is.
 */
export class KioskIdentityService {
  private readonly hash: (idNumber: string) => string;
  /** The refresh in flight: lookups that miss at once share it. */
  private refreshing: Promise<unknown> | undefined;

  constructor(
    private readonly repo: KioskIdentityRepository,
    private readonly cards: CardService,
    private readonly pii: Pii,
    piiKeyHex: string,
    private readonly log: Logger,
  ) {
    this.hash = idNumberHasher(piiKeyHex);
  }

  /** Indexes every person whose ID number is new or changed; answers how many rows were written. */
  async refreshIndex(): Promise<number> {
    let written = 0;
    for (;;) {
      const page = await this.repo.stale(indexPageSize);
      const rows = page.flatMap((p) => {
        try {
          return [
            {
              personId: p.personId,
              idHash: this.hash(this.pii.decrypt(p.idNumberEnc)),
              sourceEnc: p.idNumberEnc,
            },
          ];
        } catch {
          // Sealed under another key: it cannot be indexed, and is skipped rather than loop forever.
          this.log.warn({ personId: p.personId }, 'an ID number that cannot be unsealed is not indexed');
          return [];
        }
      });
      await this.repo.save(rows, Date.now());
      written += rows.length;
      if (page.length < indexPageSize || rows.length === 0) break;
    }
    await this.repo.dropOrphans();
    return written;
  }

  /** The card the ID number and PIN identify; PIN_INVALID for every kind of refusal but a card's status. */
  async identify(idNumber: string, pin: string): Promise<{ cardNo: string }> {
    const idHash = this.hash(idNumber);
    let found = await this.repo.cardsOf(idHash);
    // New and changed ID numbers are indexed when first asked for (the refresh finds only rows whose
    // sealed number differs from the one they were made from), and a row made from a replaced number
    // never matches, so no schedule is needed. Lookups that miss at once share one refresh.
    if (found.length === 0) {
      this.refreshing ??= this.refreshIndex()
        .catch((error: unknown) => {
          // Another instance refreshing the same rows at once: its rows serve the next lookup.
          this.log.warn(
            { err: error instanceof Error ? error.name : 'unknown' },
            'kiosk ID index refresh failed',
          );
        })
        .finally(() => {
          this.refreshing = undefined;
        });
      await this.refreshing;
      found = await this.repo.cardsOf(idHash);
    }
    // Nobody, or more than one card (the same number on two records): the person shows their code.
    const only = found.length === 1 ? found[0] : undefined;
    if (!only) throw new CoreError('PIN_INVALID', 'the ID number and PIN do not identify one card');
    if ((await this.cards.checkPin(only.cardNo, pin)) !== 'ok')
      throw new CoreError('PIN_INVALID', 'the ID number and PIN do not identify one card');
    return { cardNo: only.cardNo };
  }
}
