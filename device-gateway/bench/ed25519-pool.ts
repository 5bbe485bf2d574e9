/**
 * node --import tsx device-gateway/bench/ed25519-pool.ts — does verifying the phones' Ed25519 signatures on
 * a worker pool free the gateway's event loop without costing throughput (issue #20)? Verifies the same
 * signatures (BENCH_KEYS phone keys, 2,000) inline, the way the gateway does (createNodeEd25519Verify, keys
 * cached as KeyObjects), and on a pool of BENCH_WORKERS (1) worker threads fed one message a tick:
 *
 *  - at a fixed rate (BENCH_RATE, 2,000/s, for BENCH_SECONDS, 5): the main thread's event-loop utilisation
 *    (the share of time it is busy) and the process's CPU per verification (main thread and workers);
 *  - flat out (a window of 512 in flight for 3 s): verifications a second.
 *
 * The figures go to docs/benchmarks.md ("Ed25519 on a worker pool").
 */

import { generateKeyPairSync, sign } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { createNodeEd25519Verify } from '../../core/src/credential/node-ed25519.ts';

interface Job {
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * The worker, as plain JavaScript (a worker does not inherit tsx's loader): the gateway's verification,
 * public keys imported once and kept as KeyObjects; one batch in, one array of verdicts out.
 */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const prefix = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
parentPort.on('message', (batch) => {
  const ok = batch.jobs.map((j) => {
    const id = Buffer.from(j.publicKey).toString('latin1');
    let key = keys.get(id);
    if (key === undefined) {
      key = createPublicKey({ key: Buffer.concat([prefix, j.publicKey]), format: 'der', type: 'spki' });
      keys.set(id, key);
    }
    return verify(null, j.message, key, j.signature);
  });
  parentPort.postMessage({ id: batch.id, ok });
});`;

type Verify = (job: Job) => Promise<boolean>;

function inline(): Verify {
  const verify = createNodeEd25519Verify();
  return async (job) => verify(job.signature, job.message, job.publicKey);
}

/** The jobs of one tick go to the next worker in one message. */
function pool(workers: Worker[]): Verify {
  let next = 0;
  let batchId = 0;
  let pending: { job: Job; resolve: (ok: boolean) => void }[] = [];
  const waiting = new Map<number, ((ok: boolean) => void)[]>();
  for (const worker of workers) {
    worker.on('message', (answer: { id: number; ok: boolean[] }) => {
      const resolves = waiting.get(answer.id) ?? [];
      waiting.delete(answer.id);
      for (const [i, ok] of answer.ok.entries()) resolves[i]?.(ok);
    });
  }
  const flush = () => {
    const batch = pending;
    pending = [];
    batchId += 1;
    waiting.set(
      batchId,
      batch.map((p) => p.resolve),
    );
    (workers[next++ % workers.length] as Worker).postMessage({ id: batchId, jobs: batch.map((p) => p.job) });
  };
  return (job) =>
    new Promise<boolean>((resolve) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ job, resolve });
    });
}

function makeJobs(keys: number): Job[] {
  const jobs: Job[] = [];
  for (let i = 0; i < keys; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const message = new Uint8Array(Buffer.from(`campus-card code ${i} ${'x'.repeat(100)}`));
    jobs.push({ signature: new Uint8Array(sign(null, message, privateKey)), message, publicKey: raw });
  }
  return jobs;
}

async function atRate(verify: Verify, jobs: Job[], rate: number, seconds: number) {
  const total = rate * seconds;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const done: Promise<boolean>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - startedAt) * rate) / 1000) + 1);
    for (; sent < due; sent++) done.push(verify(jobs[sent % jobs.length] as Job));
    await sleep(1);
  }
  const ok = (await Promise.all(done)).every(Boolean);
  const used = process.cpuUsage(cpu);
  return {
    ok,
    elu: performance.eventLoopUtilization(elu).utilization,
    cpuUs: (used.user + used.system) / total,
  };
}

async function flatOut(verify: Verify, jobs: Job[], seconds: number): Promise<number> {
  const endAt = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: 512 }, async (_, lane) => {
      let i = lane;
      while (performance.now() < endAt) {
        await verify(jobs[i % jobs.length] as Job);
        i += 512;
        count += 1;
      }
    }),
  );
  return count / seconds;
}

async function main(): Promise<void> {
  const keys = Number(process.env.BENCH_KEYS ?? 2_000);
  const rate = Number(process.env.BENCH_RATE ?? 2_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const workerCount = Number(process.env.BENCH_WORKERS ?? 1);
  console.log(
    `Ed25519 inline vs worker pool — Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(2)}; ` +
      `${keys} keys, ${rate}/s for ${seconds} s, ${workerCount} worker(s)`,
  );
  const jobs = makeJobs(keys);
  const workers = Array.from({ length: workerCount }, () => new Worker(workerSource, { eval: true }));
  const sides: [string, Verify][] = [
    ['inline', inline()],
    [`pool of ${workerCount}`, pool(workers)],
  ];
  try {
    // Warm both (keys imported, code compiled), then alternate.
    for (const [, verify] of sides) await atRate(verify, jobs, rate, 1);
    for (let round = 1; round <= 2; round++) {
      for (const [name, verify] of sides) {
        const r = await atRate(verify, jobs, rate, seconds);
        const max = await flatOut(verify, jobs, 3);
        console.log(
          `  ${name.padEnd(10)} round ${round}: main thread busy ${(r.elu * 100).toFixed(1)} %, CPU ${r.cpuUs.toFixed(0)} µs a verification (all threads), ` +
            `flat out ${Math.round(max)}/s${r.ok ? '' : ' — A VERIFICATION FAILED'}`,
        );
      }
    }
  } finally {
    for (const worker of workers) await worker.terminate();
  }
}

await main();
