// The bank workload of the crash and failover tests (core/test/cores-crash.test.ts,
// tests/cluster/failover.test.ts, tests/cluster/cores-balancer.test.ts): callers paying, topping up
// and refunding on seeded cards as fast as they are answered, each request whose answer was lost sent
// again under the same operation id until it is answered. What the tests assert at the end is
// tests/kit/acknowledged.ts.

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer, CoreClient } from '../../core/src/client/index.ts';

export type Kind = 'pay' | 'topUp' | 'refund';

/** One answered operation. */
export interface Done {
  kind: Kind;
  body: Record<string, unknown>;
  answer: Answer;
  /** Which caller sent it (0 … callers − 1). */
  caller: number;
  sentAtMs: number;
  answeredAtMs: number;
  /** Attempts that failed (lost answer, refused connection, 5xx) before the one answered. */
  failedAttempts: number;
}

/** Three canteens and `cardsCount` student cards each topped up with `seed` fen, through `client`. */
export async function seedBank(
  client: CoreClient,
  options: { label: string; cardsCount: number; seed: number },
): Promise<{ merchants: string[]; cards: string[] }> {
  const merchants: string[] = [];
  for (let i = 0; i < 3; i++)
    merchants.push(
      (await client.createMerchant({ name: `食堂${options.label}${i}`, category: 'canteen' })).id,
    );
  const cards: string[] = [];
  for (let i = 0; i < options.cardsCount; i++) {
    const card = await client.openCard({
      personNo: `B${Date.now().toString(36)}${i}`,
      name: '学生',
      type: 'student',
      dailyLimit: 200_000,
    });
    const seeded = await client.topUp({
      id: `${options.label}-seed-${i}`,
      cardNo: card.cardNo,
      amount: options.seed,
      channel: 'bank',
    });
    assert.equal(seeded.status, 'ok', 'seed top-up');
    cards.push(card.cardNo);
  }
  return { merchants, cards };
}

export interface BankWorkload {
  /** Every answered operation by id; ids are `<label>-w<caller>-<n>` (LIKE `<label>-w%`). */
  readonly done: ReadonlyMap<string, Done>;
  /** Failed attempts by error code (or name). */
  readonly errors: ReadonlyMap<string, number>;
  /** Operations committed whose first answer was lost: a retry under the same id found them. */
  lostAnswers(): number;
  /** How many times caller i's request failed at its first client and it moved on. */
  readonly movedFromFirst: readonly number[];
  /** Stops the callers after their requests in flight are answered; rejects with a caller's failure. */
  stop(): Promise<void>;
}

/**
 * Starts `callers` callers. Each sends through `clientsOf(caller)` (closed at stop): the first client
 * until a request fails, then the next, round (a load balancer's view; one client is one address).
 * The mix: pay 75 %, top up 13 %, refund 12 % (pay until the caller has a payment to refund); with
 * `duplicates`, 5 of the pays' 75 % are instead resends of the caller's own earlier acknowledged requests,
 * which must be answered the same, as replays.
 */
export function startBankWorkload(options: {
  label: string;
  merchants: readonly string[];
  cards: readonly string[];
  callers: number;
  clientsOf: (caller: number) => CoreClient[];
  duplicates: boolean;
  /** An operation still unanswered this long after it was first sent fails the workload. */
  retryDeadlineMs: number;
  /** The pause after a failed attempt: this plus a random part as long again. */
  retryPauseMs: number;
}): BankWorkload {
  const { label, merchants, cards } = options;
  const done = new Map<string, Done>();
  const errors = new Map<string, number>();
  const movedFromFirst = Array.from({ length: options.callers }, () => 0);
  let lostAnswers = 0;
  let serial = 0;
  let stopping = false;

  const caller = async (c: number) => {
    const clients = options.clientsOf(c);
    let at = 0;
    /** Sends until answered, always with the same id: a lost answer may hide a committed operation. */
    const untilAnswered = async (kind: Kind, body: Record<string, unknown>): Promise<Done> => {
      const sentAtMs = Date.now();
      let failedAttempts = 0;
      for (;;) {
        const client = clients[at] as CoreClient;
        try {
          const b = body as never;
          const answer =
            kind === 'pay'
              ? await client.pay(b)
              : kind === 'topUp'
                ? await client.topUp(b)
                : await client.refund(b);
          return { kind, body, answer, caller: c, sentAtMs, answeredAtMs: Date.now(), failedAttempts };
        } catch (error) {
          failedAttempts++;
          const name = (error as { code?: string }).code ?? (error as Error).name;
          errors.set(name, (errors.get(name) ?? 0) + 1);
          if (Date.now() - sentAtMs > options.retryDeadlineMs)
            throw new Error(`${body.id} unanswered for ${options.retryDeadlineMs} ms: ${name}`);
          if (at === 0 && clients.length > 1) movedFromFirst[c] = (movedFromFirst[c] ?? 0) + 1;
          at = (at + 1) % clients.length;
          await sleep(options.retryPauseMs + randomInt(options.retryPauseMs));
        }
      }
    };
    const mine: Done[] = [];
    try {
      while (!stopping) {
        const roll = randomInt(100);
        if (options.duplicates && roll < 5 && mine.length > 0) {
          const earlier = mine[randomInt(mine.length)] as Done;
          const again = await untilAnswered(earlier.kind, earlier.body);
          assert.equal(
            again.answer.replayed,
            true,
            `retry of ${earlier.body.id}: ${JSON.stringify(again.answer)} after ${JSON.stringify(earlier.answer)}`,
          );
          assert.deepEqual({ ...again.answer, replayed: false }, { ...earlier.answer, replayed: false });
          continue;
        }
        const id = `${label}-w${c}-${serial++}`;
        const cardNo = cards[randomInt(cards.length)] as string;
        const payments = mine.filter((d) => d.kind === 'pay' && d.answer.status === 'ok');
        const [kind, body]: [Kind, Record<string, unknown>] =
          roll < 75 || payments.length === 0
            ? [
                'pay',
                {
                  id,
                  cardNo,
                  merchantId: merchants[randomInt(merchants.length)],
                  amount: 1 + randomInt(300),
                },
              ]
            : roll < 88
              ? ['topUp', { id, cardNo, amount: 1 + randomInt(500), channel: 'alipay' }]
              : [
                  'refund',
                  {
                    id,
                    paymentId: (payments[randomInt(payments.length)] as Done).body.id,
                    amount: 1 + randomInt(100),
                  },
                ];
        const d = await untilAnswered(kind, body);
        if (d.answer.replayed) {
          // The first attempt committed but its answer was lost: the retry found it by its id.
          assert.ok(d.failedAttempts > 0, `${id} is new but was answered as a replay`);
          d.answer = { ...d.answer, replayed: false };
          lostAnswers++;
        }
        done.set(id, d);
        mine.push(d);
      }
    } finally {
      for (const client of clients) await client.close();
    }
  };

  const finished = Promise.all(Array.from({ length: options.callers }, (_, c) => caller(c)));
  // Awaited by stop(); a caller's failure before then is reported there, not as an unhandled rejection.
  finished.catch(() => {});
  return {
    done,
    errors,
    lostAnswers: () => lostAnswers,
    movedFromFirst,
    async stop() {
      stopping = true;
      await finished;
    },
  };
}

/** The q-quantile (0 … 1) of the answered operations' latencies, ms. */
export function latencyMs(operations: readonly Done[], q: number): number {
  const xs = operations.map((d) => d.answeredAtMs - d.sentAtMs).sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
}
