import type { CoreConfig } from '../config.ts';
import type { Notice } from '../contract/notices.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { NoticeRepository } from '../notices/notice-repository.ts';
import { AbnormalAlerts } from './abnormal-alerts.ts';
import { AbsenceSpendingAlerts } from './absence-spending.ts';
import { WeeklyAttendanceSummary } from './attendance-summary.ts';
import { ExtractService } from './extract-service.ts';
import { InsightStore } from './insight-store.ts';
import { LedgerSource } from './ledger-source.ts';

export interface RunningInsight {
  extract: ExtractService;
  store: InsightStore;
  /** INSIGHT_RETENTION_DAYS: after each run, rows older than this are deleted (0 keeps everything). */
  retentionDays: number;
  /** The ledger's database, read only (the campus calendar's holidays for the canteen forecast). */
  ledger: LedgerSource;
}

/**
 * Campus insight in the core: empty until start() opens the store (only where INSIGHT_DB_PATH is
 * set), so the routes can be mounted with the others while the DuckDB file opens later, at start.
 */
export class InsightSlot {
  #running: RunningInsight | undefined;
  /** Told of each run's abnormal-spending notices (the parents' messages, docs/messages.md). */
  onAbnormal?: (notices: Notice[]) => Promise<unknown>;

  get running(): RunningInsight | undefined {
    return this.#running;
  }

  /**
   * Opens the store and schedules the extract when INSIGHT_DB_PATH is set. No shared job lock: each
   * store file is fed by the one process that owns it, and a lock shared with other core instances
   * would make it skip runs.
   */
  async start(config: CoreConfig, db: Database, log: Logger): Promise<void> {
    if (config.insightDbPath === undefined || this.#running) return;
    const store = await InsightStore.open({
      path: config.insightDbPath,
      memoryLimit: config.insightMemoryLimit,
    });
    const ledger = new LedgerSource(db);
    const extract = new ExtractService(ledger, store, { overlapMs: config.insightOverlapMs });
    // Abnormal spending is assessed on each run's fresh rows; a student is told in the app.
    const alerts = new AbnormalAlerts(store, ledger, new NoticeRepository(db));
    // And spending on campus while the holder is on an approved off-campus absence (absence-spending.ts).
    const absenceAlerts = new AbsenceSpendingAlerts(store, ledger, new NoticeRepository(db));
    // Last week's attendance to each student, once a week (attendance-summary.ts).
    const summary = new WeeklyAttendanceSummary(store, ledger, new NoticeRepository(db));
    const retentionDays = config.insightRetentionDays;
    this.#running = { extract, store, retentionDays, ledger };
    extract.startSchedule(config.insightIntervalMs, log, undefined, async () => {
      if (retentionDays > 0) await store.prune(Date.now() - retentionDays * 86_400_000);
      await summary.run();
      const sent = [...(await alerts.run()), ...(await absenceAlerts.run())];
      if (sent.length > 0) await this.onAbnormal?.(sent);
      if (sent.length > 0)
        log.info({ job: 'insight-extract', alerts: sent.length }, 'abnormal spending alerts');
    });
  }

  /** Stops the schedule (a run in flight finishes first), then closes the DuckDB file. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    await running.extract.stop();
    this.#running = undefined;
    running.store.close();
  }
}
