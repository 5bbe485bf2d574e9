import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { migratedDatabase, redisPrefix, redisUrl, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { assertAcknowledgedOnce } from '../../tests/kit/acknowledged.ts';
import { type Answer, CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';

/**
 * Several core instances on one database (#18): the bank workload (payments, top-ups, refunds and
 * duplicate retries) against three cores at once, kill -9 of one of them in the middle. Its callers
 * move to the others (as a load balancer would) and resend every request whose answer was lost under
 * the same id. Afterwards every acknowledged operation is stored once with the outcome its caller was
 * told, nothing is stored that no caller was told, every balance is what the acknowledgements say, and
 * the ledger check is clean. The Galera variant (a database node killed under two cores) is
 * tests/cluster/failover.test.ts.
 */
const coresCount = 3;
const workersPerCore = 6;
const cardsCount = 30;
const seed = 100_000;
const retryDeadlineMs = 30_000;

let database: Awaited<ReturnType<typeof migratedDatabase>>;
before(async () => {
  database = await migratedDatabase('mysql');
});
after(() => database.drop());

/** spawnCore stops waiting after 20 s; a loaded machine may need longer to start a core. */
async function ready(core: Awaited<ReturnType<typeof spawnCore>>): Promise<void> {
  const ok = () =>
    fetch(`${core.url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
  for (let t = 0; !(await ok()); t++) {
    assert.ok(t < 600 && core.child.exitCode === null, 'core not ready after 60 s');
    await sleep(100);
  }
}

type Kind = 'pay' | 'topUp' | 'refund';
interface Done {
  kind: Kind;
  body: Record<string, unknown>;
  answer: Answer;
  sentAtMs: number;
  failedAttempts: number;
}

test('when one of three cores on one database is killed with SIGKILL under the bank workload, then the others serve its callers and no acknowledged operation is lost or doubled', {
  timeout: 180_000,
}, async () => {
  const env = {
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    // One Redis namespace for the three, as one deployment: their periodic jobs share its locks.
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix('cores'),
    LOG_LEVEL: 'silent',
  };
  const cores: Awaited<ReturnType<typeof spawnCore>>[] = [];
  // Every lost answer reaches the caller at once (no retry inside the client), so the test sees each.
  const clientOf = (c: number) =>
    new CoreClient({ url: cores[c]?.url as string, ...testServiceKey, lostAnswerRetriesMax: 0 });
  let setup: CoreClient | undefined;
  try {
    for (let i = 0; i < coresCount; i++) {
      const core = await spawnCore(env);
      cores.push(core);
      await ready(core);
    }
    const admin = clientOf(1);
    setup = admin;
    const merchants: string[] = [];
    for (let i = 0; i < 3; i++)
      merchants.push((await admin.createMerchant({ name: `食堂${i}`, category: 'canteen' })).id);
    const cards: string[] = [];
    for (let i = 0; i < cardsCount; i++) {
      const card = await admin.openCard({
        personNo: `N${Date.now().toString(36)}${i}`,
        name: '学生',
        type: 'student',
        dailyLimit: 200_000,
      });
      const seeded = await admin.topUp({
        id: `ncore-seed-${i}`,
        cardNo: card.cardNo,
        amount: seed,
        channel: 'bank',
      });
      assert.equal(seeded.status, 'ok', 'seed top-up');
      cards.push(card.cardNo);
    }

    const done = new Map<string, Done>();
    const errors = new Map<string, number>();
    let serial = 0;
    let lostAnswers = 0;
    let movedCallers = 0;
    let stopping = false;
    let killedAtMs = Number.POSITIVE_INFINITY;
    const killed = 0;

    const workers = cores.flatMap((_, c) =>
      Array.from({ length: workersPerCore }, async (_, w) => {
        // The caller's own core first; when a request to it fails, the next one (a load balancer's view).
        const clients = cores.map((_, i) => clientOf((c + i) % coresCount));
        let at = 0;
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
              return { kind, body, answer, sentAtMs, failedAttempts };
            } catch (error) {
              failedAttempts++;
              const name = (error as { code?: string }).code ?? (error as Error).name;
              errors.set(name, (errors.get(name) ?? 0) + 1);
              if (Date.now() - sentAtMs > retryDeadlineMs)
                throw new Error(`${body.id} unanswered for ${retryDeadlineMs} ms: ${name}`);
              if (at === 0 && c === killed) movedCallers++;
              at = (at + 1) % clients.length;
              await sleep(50 + randomInt(50));
            }
          }
        };
        const mine: Done[] = [];
        try {
          while (!stopping) {
            const roll = randomInt(100);
            if (roll < 5 && mine.length > 0) {
              // A duplicate of an earlier acknowledged request, at whichever core: answered the same, replayed.
              const earlier = mine[randomInt(mine.length)] as Done;
              const again = await untilAnswered(earlier.kind, earlier.body);
              assert.equal(again.answer.replayed, true, `duplicate of ${earlier.body.id} replayed`);
              assert.deepEqual({ ...again.answer, replayed: false }, { ...earlier.answer, replayed: false });
              continue;
            }
            const id = `ncore-c${c}w${w}-${serial++}`;
            const cardNo = cards[randomInt(cards.length)] as string;
            const payments = mine.filter((d) => d.kind === 'pay' && d.answer.status === 'ok');
            const [kind, body]: [Kind, Record<string, unknown>] =
              roll < 75 || payments.length === 0
                ? ['pay', { id, cardNo, merchantId: merchants[randomInt(3)], amount: 1 + randomInt(300) }]
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
              // The killed core committed it but its answer was lost: the retry elsewhere found it by its id.
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
      }),
    );

    await sleep(3_000);
    killedAtMs = Date.now();
    const victim = cores[killed] as (typeof cores)[number];
    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    await sleep(5_000);
    stopping = true;
    await Promise.all(workers);

    const all = [...done.values()];
    const afterKill = all.filter((d) => d.sentAtMs > killedAtMs + 1_000);
    console.log(
      `three cores, one killed: ${JSON.stringify({
        answered: all.length,
        beforeKill: all.filter((d) => d.sentAtMs < killedAtMs).length,
        sentAfterKill: afterKill.length,
        retriedAfterALostAnswer: all.filter((d) => d.failedAttempts > 0).length,
        committedButAnswerLost: lostAnswers,
        callersMoved: movedCallers,
        failedAttempts: Object.fromEntries(errors),
      })}`,
    );

    assert.equal(victim.child.signalCode, 'SIGKILL', 'the core was killed');
    for (const core of cores.slice(1)) assert.equal(core.child.exitCode, null, 'the other cores still run');
    assert.equal(movedCallers, workersPerCore, 'every caller of the killed core moved to another');
    assert.ok(
      afterKill.some((d) => String(d.body.id).startsWith(`ncore-c${killed}w`)),
      "the killed core's callers are served by the others",
    );

    const db = openDatabase(database.url);
    try {
      await assertAcknowledgedOnce({
        db,
        done,
        idLike: 'ncore-c%',
        cards,
        seed,
        balanceOf: async (cardNo) => {
          const card = await admin.getCard(cardNo);
          return card.balance.main + card.balance.subsidy;
        },
      });
    } finally {
      await db.close();
    }
  } finally {
    await setup?.close();
    // The killed one has exited already (stop() would wait for an exit that came before).
    for (const core of cores)
      if (core.child.exitCode === null && core.child.signalCode === null) await core.stop();
  }
});
