// The blacklist devices refuse codes by when they verify offline (docs/protocol.md § 7.21, § 10.5).
// It follows the cards table: after every committed card change the card's entry is recomputed from the
// card's row, and if it differs a change is written under the next version, in one transaction that
// locks the version row, so versions have no holes and concurrent changes of one card end in its
// final state. Then every gateway is told (in process, and over Redis pub/sub when configured).

import {
  allVersions,
  type BlacklistChange,
  type BlacklistChanges,
  type BlacklistEntry,
  type BlacklistReason,
  type BlacklistSnapshot,
  changesPerPageMax,
} from '../contract/devices.ts';
import type { Database } from '../db/database.ts';
import { type Job, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import { BlacklistRepository } from './blacklist-repository.ts';

/** Told the new version after each committed change. */
export type BlacklistListener = (version: number) => void;

/**
 * How long the old versions of a card stay listed after it last changed: a certificate lives at most 7 days
 * (docs/credential.md), so by then every code of an old version has expired anyway (protocol § 7.21).
 */
export const reissuedListedMs = 7 * 24 * 3_600_000;

/**
 * The entry a card's row calls for: every version of a card that is not active; the old versions of an
 * active one for 7 days after it last changed.
 */
export function entryFor(
  card: { cardNo: string; status: string; version: number; updatedAtMs: number },
  nowMs: number,
): BlacklistEntry | null {
  if (card.status === 'lost' || card.status === 'frozen' || card.status === 'cancelled') {
    return { cardNo: card.cardNo, cardVersionMax: allVersions, reason: card.status };
  }
  // Every status change and reissue bumps the version and the core refuses older credentials online;
  // offline devices must refuse them too.
  if (card.version > 1 && nowMs - card.updatedAtMs < reissuedListedMs) {
    return { cardNo: card.cardNo, cardVersionMax: card.version - 1, reason: 'reissued' };
  }
  return null;
}

export class BlacklistService {
  private readonly listeners: BlacklistListener[] = [];
  private expiry: Job | undefined;
  private readonly repository: BlacklistRepository;
  /** The follow-ups started without waiting and still under way. */
  private readonly following = new Set<Promise<void>>();

  constructor(db: Database) {
    this.repository = new BlacklistRepository(db);
  }

  onPublished(listener: BlacklistListener): void {
    this.listeners.push(listener);
  }

  /** Brings the card's entry in line with its row; answers the new version, or undefined if nothing changed. */
  async follow(cardNo: string): Promise<number | undefined> {
    const version = await this.repository.transaction(async (tx) => {
      const current = await this.repository.lockVersion(tx);
      const card = await this.repository.card(cardNo, tx);
      const want = card ? entryFor(card, Date.now()) : null;
      const have = await this.repository.entry(cardNo, tx);
      if (
        (want === null && have === undefined) ||
        (want !== null &&
          have !== undefined &&
          have.cardVersionMax === want.cardVersionMax &&
          have.reason === want.reason)
      ) {
        return undefined;
      }
      const next = current + 1;
      await this.repository.change(next, cardNo, want, Date.now(), tx);
      return next;
    });
    if (version !== undefined) for (const listener of this.listeners) listener(version);
    return version;
  }

  /**
   * Follows a card change without the caller waiting (a failure is logged and caught up at the next
   * start); idle() waits for those still under way.
   */
  followLater(cardNo: string, log: Logger): void {
    const followed: Promise<void> = this.follow(cardNo)
      .then(
        () => undefined,
        (error: unknown) => log.error({ err: error }, 'blacklist did not follow a card change'),
      )
      .finally(() => this.following.delete(followed));
    this.following.add(followed);
  }

  /** Resolves when no follow-up started by followLater is under way: before the database closes. */
  async idle(): Promise<void> {
    while (this.following.size > 0) await Promise.all(this.following);
  }

  /**
   * At start: a change committed to a card whose follow-up was lost (a crash between the two
   * transactions) is caught up here, so the list never stays behind the cards table.
   */
  async reconcile(): Promise<number> {
    await this.repository.startAtOne();
    const cardNos = await this.repository.outOfStep(Date.now() - reissuedListedMs);
    for (const cardNo of cardNos) await this.follow(cardNo);
    return cardNos.length;
  }

  /** Reconciles every `intervalMs`, which also drops reissued entries whose 7 days are over. */
  startExpiry(intervalMs: number, log: Logger): void {
    void this.stopExpiry();
    this.expiry = schedule({
      name: 'blacklist-expiry',
      everyMs: intervalMs,
      log,
      run: () => this.reconcile(),
    });
  }

  /** Stops the expiry; answers once a reconcile in flight has finished. */
  async stopExpiry(): Promise<void> {
    const expiry = this.expiry;
    this.expiry = undefined;
    await expiry?.stop();
  }

  async version(): Promise<number> {
    return this.repository.version();
  }

  /** The whole list at one version (the version row is locked while it is read). */
  async snapshot(): Promise<BlacklistSnapshot> {
    return this.repository.transaction(async (tx) => {
      const version = await this.repository.lockVersion(tx);
      return { version, entries: await this.repository.entries(tx) };
    });
  }

  async changesSince(since: number, limit = changesPerPageMax): Promise<BlacklistChanges> {
    const rows = await this.repository.changesSince(since, Math.min(limit, changesPerPageMax));
    const changes = rows.map(
      (r): BlacklistChange =>
        r.op === 'add'
          ? {
              version: r.version,
              op: 'add',
              cardNo: r.cardNo,
              cardVersionMax: r.cardVersionMax,
              reason: r.reason as BlacklistReason,
            }
          : { version: r.version, op: 'remove', cardNo: r.cardNo },
    );
    return { version: await this.version(), changes };
  }
}
