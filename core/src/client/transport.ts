/**
 * The one transport every domain client speaks through: a pool of kept-alive connections to the
 * core (undici), a fresh signature with a new nonce on every request, the one-tick batching of money
 * operations, the id of the request being served (http/request-id.ts, or one named by withCallRequestId) as
 * x-request-id, a caller's deadline (withCall), and error answers mapped to CoreError by the contract's error
 * table. A domain client (cards.ts, ledger.ts, …) is a small class over it.
 */
import { Pool } from 'undici';
import { type ErrorCode, isErrorCode } from '../contract/errors.ts';
import type { Answer } from '../contract/ledger.ts';
import { CoreError } from '../errors.ts';
import { currentRequestId, requestIdHeader } from '../http/request-id.ts';
import { signedHeaders } from '../http/signature.ts';
import type { BatchedOperation } from '../ledger/operations.ts';

export interface CoreClientOptions {
  url: string;
  keyId: string;
  secret: string;
  /** Connections kept open to the core. */
  connectionsMax?: number;
  requestTimeoutMs?: number;
  /** Operations sent in one batch request at most. */
  operationsPerRequestMax?: number;
  /**
   * When the operations queued so far leave as one batch request: by default in the next turn of the event
   * loop (setImmediate), so a turn's operations travel together; the gateway waits for its work slices.
   */
  scheduleFlush?: (flush: () => void) => void;
  /**
   * How many times more an operation whose answer was lost (the connection failed, or the core answered
   * INTERNAL_ERROR for it or for its whole request) is sent again under its own id, and how long after its
   * first send that may still happen: the ledger answers a repeated id with its first answer, so the
   * outcome is learnt, never made twice. 0 hands the error to the caller at once.
   */
  lostAnswerRetriesMax?: number;
  lostAnswerRetryWithinMs?: number;
  /** The wait before such a retry, ms: a core restarting or a connection being replaced gets a moment. */
  lostAnswerRetryDelayMs?: number;
  /** For an https URL: the PEM certificates the server's must chain to, instead of the system's CAs (pinning). */
  ca?: string;
}

/** What a caller names for the core calls it makes (withCall). */
export interface CallScope {
  /** The request id they carry (x-request-id); else the request being served (AsyncLocalStorage). */
  readonly requestId?: string;
  /**
   * When the caller must have its answer, on the performance.now() clock: past it the call settles at
   * once — CoreError OVERLOADED if nothing was sent yet (a definite refusal), else CoreDeadlineExceeded
   * (the outcome unknown; an operation's retry under its id learns it) — and no lost answer is asked again.
   */
  readonly deadlineAtMs?: number;
}

/**
 * No answer came within the caller's deadline after the request was sent: it may have been applied. Coded
 * INTERNAL_ERROR, as every answer whose outcome is unknown; an operation asked again under the same id is
 * answered with what the ledger did, once.
 */
export class CoreDeadlineExceeded extends CoreError {
  constructor() {
    super('INTERNAL_ERROR', 'no answer from the core within the deadline');
    this.name = 'CoreDeadlineExceeded';
  }
}

interface Pending {
  operation: BatchedOperation;
  /** The request id the operation was made for, if any: the batch request carries the first one. */
  requestId: string | undefined;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
  /** Batch requests it has travelled in, and when the first left (performance.now()). */
  sends: number;
  firstSentAtMs: number;
  /**
   * The caller's deadline (performance.now()), if any; settled once, by answer or deadline. Checked when its
   * batch leaves, and by its batch request's one timer while it is out (expireAtDeadlines), not a timer each.
   */
  deadlineAtMs: number | undefined;
  settled: boolean;
}

const emptyBody = Buffer.alloc(0);

/** How long after its operations' latest deadline a batch request is given up (undici's coarse timers). */
const connectionReleaseAfterDeadlineMs = 1_000;

/** What the innermost withCall running now names, if any. */
let namedScope: CallScope | undefined;

/**
 * Names the request id and deadline of the core calls `work` starts synchronously (each domain method hands
 * its request to the transport before its first await), for a caller that carries them itself: the device
 * gateway, whose frames would otherwise each pay for AsyncLocalStorage's promise hooks (issue #20), and whose
 * answers are due before the till's timeout (device-gateway/src/deadline.ts). A named id wins over the
 * AsyncLocalStorage one.
 */
export function withCall<T>(scope: CallScope, work: () => T): T {
  const outer = namedScope;
  namedScope = scope;
  try {
    return work();
  } finally {
    namedScope = outer;
  }
}

/** The request id the call being made now carries: a named one, else the request being served. */
function requestIdNow(): string | undefined {
  return namedScope?.requestId ?? currentRequestId();
}

export class Transport {
  private readonly pool: Pool;
  private pending: Pending[] = [];
  private flushScheduled = false;

  constructor(private readonly options: CoreClientOptions) {
    this.pool = new Pool(options.url, {
      connections: options.connectionsMax ?? 32,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs ?? 10_000,
      bodyTimeout: options.requestTimeoutMs ?? 10_000,
      ...(options.ca === undefined ? {} : { connect: { ca: options.ca } }),
    });
  }

  /**
   * Money operations made in the same tick travel together in one batch request, the way
   * TigerBeetle's clients batch: a busy gateway sends one request for many terminals' payments,
   * a quiet one sends each at once. Each operation is answered on its own; one whose answer was lost
   * is sent again under its own id (settleLost), which is safe because the ledger answers an id once.
   */
  operation(operation: BatchedOperation): Promise<Answer> {
    const deadlineAtMs = namedScope?.deadlineAtMs;
    const requestId = requestIdNow();
    return new Promise<Answer>((resolve, reject) => {
      this.enqueue({
        operation,
        requestId,
        resolve,
        reject,
        sends: 0,
        firstSentAtMs: 0,
        deadlineAtMs,
        settled: false,
      });
    });
  }

  /**
   * A signed JSON request; an answer of 400 or above throws the CoreError it carries. Within a caller's
   * deadline (withCall): OVERLOADED when it is already past, CoreDeadlineExceeded when no answer came by it.
   */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const deadlineAtMs = namedScope?.deadlineAtMs;
    const requestId = requestIdNow();
    let signal: AbortSignal | undefined;
    if (deadlineAtMs !== undefined) {
      const leftMs = deadlineAtMs - performance.now();
      if (leftMs <= 0) throw notSent();
      signal = AbortSignal.timeout(Math.ceil(leftMs));
    }
    let answer: { status: number; json: unknown };
    try {
      answer = await this.send(method, path, body, requestId, signal);
    } catch (error) {
      if (signal?.aborted) throw new CoreDeadlineExceeded();
      throw error;
    }
    if (answer.status >= 400) throw toError(answer.status, answer.json);
    return answer.json as T;
  }

  /** A signed GET whose answer is a file, as the bytes served; errors are still JSON. */
  async download(path: string): Promise<Buffer> {
    const requestId = requestIdNow();
    const response = await this.pool.request({
      method: 'GET',
      path,
      headers: {
        ...signedHeaders(this.options, 'GET', path, ''),
        ...(requestId ? { [requestIdHeader]: requestId } : {}),
      },
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode >= 400) {
      const text = bytes.toString('utf8');
      throw toError(response.statusCode, text ? JSON.parse(text) : undefined);
    }
    return bytes;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private enqueue(pending: Pending): void {
    this.pending.push(pending);
    if (this.pending.length >= (this.options.operationsPerRequestMax ?? 256)) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      (this.options.scheduleFlush ?? setImmediate)(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const queued = this.pending;
    if (queued.length === 0) return;
    this.pending = [];
    const now = performance.now();
    // Those whose caller's deadline passed in the queue are refused, never sent (if expire has not yet).
    const batch: Pending[] = [];
    for (const p of queued) {
      if (p.sends === 0 && p.deadlineAtMs !== undefined && p.deadlineAtMs <= now)
        this.settle(p, undefined, notSent());
      else if (!p.settled) batch.push(p);
    }
    if (batch.length === 0) return;
    // The request is given up a little after the latest deadline among its operations when they all have
    // one, so a stalled core does not hold the connection long past the time anyone waits for it. The
    // batch's timer (expireAtDeadlines) answers the callers at their deadlines; undici's timers are coarse
    // (they may fire up to a second early), so they only free the connection after.
    let timeoutMs: number | undefined = 0;
    for (const p of batch) {
      if (p.sends++ === 0) p.firstSentAtMs = now;
      if (timeoutMs !== undefined)
        timeoutMs = p.deadlineAtMs === undefined ? undefined : Math.max(timeoutMs, p.deadlineAtMs - now);
    }
    const requestId = batch.find((p) => p.requestId !== undefined)?.requestId;
    const stopExpiry = this.expireAtDeadlines(batch);
    this.send(
      'POST',
      '/v1/operations/batch',
      { operations: batch.map((p) => p.operation) },
      requestId,
      undefined,
      timeoutMs === undefined ? undefined : Math.ceil(timeoutMs) + connectionReleaseAfterDeadlineMs,
    ).then(
      ({ status, json }) => {
        stopExpiry();
        const answers = (json as { answers?: Answer[] } | undefined)?.answers;
        if (status !== 200 || !answers || answers.length !== batch.length) {
          const error = toError(status, json);
          // A 5xx without answers may come after some of them were applied; a 4xx refused the request.
          const unknown = status >= 500 && error.code === 'INTERNAL_ERROR';
          for (const p of batch) this.settleLost(p, error, unknown);
          return;
        }
        for (const [i, p] of batch.entries()) {
          const answer = answers[i] as Answer;
          // Failed inside the core, perhaps after its neighbours committed: this one alone is asked again.
          if (answer.status === 'rejected' && answer.code === 'INTERNAL_ERROR')
            this.settleLost(p, toError(500, answer), true);
          else this.settle(p, answer);
        }
      },
      (error: unknown) => {
        stopExpiry();
        for (const p of batch) this.settleLost(p, error, true);
      },
    );
  }

  /**
   * One timer for a batch request out at the core (not one an operation: a busy gateway sends dozens a
   * request, issue #20): at the earliest deadline among its operations still waiting, those whose deadline
   * has passed are settled, and it is set again for the next. Stopped when the request's answer comes.
   */
  private expireAtDeadlines(batch: readonly Pending[]): () => void {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      let next = Number.POSITIVE_INFINITY;
      for (const p of batch)
        if (!p.settled && p.deadlineAtMs !== undefined && p.deadlineAtMs < next) next = p.deadlineAtMs;
      timer =
        next === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(
              () => {
                const now = performance.now();
                for (const p of batch)
                  if (!p.settled && p.deadlineAtMs !== undefined && p.deadlineAtMs <= now) this.expire(p);
                arm();
              },
              Math.max(0, next - performance.now()),
            );
    };
    arm();
    return () => clearTimeout(timer);
  }

  /**
   * An operation whose request failed. A definite refusal of the whole request (bad signature, a body
   * refused …) did nothing and goes to the caller. When the outcome is `unknown` — the connection failed or
   * the core failed inside, perhaps after applying it — it is sent again under its own id (it may share the
   * next request with others), and the ledger answers what it did the first time or does it now, once.
   */
  private settleLost(p: Pending, error: unknown, unknown: boolean): void {
    if (p.settled) return;
    const now = performance.now();
    const delayMs = this.options.lostAnswerRetryDelayMs ?? 50;
    const retriable =
      unknown &&
      p.sends <= (this.options.lostAnswerRetriesMax ?? 2) &&
      now - p.firstSentAtMs < (this.options.lostAnswerRetryWithinMs ?? 2_000) &&
      (p.deadlineAtMs === undefined || now + delayMs < p.deadlineAtMs);
    if (!retriable) {
      this.settle(p, undefined, error);
      return;
    }
    setTimeout(() => {
      if (!p.settled) this.enqueue(p);
    }, delayMs);
  }

  /** The caller's deadline passed: refused if it never left (OVERLOADED), else its outcome unknown. */
  private expire(p: Pending): void {
    this.settle(p, undefined, p.sends === 0 ? notSent() : new CoreDeadlineExceeded());
  }

  /** Answers the caller once: by the core's answer, an error, or the deadline, whichever comes first. */
  private settle(p: Pending, answer: Answer | undefined, error?: unknown): void {
    if (p.settled) return;
    p.settled = true;
    if (answer !== undefined) p.resolve(answer);
    else p.reject(error);
  }

  /** `signal` aborts it (a caller's deadline); `timeoutMs` bounds its wait for the answer once sent. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    requestId: string | undefined,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<{ status: number; json: unknown }> {
    // Encoded once: the same bytes are hashed for the signature and written to the socket.
    const payload = body === undefined ? emptyBody : Buffer.from(JSON.stringify(body));
    // Every request is signed afresh (new nonce, current time): the core accepts a signature once.
    const response = await this.pool.request({
      method: method as 'GET',
      path,
      body: payload.byteLength > 0 ? payload : null,
      headers: {
        'content-type': 'application/json',
        ...signedHeaders(this.options, method, path, payload),
        ...(requestId ? { [requestIdHeader]: requestId } : {}),
      },
      ...(signal === undefined ? {} : { signal }),
      ...(timeoutMs === undefined ? {} : { headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }
}

/** The base of every domain client: its methods reach the core through the shared transport. */
export abstract class DomainClient {
  constructor(protected readonly transport: Transport) {}
}

/** A call refused before it left, its caller's deadline already past: nothing reached the core. */
function notSent(): CoreError {
  return new CoreError('OVERLOADED', 'the deadline passed before the request was sent');
}

/** An error answer as a CoreError with its stable code (INTERNAL_ERROR for one outside the table). */
export function toError(status: number, json: unknown): CoreError {
  const body = json as { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
  const code: ErrorCode = body?.code && isErrorCode(body.code) ? body.code : 'INTERNAL_ERROR';
  return new CoreError(code, body?.message ?? `core answered ${status}`, body?.details);
}

/** A query string of the defined parameters ('' when none). */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, string] => [k, String(v)]),
  );
  return q.size ? `?${q}` : '';
}

/** A newest-first page's query: limit and beforeAtMs. */
export function pageQuery(page: { limit?: number; beforeAtMs?: number }): string {
  return query({ limit: page.limit, beforeAtMs: page.beforeAtMs });
}
