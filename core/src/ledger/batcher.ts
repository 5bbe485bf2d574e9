import { CoreError } from '../errors.ts';
import type { Operation } from './operations.ts';
import type { Answer } from './results.ts';

export interface BatcherOptions {
  /** Operations per database transaction. 1 gives one transaction per operation (the naive baseline). */
  batchSizeMax: number;
  /** Transactions in flight at once. */
  executorsMax: number;
  /** Operations waiting for a transaction before new ones are refused with OVERLOADED. */
  queueDepthMax: number;
}

interface Waiting {
  op: Operation;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. Operations queue while the executors are busy; each free executor takes up to
 * batchSizeMax of them into one transaction, so under load many payments share one fsync and one
 * update of the canteen window's account, while a lone payment at night runs at once, unbatched.
 * A free executor takes its batch once the microtasks of the turn have run, not at the first
 * operation: the operations of one batch request (a gateway's tick of payments) reach the batcher in
 * the same turn and share a transaction, instead of the first running alone in one of its own — which
 * doubled the transactions, and the core's and MariaDB's CPU a payment, whenever an executor was idle
 * (issue #20).
 */
export class Batcher {
  private readonly queue: Waiting[] = [];
  private running = 0;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Counters for /health and the benchmark: how well operations are being grouped. */
  readonly stats = { batches: 0, operations: 0 };
  /** Read-only observers of each batch's size as it starts (the core's metrics). */
  private readonly batchListeners: ((size: number) => void)[] = [];

  constructor(
    private readonly execute: (ops: Operation[]) => Promise<Answer[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(op: Operation): Promise<Answer> {
    if (this.queue.length >= this.options.queueDepthMax) {
      return Promise.reject(new CoreError('OVERLOADED', 'the ledger is at capacity; retry shortly'));
    }
    return new Promise<Answer>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        queueMicrotask(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  onBatch(listener: (size: number) => void): void {
    this.batchListeners.push(listener);
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Resolves when every queued and running operation has finished. */
  drain(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.options.executorsMax && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.batchSizeMax);
      this.running++;
      this.stats.batches++;
      this.stats.operations += batch.length;
      for (const listener of this.batchListeners) listener(batch.length);
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  private async runBatch(batch: Waiting[]): Promise<void> {
    try {
      const answers = await this.execute(batch.map((w) => w.op));
      for (const [i, w] of batch.entries()) w.resolve(answers[i] as Answer);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One bad operation must not fail its neighbours: run each alone to find it.
      for (const w of batch) {
        try {
          const [answer] = await this.execute([w.op]);
          w.resolve(answer as Answer);
        } catch (single) {
          w.reject(single);
        }
      }
    }
  }
}
