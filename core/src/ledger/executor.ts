import { setTimeout as sleep } from 'node:timers/promises';
import { type Database, isDuplicateKey, isRetryable } from '../db/database.ts';
import {
  applyOperation,
  type BatchState,
  canonicalRequest,
  emptyEffects,
  type LedgerLimits,
} from './apply.ts';
import { BatchRepository } from './batch-repository.ts';
import { channelAccount, type Operation, systemAccounts } from './operations.ts';
import type { Answer, Outcome, Rejected } from './results.ts';
import type { AccountRow, StoredOperation } from './state.ts';

const attemptsMax = 10;

/**
 * Runs a batch of operations in one database transaction: lock what they touch, apply the rules
 * in order, write the result, commit. An acknowledged operation is one whose transaction
 * committed, so it survives a crash (innodb_flush_log_at_trx_commit = 1).
 */
export class LedgerExecutor {
  private readonly repo: BatchRepository;

  constructor(
    private readonly db: Database,
    private readonly limits: LedgerLimits,
  ) {
    this.repo = new BatchRepository(db);
  }

  async run(ops: Operation[]): Promise<Answer[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((tx) => this.runOnce(ops, tx));
      } catch (error) {
        // A deadlock, a lock timeout, or a concurrent batch that inserted one of our ids first:
        // nothing was written, and the next attempt sees the other batch's result.
        if (attempt >= attemptsMax || !(isRetryable(error) || isDuplicateKey(error))) throw error;
        await sleep(Math.random() * 2 * attempt);
      }
    }
  }

  private async runOnce(
    ops: Operation[],
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
  ): Promise<Answer[]> {
    const repo = this.repo;
    const nowMs = await repo.nowMs(tx);
    const stored = await repo.storedOperations(unique(ops.map((o) => o.request.id)), tx);
    const fresh = ops.filter((o) => !stored.has(o.request.id));

    const holds = await repo.lockHolds(
      unique(
        fresh.flatMap((o) =>
          o.kind === 'post' || o.kind === 'void' || o.kind === 'expire' ? [o.request.holdId] : [],
        ),
      ),
      tx,
    );
    const payments = await repo.lockPayments(
      unique(fresh.flatMap((o) => (o.kind === 'refund' ? [o.request.paymentId] : []))),
      tx,
    );
    const cardNos = new Set<string>();
    const merchantIds = new Set<string>();
    const accountIds = new Set<string>();
    for (const o of fresh) {
      if ('cardNo' in o.request) cardNos.add(o.request.cardNo);
      if ('merchantId' in o.request) merchantIds.add(o.request.merchantId);
      if (o.kind === 'top_up') accountIds.add(channelAccount[o.request.channel]);
      if (o.kind === 'subsidy') accountIds.add(systemAccounts.subsidyFund);
      if (o.kind === 'adjustment') accountIds.add(o.request.accountId).add(systemAccounts.adjustment);
    }
    for (const h of holds.values()) {
      cardNos.add(h.cardNo);
      merchantIds.add(h.merchantId);
    }
    for (const p of payments.values()) {
      if (p.cardNo) cardNos.add(p.cardNo);
      if (p.merchantId) merchantIds.add(p.merchantId);
    }
    const cards = await repo.lockCards([...cardNos], tx);
    const merchants = await repo.merchants([...merchantIds], tx);
    for (const c of cards.values()) accountIds.add(c.mainAccountId).add(c.subsidyAccountId);
    for (const m of merchants.values()) accountIds.add(m.accountId);
    const accounts = await repo.lockAccounts([...accountIds], tx);
    const initialAccounts = new Map<string, AccountRow>([...accounts].map(([id, a]) => [id, { ...a }]));

    const state: BatchState = { nowMs, cards, accounts, merchants, holds, payments };
    const fx = emptyEffects();
    const decided = new Map<string, { request: string; outcome: Outcome }>();
    const answers: Answer[] = [];
    for (const op of ops) {
      const earlier = stored.get(op.request.id) ?? decided.get(op.request.id);
      if (earlier) {
        answers.push(replay(op, earlier));
        continue;
      }
      const outcome = applyOperation(op, state, fx, this.limits);
      decided.set(op.request.id, { request: canonicalRequest(op), outcome });
      answers.push({ ...outcome, replayed: false });
    }
    await repo.write(state, initialAccounts, fx, tx);
    return answers;
  }
}

/** The original answer for a retry, or ID_REUSED naming the fields that differ. */
function replay(op: Operation, earlier: StoredOperation | { request: string; outcome: Outcome }): Answer {
  const request = canonicalRequest(op);
  const outcome = 'result' in earlier ? (JSON.parse(earlier.result) as Outcome) : earlier.outcome;
  if (earlier.request === request) return { ...outcome, replayed: true };
  const before = JSON.parse(earlier.request) as Record<string, unknown>;
  const now = JSON.parse(request) as Record<string, unknown>;
  const fields = unique([...Object.keys(before), ...Object.keys(now)]).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(now[key]),
  );
  const rejected: Rejected = {
    status: 'rejected',
    id: op.request.id,
    kind: op.kind,
    code: 'ID_REUSED',
    message: `id ${op.request.id} was already used with a different ${fields.join(', ')}`,
    details: { fields },
  };
  return { ...rejected, replayed: false };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
