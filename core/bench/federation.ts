// bench:federation (#18, docs/federation.md): what a foreign card's payment costs over a local one. Two
// centres on one machine, each a core on its own MariaDB database; centre B's core is asked for payments
// through its signed client as a gateway asks it: a local card of B (one ledger payment), and a card of A
// (B asks A over the signed link, A's ledger pays, B's ledger records the sale). Latency of one at a time
// (p50/p99), then throughput with many in flight. Prints figures; the run is recorded in docs/benchmarks.md.

import { startFederation } from '../../tests/kit/federation.ts';
import { openStudent, opId, type TestCore } from '../../tests/kit/index.ts';

const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 300);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const burst = Number(process.env.BENCH_BURST ?? 2_000);
const cardsEach = 40;

// Linked directly, core to core, as two centres' fronts would be (no test switch in between).
const federation = await startFederation(
  [
    { id: 'CA', name: 'A' },
    { id: 'CB', name: 'B' },
  ],
  { switches: false },
);
const a = federation.get('CA');
const b = federation.get('CB');
try {
  const merchantId = (await b.client.createMerchant({ name: 'bench', category: 'canteen' })).id;
  const cards = async (core: TestCore) => {
    const numbers: { cardNo: string; version: number }[] = [];
    for (let i = 0; i < cardsEach; i += 1) {
      const cardNo = await openStudent(core.client, { dailyLimit: 200_000 });
      await core.client.topUp({ id: opId(), cardNo, amount: 500_000, channel: 'cash' });
      numbers.push({ cardNo, version: (await core.client.getCard(cardNo)).version });
    }
    return numbers;
  };
  const local = await cards(b);
  const foreign = await cards(a);
  let n = 0;
  const payLocal = async () => {
    const card = local[n++ % local.length];
    const answer = await b.client.pay({
      id: opId('bench'),
      cardNo: card?.cardNo ?? '',
      merchantId,
      amount: 10,
      cardVersion: card?.version,
    });
    if (answer.status !== 'ok') throw new Error(`local payment ${answer.code}`);
  };
  const payForeign = async () => {
    const card = foreign[n++ % foreign.length];
    const answer = await b.client.payForeign({
      id: opId('bench'),
      centreId: 'CA',
      cardNo: card?.cardNo ?? '',
      merchantId,
      amount: 10,
      cardVersion: card?.version,
    });
    if (answer.status !== 'ok') throw new Error(`foreign payment ${answer.code}`);
  };

  const latency = async (pay: () => Promise<void>) => {
    for (let i = 0; i < 30; i += 1) await pay(); // warm-up: connections, statement caches
    const ms: number[] = [];
    for (let i = 0; i < sequential; i += 1) {
      const start = performance.now();
      await pay();
      ms.push(performance.now() - start);
    }
    ms.sort((x, y) => x - y);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99) };
  };
  // How well the ledgers grouped the burst's operations into transactions (group commit, batcher.ts).
  const batchStats = () => ({ a: { ...a.core.batcher.stats }, b: { ...b.core.batcher.stats } });
  const perBatch = (from: ReturnType<typeof batchStats>, side: 'a' | 'b') => {
    const now = side === 'a' ? a.core.batcher.stats : b.core.batcher.stats;
    const batches = now.batches - from[side].batches;
    return batches === 0 ? '-' : ((now.operations - from[side].operations) / batches).toFixed(1);
  };
  const throughput = async (pay: () => Promise<void>) => {
    const from = batchStats();
    let left = burst;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left > 0) {
          left -= 1;
          await pay();
        }
      }),
    );
    const rate = burst / ((performance.now() - start) / 1000);
    return { rate, perBatchA: perBatch(from, 'a'), perBatchB: perBatch(from, 'b') };
  };

  const localLatency = await latency(payLocal);
  const foreignLatency = await latency(payForeign);
  const localRate = await throughput(payLocal);
  const foreignRate = await throughput(payForeign);
  const fmt = (x: number) => x.toFixed(1);
  console.log(`one at a time, ${sequential} payments each (ms):`);
  console.log(`  local card at B      p50 ${fmt(localLatency.p50)}  p99 ${fmt(localLatency.p99)}`);
  console.log(`  card of A at B       p50 ${fmt(foreignLatency.p50)}  p99 ${fmt(foreignLatency.p99)}`);
  console.log(
    `  added by federation  p50 ${fmt(foreignLatency.p50 - localLatency.p50)}  p99 ${fmt(foreignLatency.p99 - localLatency.p99)}`,
  );
  console.log(`${burst} payments with ${inFlight} in flight:`);
  console.log(
    `  local card at B      ${localRate.rate.toFixed(0)}/s  (operations per ledger transaction: B ${localRate.perBatchB})`,
  );
  console.log(
    `  card of A at B       ${foreignRate.rate.toFixed(0)}/s  (operations per ledger transaction: A ${foreignRate.perBatchA}, B ${foreignRate.perBatchB})`,
  );
  const check = async (core: TestCore) =>
    (await import('../src/ledger/ledger-check.ts')).checkLedger(core.core.db);
  const [checkA, checkB] = await Promise.all([check(a), check(b)]);
  console.log(
    `ledger check: A ${checkA.ok ? 'clean' : checkA.breaks.join('; ')}, B ${checkB.ok ? 'clean' : checkB.breaks.join('; ')}`,
  );
} finally {
  await federation.stop();
}
