// The blacklist devices refuse codes by when they verify offline (docs/protocol.md § 7.21, § 10.5).
// It follows the cards table: after every committed card change the card's entry is recomputed from the
// card's row, and if it differs a change is written under the next version, in one transaction that
// locks the version row, so versions have no holes and concurrent changes of one card end in its
// final state. Then every gateway is told (in process, and over Redis pub/sub when configured).

import type { Database, Tx } from '../db/database.ts';
import { type Job, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';

export const blacklistReasons = ['lost', 'frozen', 'cancelled', 'reissued'] as const;
export type BlacklistReason = (typeof blacklistReasons)[number];

/** The Redis channel each new blacklist version is published on; every gateway instance subscribes. */
export const blacklistChannel = 'campus-card:blacklist';

/** cardVersionMax of a card whose every code is refused. */
export const allVersions = 0xffff_ffff;

export interface BlacklistEntry {
  cardNo: string;
  /** Codes whose certificate carries this card version or lower are refused. */
  cardVersionMax: number;
  reason: BlacklistReason;
}

export type BlacklistChange =
  | ({ version: number; op: 'add' } & BlacklistEntry)
  | { version: number; op: 'remove'; cardNo: string };

export interface BlacklistSnapshot {
  version: number;
  /** Ascending by card number. */
  entries: BlacklistEntry[];
}

export interface BlacklistChanges {
  /** The list's version now. */
  version: number;
  /** Changes above `since`, ascending by version, at most `limit`. */
  changes: BlacklistChange[];
}

/** Told the new version after each committed change. */
export type BlacklistListener = (version: number) => void;

export const changesPerPageMax = 1_000;

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

  constructor(private readonly db: Database) {}

  onPublished(listener: BlacklistListener): void {
    this.listeners.push(listener);
  }

  /** Brings the card's entry in line with its row; answers the new version, or undefined if nothing changed. */
  async follow(cardNo: string): Promise<number | undefined> {
    const version = await this.db.transaction(async (tx) => {
      const current = await this.lockVersion(tx);
      const cards = await this.db.select<{
        card_no: string;
        status: string;
        version: number;
        updated_at_ms: number;
      }>('SELECT card_no, status, version, updated_at_ms FROM cards WHERE card_no = ?', [cardNo], tx);
      const card = cards[0];
      const want = card
        ? entryFor(
            {
              cardNo,
              status: card.status,
              version: Number(card.version),
              updatedAtMs: Number(card.updated_at_ms),
            },
            Date.now(),
          )
        : null;
      const rows = await this.db.select<{ card_version_max: number; reason: string }>(
        'SELECT card_version_max, reason FROM blacklist_entries WHERE card_no = ?',
        [cardNo],
        tx,
      );
      const have = rows[0];
      if (
        (want === null && have === undefined) ||
        (want !== null &&
          have !== undefined &&
          Number(have.card_version_max) === want.cardVersionMax &&
          have.reason === want.reason)
      ) {
        return undefined;
      }
      const next = current + 1;
      const nowMs = Date.now();
      await this.db.execute('UPDATE blacklist_state SET version = ? WHERE id = 1', [next], tx);
      await this.db.execute('DELETE FROM blacklist_entries WHERE card_no = ?', [cardNo], tx);
      if (want === null) {
        await this.db.execute(
          "INSERT INTO blacklist_changes (version, card_no, op, card_version_max, reason, created_at_ms) VALUES (?, ?, 'remove', 0, NULL, ?)",
          [next, cardNo, nowMs],
          tx,
        );
      } else {
        await this.db.execute(
          'INSERT INTO blacklist_entries (card_no, card_version_max, reason, version) VALUES (?, ?, ?, ?)',
          [cardNo, want.cardVersionMax, want.reason, next],
          tx,
        );
        await this.db.execute(
          "INSERT INTO blacklist_changes (version, card_no, op, card_version_max, reason, created_at_ms) VALUES (?, ?, 'add', ?, ?, ?)",
          [next, cardNo, want.cardVersionMax, want.reason, nowMs],
          tx,
        );
      }
      return next;
    });
    if (version !== undefined) for (const listener of this.listeners) listener(version);
    return version;
  }

  /**
   * At start: a change committed to a card whose follow-up was lost (a crash between the two
   * transactions) is caught up here, so the list never stays behind the cards table.
   */
  async reconcile(): Promise<number> {
    // Version 1 is the empty list: devices take 0 to mean "no list at all" (docs/protocol.md § 7.20).
    await this.db.execute('UPDATE blacklist_state SET version = 1 WHERE id = 1 AND version = 0');
    const cutoff = Date.now() - reissuedListedMs;
    const rows = await this.db.select<{ card_no: string }>(
      `SELECT c.card_no FROM cards c LEFT JOIN blacklist_entries b ON b.card_no = c.card_no
        WHERE (c.status <> 'active' OR (c.version > 1 AND c.updated_at_ms > ?))
          AND (b.card_no IS NULL
            OR (c.status <> 'active' AND (b.reason <> c.status OR b.card_version_max <> ${allVersions}))
            OR (c.status = 'active' AND (b.reason <> 'reissued' OR b.card_version_max <> c.version - 1)))
       UNION
       SELECT b.card_no FROM blacklist_entries b LEFT JOIN cards c ON c.card_no = b.card_no
        WHERE c.card_no IS NULL OR (c.status = 'active' AND (c.version = 1 OR c.updated_at_ms <= ?))`,
      [cutoff, cutoff],
    );
    for (const row of rows) await this.follow(row.card_no);
    return rows.length;
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
    const rows = await this.db.select<{ version: number }>(
      'SELECT version FROM blacklist_state WHERE id = 1',
    );
    return Number(rows[0]?.version ?? 0);
  }

  /** The whole list at one version (the version row is locked while it is read). */
  async snapshot(): Promise<BlacklistSnapshot> {
    return this.db.transaction(async (tx) => {
      const version = await this.lockVersion(tx);
      const rows = await this.db.select<{
        card_no: string;
        card_version_max: number;
        reason: BlacklistReason;
      }>('SELECT card_no, card_version_max, reason FROM blacklist_entries ORDER BY card_no', [], tx);
      return {
        version,
        entries: rows.map((r) => ({
          cardNo: r.card_no,
          cardVersionMax: Number(r.card_version_max),
          reason: r.reason,
        })),
      };
    });
  }

  async changesSince(since: number, limit = changesPerPageMax): Promise<BlacklistChanges> {
    const rows = await this.db.select<{
      version: number;
      card_no: string;
      op: 'add' | 'remove';
      card_version_max: number;
      reason: BlacklistReason | null;
    }>(
      'SELECT version, card_no, op, card_version_max, reason FROM blacklist_changes WHERE version > ? ORDER BY version LIMIT ?',
      [since, Math.min(limit, changesPerPageMax)],
    );
    const changes = rows.map((r): BlacklistChange => {
      const version = Number(r.version);
      return r.op === 'add'
        ? {
            version,
            op: 'add',
            cardNo: r.card_no,
            cardVersionMax: Number(r.card_version_max),
            reason: r.reason as BlacklistReason,
          }
        : { version, op: 'remove', cardNo: r.card_no };
    });
    return { version: await this.version(), changes };
  }

  private async lockVersion(tx: Tx): Promise<number> {
    const rows = await this.db.select<{ version: number }>(
      `SELECT version FROM blacklist_state WHERE id = 1${this.db.forUpdate}`,
      [],
      tx,
    );
    return Number(rows[0]?.version ?? 0);
  }
}
