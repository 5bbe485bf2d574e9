import type { AuditLog } from '../admin/audit-log.ts';
import type { ResealKind, ResealProgress, ResealStep } from '../contract/keys.ts';
import type { Logger } from '../log.ts';
import type { KeyResealRepository, ResealRun } from './key-reseal-repository.ts';
import { sealedTables } from './key-reseal-repository.ts';

/** What the job needs of a key set: the current key's name and re-sealing one value under it. */
export interface Resealer {
  readonly keyCheck: string;
  /** The value under the current key, undefined when it already is; throws when no key opens it. */
  reseal(sealed: string): string | undefined;
}

/**
 * Re-seals every sealed value under the current key, a few hundred rows per step, so that the previous
 * keys can be dropped (docs/operations.md § Key rotation). Resumable: where the run stands is a row of
 * key_reseal_runs, for the current key. Idempotent: a value the current key opens is left alone, and a
 * value written meanwhile (under the current key) wins over the job's conditional UPDATE.
 */
export class KeyResealService {
  constructor(
    private readonly repository: KeyResealRepository,
    private readonly keys: Record<ResealKind, Resealer>,
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {}

  async progress(kind: ResealKind): Promise<ResealProgress | null> {
    const run = await this.repository.run(kind);
    return run && run.keyCheck === this.keys[kind].keyCheck ? view(run) : null;
  }

  async step(kind: ResealKind, input: Required<ResealStep>): Promise<ResealProgress> {
    const sealer = this.keys[kind];
    const tables = sealedTables[kind];
    let run = await this.repository.run(kind);
    if (!run || run.keyCheck !== sealer.keyCheck || input.restart) {
      let rowsTotal = 0;
      for (const t of tables) rowsTotal += await this.repository.rowCount(t);
      await this.repository.start(
        kind,
        sealer.keyCheck,
        (tables[0] as { table: string }).table,
        rowsTotal,
        Date.now(),
      );
      await this.audit.append({
        actorType: 'system',
        actorId: 'jobs',
        action: 'keys.reseal_start',
        targetType: 'key',
        targetId: kind,
        detail: { rowsTotal },
      });
      run = (await this.repository.run(kind)) as ResealRun;
    }
    if (run.finishedAtMs !== null) return view(run);
    const index = tables.findIndex((t) => t.table === run.table);
    const t = tables[index];
    if (!t) throw new Error(`re-seal run of ${kind} stands in an unknown table`);
    const rows = await this.repository.page(t, run.afterKey, input.rowsMax);
    let resealed = 0;
    let unreadable = 0;
    for (const row of rows)
      for (const [i, value] of row.values.entries()) {
        if (value === null) continue;
        let next: string | undefined;
        try {
          next = sealer.reseal(value);
        } catch {
          unreadable++;
          continue;
        }
        if (
          next !== undefined &&
          (await this.repository.replace(t, row.key, t.columns[i] as string, value, next))
        )
          resealed++;
      }
    if (unreadable > 0)
      this.log.warn({ kind, table: t.table, unreadable }, 'key re-seal: values no configured key opens');
    const nextTable = rows.length < input.rowsMax ? tables[index + 1] : t;
    const finished = nextTable === undefined;
    const moved = await this.repository.advance(
      run,
      {
        table: nextTable?.table ?? t.table,
        afterKey: nextTable === t ? (rows.at(-1)?.key ?? run.afterKey) : '',
        rowsScanned: rows.length,
        valuesResealed: resealed,
        valuesUnreadable: unreadable,
        finished,
      },
      Date.now(),
    );
    const now = (await this.repository.run(kind)) as ResealRun;
    if (moved && finished)
      await this.audit.append({
        actorType: 'system',
        actorId: 'jobs',
        action: 'keys.reseal_finish',
        targetType: 'key',
        targetId: kind,
        detail: {
          rowsScanned: now.rowsScanned,
          valuesResealed: now.valuesResealed,
          valuesUnreadable: now.valuesUnreadable,
        },
      });
    return view(now);
  }
}

function view(run: ResealRun): ResealProgress {
  return {
    kind: run.kind,
    tables: sealedTables[run.kind].map((t) => t.table),
    table: run.finishedAtMs === null ? run.table : null,
    rowsTotal: run.rowsTotal,
    rowsScanned: run.rowsScanned,
    valuesResealed: run.valuesResealed,
    valuesUnreadable: run.valuesUnreadable,
    startedAtMs: run.startedAtMs,
    finishedAtMs: run.finishedAtMs,
  };
}
