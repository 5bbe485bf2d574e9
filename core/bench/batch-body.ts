/**
 * npm run bench:batch-body -w core — what the JSON body of POST /v1/operations/batch costs per
 * payment (issue #20: "a binary or compact body for that call if JSON is measurably costly"). Times, in one
 * thread, each step the body goes through for batches of 1, 4, 32 and 256 payments shaped as the gateway
 * sends them: the gateway's JSON.stringify of the request and JSON.parse of the answers, the core's
 * JSON.parse and schema check (batchBody, then batchedOperation per item, as the route does) and its
 * JSON.stringify of the answers. A binary body could save at most the encode and parse parts; the schema
 * check stands for the validation any body needs. Prints µs per payment (median of BENCH_ROUNDS rounds).
 */

import { accepted, batchBody, batchedOperation } from '../src/contract/ledger.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const paymentsPerRound = Number(process.env.BENCH_PAYMENTS ?? 20_000);

function payment(i: number) {
  return {
    kind: 'payment' as const,
    id: `dev:${1_000 + (i % 1_000)}:${100_000 + i}`,
    cardNo: `9${String(i % 20_000).padStart(11, '0')}`,
    merchantId: '01JEXAMPLEMERCHANT00000001',
    deviceId: String(1_000 + (i % 1_000)),
    amount: 1 + (i % 2_000),
    cardVersion: 3,
    codeId: `qr:9${String(i % 20_000).padStart(11, '0')}:1796662355:${i % 100}:3f9a0c1d2b4e5f60`,
  };
}

function answer(i: number) {
  return accepted.parse({
    status: 'ok',
    id: `dev:${1_000 + (i % 1_000)}:${100_000 + i}`,
    kind: 'payment',
    amount: 1 + (i % 2_000),
    subsidyAmount: 0,
    mainAmount: 1 + (i % 2_000),
    cardNo: `9${String(i % 20_000).padStart(11, '0')}`,
    balance: { main: 98_765, subsidy: 0 },
    createdAtMs: 1_796_662_355_123,
  });
}

/** µs per payment of `step` over batches of `size`, the median of the rounds. */
function measure(size: number, step: (batch: Batch) => void): number {
  const batches: Batch[] = [];
  for (let start = 0; start < paymentsPerRound; start += size) {
    const operations = Array.from({ length: size }, (_, k) => payment(start + k));
    const answers = operations.map((_, k) => ({ ...answer(start + k), replayed: false }));
    const requestText = JSON.stringify({ operations });
    const answerText = JSON.stringify({ answers });
    batches.push({ operations, answers, requestText, answerText });
  }
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.cpuUsage();
    for (const batch of batches) step(batch);
    const used = process.cpuUsage(started);
    results.push((used.user + used.system) / (batches.length * size));
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)] as number;
}

interface Batch {
  operations: ReturnType<typeof payment>[];
  answers: unknown[];
  requestText: string;
  answerText: string;
}

let sink = 0;
const steps: [string, (batch: Batch) => void][] = [
  [
    'gateway: encode request (JSON.stringify + Buffer)',
    (b) => {
      sink += Buffer.from(JSON.stringify({ operations: b.operations })).byteLength;
    },
  ],
  [
    'gateway: parse answers (JSON.parse)',
    (b) => {
      sink += (JSON.parse(b.answerText) as { answers: unknown[] }).answers.length;
    },
  ],
  [
    'core: parse request (JSON.parse)',
    (b) => {
      sink += (JSON.parse(b.requestText) as { operations: unknown[] }).operations.length;
    },
  ],
  [
    'core: check request (batchBody + batchedOperation each)',
    (b) => {
      const { operations } = batchBody.parse(JSON.parse(b.requestText));
      for (const item of operations) sink += batchedOperation.parse(item).kind.length;
    },
  ],
  [
    'core: encode answers (JSON.stringify)',
    (b) => {
      sink += JSON.stringify({ answers: b.answers }).length;
    },
  ],
];

console.log(`batch body cost, µs per payment (median of ${rounds} rounds of ${paymentsPerRound} payments)`);
const sizes = [1, 4, 32, 256];
console.log(`${'step'.padEnd(58)}${sizes.map((s) => `${s} a batch`.padStart(12)).join('')}`);
for (const [name, step] of steps) {
  const cells = sizes.map((size) => measure(size, step).toFixed(2).padStart(12));
  console.log(`${name.padEnd(58)}${cells.join('')}`);
}
const sample = JSON.stringify({ operations: [payment(1)] });
console.log(
  `one payment in the request body: ${Buffer.byteLength(sample) - '{"operations":[]}'.length} bytes`,
);
if (sink < 0) console.log(sink);
