// The gateway's copy of the core's blacklist (docs/protocol.md § 10.5): loaded whole at start, then kept
// current from the core's change log whenever a new version is announced (Redis pub/sub, the in-process
// bus of the embedded default, or polling). Each batch of changes is pushed at once to every signed-in
// device as BLACKLIST_DELTA; devices that ask are answered with a delta from their version or the list in
// chunks of a snapshot that stays available for at least ten minutes.

import type { BlacklistChanges, BlacklistSnapshot } from '@campus-card/core/contract';
import {
  type BlacklistChange,
  type BlacklistChunk,
  type BlacklistDelta,
  type BlacklistEntry,
  type BlacklistRequest,
  blacklistDeltaEntriesMax,
  blacklistEntriesPerChunkMax,
} from './protocol/index.ts';

/** Where the list comes from: the core client answers both. */
export interface BlacklistSource {
  blacklist(): Promise<BlacklistSnapshot>;
  blacklistChanges(since: number, limit?: number): Promise<BlacklistChanges>;
}

/** Recent changes kept to answer deltas from; a device further behind downloads the list. */
const changesKeptMax = 10_000;
/** How long a snapshot a device started downloading stays available (protocol: at least 10 minutes). */
const snapshotKeptMs = 10 * 60_000;
/** Versions are u32 on the wire. */
const versionMax = 0xffff_ffff;

interface Snapshot {
  readonly version: number;
  readonly entries: readonly BlacklistEntry[];
  readonly madeAtMs: number;
}

export class GatewayBlacklist {
  private current = 0;
  private readonly entries = new Map<string, BlacklistEntry>();
  /** Changes ascending by version, the last one at `current`; each with the version it produced. */
  private changes: { readonly version: number; readonly change: BlacklistChange }[] = [];
  private readonly snapshots = new Map<number, Snapshot>();
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly source: BlacklistSource,
    /** Told each new delta, to push to every signed-in device. */
    private readonly onDelta: (delta: BlacklistDelta) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get version(): number {
    return this.current;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The card's entry, if it is on the list. */
  entry(cardNo: string): BlacklistEntry | undefined {
    return this.entries.get(cardNo);
  }

  async load(): Promise<void> {
    const snapshot = await this.source.blacklist();
    this.entries.clear();
    for (const e of snapshot.entries) this.entries.set(e.cardNo, toEntry(e));
    this.current = snapshot.version;
    this.changes = [];
    await this.refresh();
  }

  /** A version was announced; catches up if it is ahead. Safe to call often: runs one fetch at a time. */
  announce(version: number): Promise<void> {
    if (version <= this.current) return Promise.resolve();
    return this.refresh();
  }

  /** Fetches the changes above the current version and pushes them; concurrent calls share one run. */
  refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = this.catchUp().finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh().catch(() => {});
      }
    });
    return this.refreshing;
  }

  /** The answer to BLACKLIST_REQUEST: a delta when the device is close behind, else a chunk of a snapshot. */
  answer(request: BlacklistRequest): BlacklistChunk | BlacklistDelta {
    const have = request.haveVersion;
    if (request.version === 0 && request.chunkIndex === 0 && have > 0 && have < this.current) {
      const since = this.changesAbove(have);
      if (since !== undefined && since.length <= blacklistDeltaEntriesMax) {
        return { kind: 'blacklist_delta', fromVersion: have, toVersion: this.current, changes: since };
      }
    }
    const asked = request.version === 0 ? undefined : this.snapshots.get(request.version);
    // A snapshot no longer held: chunk 0 of the latest, and the device starts over (protocol § 10.5).
    const snapshot = asked ?? this.latestSnapshot();
    const chunkCount = Math.max(1, Math.ceil(snapshot.entries.length / blacklistEntriesPerChunkMax));
    const chunkIndex = asked === undefined || request.chunkIndex >= chunkCount ? 0 : request.chunkIndex;
    const from = chunkIndex * blacklistEntriesPerChunkMax;
    return {
      kind: 'blacklist_chunk',
      version: Math.max(1, snapshot.version),
      chunkIndex,
      chunkCount,
      entries: snapshot.entries.slice(from, from + blacklistEntriesPerChunkMax),
    };
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.source.blacklistChanges(this.current);
      if (page.changes.length === 0) return;
      const from = this.current;
      const applied: BlacklistChange[] = [];
      for (const c of page.changes) {
        if (c.version !== this.current + 1) {
          // A hole (not expected: versions are gap-free): start again from the whole list.
          await this.load();
          return;
        }
        const change: BlacklistChange =
          c.op === 'add' ? { op: 'add', ...toEntry(c) } : { op: 'remove', cardNo: c.cardNo };
        if (change.op === 'add') this.entries.set(change.cardNo, toEntry(change));
        else this.entries.delete(change.cardNo);
        this.current = c.version;
        this.changes.push({ version: c.version, change });
        applied.push(change);
      }
      if (this.changes.length > changesKeptMax) this.changes = this.changes.slice(-changesKeptMax);
      this.pushDeltas(from, applied);
      if (this.current >= page.version) return;
    }
  }

  /** Deltas of at most 250 changes each, in order, so a device applies them one after the other. */
  private pushDeltas(from: number, applied: readonly BlacklistChange[]): void {
    let version = from;
    for (let i = 0; i < applied.length; i += blacklistDeltaEntriesMax) {
      const part = applied.slice(i, i + blacklistDeltaEntriesMax);
      const toVersion = version + part.length;
      if (toVersion > versionMax) return;
      this.onDelta({ kind: 'blacklist_delta', fromVersion: version, toVersion, changes: part });
      version = toVersion;
    }
  }

  /** The changes above `version`, or undefined if they are no longer all kept. */
  private changesAbove(version: number): BlacklistChange[] | undefined {
    const first = this.changes[0];
    if (first === undefined || first.version > version + 1) return undefined;
    return this.changes.filter((c) => c.version > version).map((c) => c.change);
  }

  private latestSnapshot(): Snapshot {
    const nowMs = this.now();
    for (const [version, s] of this.snapshots) {
      if (version !== this.current && nowMs - s.madeAtMs > snapshotKeptMs) this.snapshots.delete(version);
    }
    let snapshot = this.snapshots.get(this.current);
    if (snapshot === undefined) {
      const entries = [...this.entries.values()].sort((a, b) => compareCardNo(a.cardNo, b.cardNo));
      snapshot = { version: this.current, entries, madeAtMs: nowMs };
      this.snapshots.set(this.current, snapshot);
    }
    return snapshot;
  }
}

function toEntry(e: {
  cardNo: string;
  cardVersionMax: number;
  reason: BlacklistEntry['reason'];
}): BlacklistEntry {
  return { cardNo: e.cardNo, cardVersionMax: e.cardVersionMax, reason: e.reason };
}

/** Card numbers ascend as numbers: shorter first, then digit by digit. */
function compareCardNo(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
