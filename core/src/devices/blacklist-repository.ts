import { allVersions, type BlacklistEntry, type BlacklistReason } from '../contract/devices.ts';
import type { Database, Tx } from '../db/database.ts';

/**
 * Storage of the blacklist: the version row (locked by every change, so versions are dense and a
 * snapshot is one version), the entries and the change log. The cards table is read, never written.
 */
export class BlacklistRepository {
  constructor(private readonly db: Database) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** The list's version, with its row locked until the transaction ends. */
  async lockVersion(tx: Tx): Promise<number> {
    const rows = await this.db.select<{ version: number }>(
      `SELECT version FROM blacklist_state WHERE id = 1${this.db.forUpdate}`,
      [],
      tx,
    );
    return Number(rows[0]?.version ?? 0);
  }

  async version(): Promise<number> {
    const rows = await this.db.select<{ version: number }>(
      'SELECT version FROM blacklist_state WHERE id = 1',
    );
    return Number(rows[0]?.version ?? 0);
  }

  /** Version 1 is the empty list: devices take 0 to mean "no list at all" (docs/protocol.md § 7.20). */
  async startAtOne(): Promise<void> {
    await this.db.execute('UPDATE blacklist_state SET version = 1 WHERE id = 1 AND version = 0');
  }

  async card(
    cardNo: string,
    tx: Tx,
  ): Promise<{ cardNo: string; status: string; version: number; updatedAtMs: number } | undefined> {
    const rows = await this.db.select<{ status: string; version: number; updated_at_ms: number }>(
      'SELECT status, version, updated_at_ms FROM cards WHERE card_no = ?',
      [cardNo],
      tx,
    );
    const r = rows[0];
    return r
      ? { cardNo, status: r.status, version: Number(r.version), updatedAtMs: Number(r.updated_at_ms) }
      : undefined;
  }

  async entry(cardNo: string, tx: Tx): Promise<{ cardVersionMax: number; reason: string } | undefined> {
    const rows = await this.db.select<{ card_version_max: number; reason: string }>(
      'SELECT card_version_max, reason FROM blacklist_entries WHERE card_no = ?',
      [cardNo],
      tx,
    );
    const r = rows[0];
    return r ? { cardVersionMax: Number(r.card_version_max), reason: r.reason } : undefined;
  }

  /** Writes version `next`: the card's entry becomes `entry` (null: removed), and the change is logged. */
  async change(
    next: number,
    cardNo: string,
    entry: BlacklistEntry | null,
    nowMs: number,
    tx: Tx,
  ): Promise<void> {
    await this.db.execute('UPDATE blacklist_state SET version = ? WHERE id = 1', [next], tx);
    await this.db.execute('DELETE FROM blacklist_entries WHERE card_no = ?', [cardNo], tx);
    if (entry === null) {
      await this.db.execute(
        "INSERT INTO blacklist_changes (version, card_no, op, card_version_max, reason, created_at_ms) VALUES (?, ?, 'remove', 0, NULL, ?)",
        [next, cardNo, nowMs],
        tx,
      );
      return;
    }
    await this.db.execute(
      'INSERT INTO blacklist_entries (card_no, card_version_max, reason, version) VALUES (?, ?, ?, ?)',
      [cardNo, entry.cardVersionMax, entry.reason, next],
      tx,
    );
    await this.db.execute(
      "INSERT INTO blacklist_changes (version, card_no, op, card_version_max, reason, created_at_ms) VALUES (?, ?, 'add', ?, ?, ?)",
      [next, cardNo, entry.cardVersionMax, entry.reason, nowMs],
      tx,
    );
  }

  /**
   * Cards whose entry does not match their row: not active and unlisted or listed otherwise, reissued
   * within the window and not listed so, or listed though active and outside the window (or gone).
   */
  async outOfStep(cutoffMs: number): Promise<string[]> {
    const rows = await this.db.select<{ card_no: string }>(
      `SELECT c.card_no FROM cards c LEFT JOIN blacklist_entries b ON b.card_no = c.card_no
        WHERE (c.status <> 'active' OR (c.version > 1 AND c.updated_at_ms > ?))
          AND (b.card_no IS NULL
            OR (c.status <> 'active' AND (b.reason <> c.status OR b.card_version_max <> ${allVersions}))
            OR (c.status = 'active' AND (b.reason <> 'reissued' OR b.card_version_max <> c.version - 1)))
       UNION
       SELECT b.card_no FROM blacklist_entries b LEFT JOIN cards c ON c.card_no = b.card_no
        WHERE c.card_no IS NULL OR (c.status = 'active' AND (c.version = 1 OR c.updated_at_ms <= ?))`,
      [cutoffMs, cutoffMs],
    );
    return rows.map((r) => r.card_no);
  }

  /** Every entry, ascending by card number. */
  async entries(tx: Tx): Promise<BlacklistEntry[]> {
    const rows = await this.db.select<{ card_no: string; card_version_max: number; reason: BlacklistReason }>(
      'SELECT card_no, card_version_max, reason FROM blacklist_entries ORDER BY card_no',
      [],
      tx,
    );
    return rows.map((r) => ({
      cardNo: r.card_no,
      cardVersionMax: Number(r.card_version_max),
      reason: r.reason,
    }));
  }

  async changesSince(
    since: number,
    limit: number,
  ): Promise<
    {
      version: number;
      cardNo: string;
      op: 'add' | 'remove';
      cardVersionMax: number;
      reason: BlacklistReason | null;
    }[]
  > {
    const rows = await this.db.select<{
      version: number;
      card_no: string;
      op: 'add' | 'remove';
      card_version_max: number;
      reason: BlacklistReason | null;
    }>(
      'SELECT version, card_no, op, card_version_max, reason FROM blacklist_changes WHERE version > ? ORDER BY version LIMIT ?',
      [since, limit],
    );
    return rows.map((r) => ({
      version: Number(r.version),
      cardNo: r.card_no,
      op: r.op,
      cardVersionMax: Number(r.card_version_max),
      reason: r.reason,
    }));
  }
}
