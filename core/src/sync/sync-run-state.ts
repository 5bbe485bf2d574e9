import type { InvalidRow } from './person-rows.ts';
import type { SyncCounts, SyncRun } from './sync-repository.ts';

/** A run in progress: what it has counted and how far it has read. */
export interface RunState {
  run: SyncRun;
  counts: SyncCounts;
  rowsRead: number;
  rowsTotal: number;
  errorsStored: number;
}

/** What a story of a run (people, close-outs, rosters) tells the run: rows it could not apply, and how far it got. */
export interface RunHooks {
  report(rows: readonly InvalidRow[]): Promise<void>;
  progress(phase: string): Promise<void>;
}
