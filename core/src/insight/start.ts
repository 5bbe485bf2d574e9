import type { CoreConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { ExtractService } from './extract-service.ts';
import { InsightStore } from './insight-store.ts';
import { LedgerSource } from './ledger-source.ts';

export interface RunningInsight {
  extract: ExtractService;
  store: InsightStore;
  /** Stops the schedule (a run in flight finishes first), then closes the DuckDB file. */
  stop(): Promise<void>;
}

/**
 * Opens the insight store and schedules the extract when INSIGHT_DB_PATH is set; undefined when it
 * is not. No shared job lock: each store file is fed by the one process that owns it, and a lock
 * shared with other core instances would make it skip runs.
 */
export async function startInsightExtract(
  config: CoreConfig,
  db: Database,
  log: Logger,
): Promise<RunningInsight | undefined> {
  if (config.insightDbPath === undefined) return undefined;
  const store = await InsightStore.open({
    path: config.insightDbPath,
    memoryLimit: config.insightMemoryLimit,
  });
  const extract = new ExtractService(new LedgerSource(db), store, { overlapMs: config.insightOverlapMs });
  extract.startSchedule(config.insightIntervalMs, log);
  return {
    extract,
    store,
    async stop() {
      await extract.stop();
      store.close();
    },
  };
}
