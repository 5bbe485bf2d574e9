import { setTimeout as sleep } from 'node:timers/promises';
import { type Database, isDuplicateKey, isRetryable, type Tx } from '../db/database.ts';
import { applyOperation, type BatchState, emptyEffects, type LedgerLimits } from './apply.ts';
import { type BatchKeys, BatchRepository } from './batch-repository.ts';
import { parseDeviceRef } from './devices.ts';
import { differingFields, requestFields, storedOutcome, storedRequest } from './operation-record.ts';
import { centreReceivableAccount, channelAccount, type Operation, systemAccounts } from './operations.ts';
import type { Answer, Outcome, Rejected } from './results.ts';
import type { AccountRow } from './state.ts';

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
        return await this.db.transaction((tx) => this.runOnce(ops, tx, attempt > 1));
      } catch (error) {
        // A deadlock, a lock timeout, or a concurrent batch that inserted one of our ids first:
        // nothing was written, and the next attempt sees the other batch's result.
        if (attempt >= attemptsMax || !(isRetryable(error) || isDuplicateKey(error))) throw error;
        await sleep(Math.random() * 2 * attempt);
      }
    }
  }

  /**
   * One attempt. The first takes every operation id as new without reading the stored operations: every
   * operation, accepted or refused, is inserted under its id, so the primary key refuses a stored one, the
   * batch's first write fails and nothing is written; the next attempt (readStored) reads them and answers
   * the retry with its stored outcome or ID_REUSED. Retries are rare (a gateway's, after a lost answer); a
   * SELECT of every id in every batch is not (issue #20). The codes are always read: a replayed code must be
   * refused CODE_REPLAYED before any other check could refuse it for another reason.
   */
  private async runOnce(ops: Operation[], tx: Tx, readStored: boolean): Promise<Answer[]> {
    const keys: Required<BatchKeys> = {
      operationIds: [],
      holdIds: [],
      paymentIds: [],
      cardNos: [],
      merchantIds: [],
      accountIds: [],
      deviceIds: [],
      codeIds: [],
    };
    const systemIds = new Set<string>();
    for (const o of ops) {
      keys.operationIds.push(o.request.id);
      if (o.kind === 'post' || o.kind === 'void' || o.kind === 'expire') keys.holdIds.push(o.request.holdId);
      if (o.kind === 'refund') keys.paymentIds.push(o.request.paymentId);
      if ('cardNo' in o.request) keys.cardNos.push(o.request.cardNo);
      if ('merchantId' in o.request) keys.merchantIds.push(o.request.merchantId);
      const device =
        'deviceId' in o.request && o.request.deviceId ? parseDeviceRef(o.request.deviceId) : undefined;
      if (device) keys.deviceIds.push(device.deviceId);
      if ((o.kind === 'payment' || o.kind === 'hold') && o.request.codeId !== undefined)
        keys.codeIds.push(o.request.codeId);
      if (o.kind === 'top_up') systemIds.add(channelAccount[o.request.channel]);
      if (o.kind === 'subsidy' || o.kind === 'subsidy_clear') systemIds.add(systemAccounts.subsidyFund);
      if (o.kind === 'payment' && o.request.offline) systemIds.add(systemAccounts.offlineReceivable);
      if (o.kind === 'foreign_sale') systemIds.add(centreReceivableAccount(o.request.centreId));
      if (o.kind === 'close_out') systemIds.add(systemAccounts.subsidyFund).add(systemAccounts.refundPayable);
      if (o.kind === 'adjustment') {
        keys.accountIds.push(o.request.accountId);
        // A named counter account is read (and locked) like the target, so its kind can be checked.
        if (o.request.counterAccountId === undefined) systemIds.add(systemAccounts.adjustment);
        else keys.accountIds.push(o.request.counterAccountId);
      }
    }
    const rows = await this.repo.load(
      {
        operationIds: readStored ? unique(keys.operationIds) : [],
        holdIds: unique(keys.holdIds),
        paymentIds: unique(keys.paymentIds),
        cardNos: unique(keys.cardNos),
        merchantIds: unique(keys.merchantIds),
        accountIds: unique(keys.accountIds),
        deviceIds: unique(keys.deviceIds),
        codeIds: unique(keys.codeIds),
      },
      tx,
    );
    // Merchant and system accounts may run negative, so the batch never reads them: it counts
    // what it adds to them from zero and the final UPDATE adds that to the stored counters.
    for (const m of rows.merchants.values())
      if (!rows.accounts.has(m.accountId)) rows.accounts.set(m.accountId, unread(m.accountId, 'merchant'));
    for (const id of systemIds) if (!rows.accounts.has(id)) rows.accounts.set(id, unread(id, 'system'));
    const initialAccounts = new Map<string, AccountRow>([...rows.accounts].map(([id, a]) => [id, { ...a }]));

    const state: BatchState = {
      nowMs: rows.nowMs,
      cards: rows.cards,
      accounts: rows.accounts,
      merchants: rows.merchants,
      holds: rows.holds,
      payments: rows.payments,
      devices: rows.devices,
      codeUses: rows.codeUses,
    };
    const fx = emptyEffects();
    const decided = new Map<string, { request: Record<string, unknown>; outcome: Outcome }>();
    const answers: Answer[] = [];
    for (const op of ops) {
      const stored = rows.stored.get(op.request.id);
      const earlier = stored
        ? { request: storedRequest(stored), outcome: storedOutcome(stored) }
        : decided.get(op.request.id);
      if (earlier) {
        answers.push(replay(op, earlier));
        continue;
      }
      const outcome = applyOperation(op, state, fx, this.limits);
      decided.set(op.request.id, { request: requestFields(op), outcome });
      answers.push({ ...outcome, replayed: false });
    }
    await this.repo.write(state, initialAccounts, fx, tx);
    await this.db.run([], tx, { commit: true });
    return answers;
  }
}

function unread(id: string, kind: 'merchant' | 'system'): AccountRow {
  return {
    id,
    kind,
    allowOverdraft: true,
    debitsPosted: 0,
    creditsPosted: 0,
    debitsPending: 0,
    creditsPending: 0,
  };
}

/** The original answer for a retry, or ID_REUSED naming the fields that differ. */
function replay(op: Operation, earlier: { request: Record<string, unknown>; outcome: Outcome }): Answer {
  const fields =
    earlier.outcome.kind === op.kind ? differingFields(earlier.request, requestFields(op)) : ['kind'];
  if (fields.length === 0) return { ...earlier.outcome, replayed: true };
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
