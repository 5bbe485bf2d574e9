// The frame path's heavy work in short slices between socket reads (issue #20).
//
// A read callback used to run its request's handler at once, Ed25519 check included (~110 µs here). When
// the gateway falls behind, one poll of the event loop finds hundreds of tills' frames ready and verified
// them all before it read anything else: a turn of 60–90 ms, during which a BUSY refusal, a core's answer
// or a Redis reply waited to be read. Handlers now start from a queue run in setImmediate, each turn's share
// bounded by `budgetMs`; between two slices the loop polls the sockets again, so reads, refusals and answers
// wait one slice at most. Order is kept (first in, first started), and nothing is skipped: a slice always
// starts at least one job.

/** A slice's budget: about 15 Ed25519 checks here, short against a BUSY's 50 ms target. */
export const workSliceMs = 2;

/** Jobs that must be waiting before their wait counts as a backlog (admission.ts): a few slices' worth. */
export const backlogJobsMin = 16;

export class WorkSlices {
  /** Jobs waiting for a slice, first queued first, each with when it was queued (the backlog's measure). */
  private readonly jobs: { readonly start: () => void; readonly queuedAtMs: number }[] = [];
  private scheduled = false;
  /** Callbacks waiting for the queue to drain, each with the time it runs by anyway. */
  private drainWaiters: { readonly run: () => void; readonly byMs: number }[] = [];

  constructor(
    /** How long one slice may run jobs before the loop polls the sockets again (ms). */
    private readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts `job` in a coming slice; answers what it answers (its rejection too). */
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        try {
          job().then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      };
      this.jobs.push({ start, queuedAtMs: this.now() });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.slice);
      }
    });
  }

  /**
   * Runs `run` in the next turn once no job waits for a slice, or after `withinMs` at most (checked after
   * each slice): the core client's batch request then carries the payments of several slices, as it
   * carried those of one long turn before (issue #20).
   */
  whenDrained(run: () => void, withinMs: number): void {
    if (this.jobs.length === 0) setImmediate(run);
    else this.drainWaiters.push({ run, byMs: this.now() + withinMs });
  }

  /** How long the oldest job waiting for a slice has waited (ms; 0 when none waits). */
  oldestWaitMs(): number {
    const first = this.jobs[0];
    return first === undefined ? 0 : this.now() - first.queuedAtMs;
  }

  /**
   * Admission's backlog (ms): the oldest job's wait once at least `backlogJobsMin` wait, else 0. A few jobs
   * that waited out a moment when the process had no CPU are not a backlog; an overloaded gateway holds
   * hundreds.
   */
  backlogMs(): number {
    return this.jobs.length >= backlogJobsMin ? this.oldestWaitMs() : 0;
  }

  /** Jobs waiting for a slice. */
  get waiting(): number {
    return this.jobs.length;
  }

  private readonly slice = (): void => {
    const endMs = this.now() + this.budgetMs;
    let started = 0;
    do {
      this.jobs[started++]?.start();
    } while (started < this.jobs.length && this.now() < endMs);
    this.jobs.splice(0, started);
    if (this.jobs.length > 0) setImmediate(this.slice);
    else this.scheduled = false;
    if (this.drainWaiters.length > 0) this.releaseDrainWaiters();
  };

  private releaseDrainWaiters(): void {
    const nowMs = this.now();
    const drained = this.jobs.length === 0;
    const due = this.drainWaiters.filter((w) => drained || w.byMs <= nowMs);
    if (due.length === 0) return;
    this.drainWaiters = drained ? [] : this.drainWaiters.filter((w) => w.byMs > nowMs);
    for (const w of due) setImmediate(w.run);
  }
}
