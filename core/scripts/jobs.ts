import { setTimeout as sleep } from 'node:timers/promises';
import { CoreClient, type SyncRun } from '../src/client/index.ts';
import type { ResealProgress } from '../src/contract/keys.ts';
import { addDays, shanghaiToday } from '../src/time.ts';

/**
 * The jobs the backoffice can start, from the command line (docs/operations.md § Jobs from the command
 * line). They go through the running core's signed API as the backoffice's do, so a run started here is
 * the backoffice's run (one at a time, its progress on the 数据同步记录 page) and the other way round.
 *
 *   npm run sync [-- --full]       identity sync (incremental unless --full), progress until it ends
 *   npm run job -- <name> [args]   one of `jobs` below
 *
 * CORE_URL (default http://127.0.0.1:4100), CORE_KEY_ID and CORE_KEY_SECRET: one of the core's
 * CORE_SERVICE_KEYS, as the BFF's. Exit 0 when the job did its work, 1 when it failed, 2 on a usage error.
 */
const yesterday = () => addDays(shanghaiToday(), -1);
const day = (text: string | undefined) => {
  const value = text ?? yesterday();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new UsageError(`a day is YYYY-MM-DD (Asia/Shanghai), not ${value}`);
  return value;
};

class UsageError extends Error {}

const jobs: Record<string, { usage: string; run: (core: CoreClient, args: string[]) => Promise<unknown> }> = {
  sync: {
    usage: 'sync [--full]  identity sync from academic affairs and HR',
    run: (core, args) => sync(core, args),
  },
  'sync-photos': {
    usage: 'sync-photos  person photos from the source photo tables',
    run: (core) => core.syncPhotos(),
  },
  settle: {
    usage: "settle [YYYY-MM-DD] [campusId]  merchants' daily settlement (default yesterday)",
    run: (core, [d, campusId]) => core.settleDay(day(d), campusId),
  },
  'bank-resolve': {
    usage: 'bank-resolve  settle 圈存 transfers left without an answer from the bank',
    run: (core) => core.resolveBankTransfers(),
  },
  'bank-reconcile': {
    usage: "bank-reconcile [YYYY-MM-DD]  check the bank's day file (default yesterday)",
    run: (core, [d]) => core.reconcileBank(day(d)),
  },
  'utility-reconcile': {
    usage: 'utility-reconcile  ask the electricity and network systems about orders whose answer was lost',
    run: (core) => core.reconcileUtilityOrders(),
  },
  'fees-pull': {
    usage: 'fees-pull  pull fee items from the finance system',
    run: (core) => core.pullFeeItems(),
  },
  'fees-resolve': {
    usage: 'fees-resolve  settle fee payments whose answer was lost',
    run: (core) => core.resolveFeePayments(),
  },
  reseal: {
    usage:
      'reseal pii|photos [--restart]  seal every value again under the current PII_KEY / PHOTO_KEY (docs/operations.md § Key rotation)',
    run: (core, args) => reseal(core, args),
  },
  'federation-reconcile': {
    usage:
      "federation-reconcile <centreId> [YYYY-MM-DD]  reconcile a day's inter-centre files (default yesterday)",
    run: (core, [centreId, d]) => {
      if (!centreId) throw new UsageError('federation-reconcile needs the other centre id');
      return core.reconcileCentreDay(centreId, day(d));
    },
  },
};

/** Starts a sync run (or follows the one under way) and prints its progress until it ends. */
async function sync(core: CoreClient, args: string[]): Promise<SyncRun> {
  const unknown = args.filter((a) => a !== '--full');
  if (unknown.length > 0) throw new UsageError(`sync takes only --full, not ${unknown.join(' ')}`);
  const kind = args.includes('--full') ? 'full' : 'incremental';
  let run: SyncRun;
  try {
    run = await core.startSyncRun(kind);
    console.log(`sync ${run.id} started (${kind})`);
  } catch (error) {
    if ((error as { code?: string }).code !== 'SYNC_RUNNING') throw error;
    const running = (await core.syncRuns({ limit: 5 })).items.find((r) => r.status === 'running');
    if (!running) throw error;
    run = running;
    console.log(`a ${run.kind} sync is under way (${run.id}, started by ${run.trigger}): following it`);
  }
  let last = '';
  for (;;) {
    const now = await core.syncRun(run.id, { errorsLimit: 20 });
    const c = now.counts;
    const pct = now.rowsTotal > 0 ? ` ${Math.floor((100 * now.rowsRead) / now.rowsTotal)}%` : '';
    const line = `${now.phase ?? now.status} ${now.rowsRead}/${now.rowsTotal}${pct} · created ${c.created} updated ${c.updated} cancelled ${c.cancelled} invalid ${c.invalid} roster ${c.roster}`;
    if (line !== last) console.log(line);
    last = line;
    if (now.status !== 'running') {
      for (const e of now.errors)
        console.log(`  row ${e.sourceRowId ?? '-'} ${e.personNo ?? ''} ${e.code}: ${e.reason}`);
      if (now.errorsNext)
        console.log('  … more rows not applied: see the run on the backoffice 数据同步记录 page');
      if (now.status === 'failed')
        throw new Error(`sync ${now.id} failed: ${now.failure ?? 'no reason given'}`);
      console.log(
        `sync ${now.id} succeeded in ${Math.round(((now.finishedAtMs ?? Date.now()) - now.startedAtMs) / 1000)} s`,
      );
      return now;
    }
    await sleep(Number(process.env.JOBS_POLL_MS ?? 1_000));
  }
}

/**
 * Re-seals step by step until the run for the current key has finished, printing its progress. An
 * interrupted run continues where it stopped (the core keeps its place); --restart scans from the start.
 */
async function reseal(core: CoreClient, args: string[]): Promise<ResealProgress> {
  const [kind, ...rest] = args;
  if (kind !== 'pii' && kind !== 'photos') throw new UsageError('reseal needs pii or photos');
  const unknown = rest.filter((a) => a !== '--restart');
  if (unknown.length > 0) throw new UsageError(`reseal takes only --restart, not ${unknown.join(' ')}`);
  const rowsMax = Number(process.env.RESEAL_ROWS ?? 200);
  let restart = rest.includes('--restart');
  let last = '';
  for (;;) {
    const p = await core.resealStep(kind, { rowsMax, restart });
    restart = false;
    const pct = p.rowsTotal > 0 ? Math.min(100, Math.floor((100 * p.rowsScanned) / p.rowsTotal)) : 100;
    const line = `${p.table ?? 'done'} ${p.rowsScanned}/${p.rowsTotal} rows ${pct}% · resealed ${p.valuesResealed} unreadable ${p.valuesUnreadable}`;
    if (line !== last) console.log(line);
    last = line;
    if (p.finishedAtMs !== null) {
      if (p.valuesUnreadable > 0)
        throw new Error(
          `${p.valuesUnreadable} values no configured key opens: keep the previous keys and see the core's log`,
        );
      return p;
    }
  }
}

function usage(): string {
  return `usage: npm run job -- <name> [args]\n${Object.values(jobs)
    .map((j) => `  ${j.usage}`)
    .join('\n')}`;
}

const [name, ...args] = process.argv.slice(2);
const job = name ? jobs[name] : undefined;
if (!job) {
  console.error(name ? `unknown job ${name}\n${usage()}` : usage());
  process.exitCode = 2;
} else {
  const core = new CoreClient({
    url: process.env.CORE_URL ?? 'http://127.0.0.1:4100',
    keyId: process.env.CORE_KEY_ID ?? 'dev',
    secret: process.env.CORE_KEY_SECRET ?? 'dev-core-secret-change-me',
  });
  try {
    const result = await job.run(core, args);
    if (name !== 'sync' && name !== 'reseal') console.log(JSON.stringify(result, null, 2));
  } catch (error) {
    const e = error as { code?: string; message?: string };
    console.error(`${name}: ${e.code ? `${e.code} ` : ''}${e.message ?? String(error)}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  } finally {
    await core.close();
  }
}
