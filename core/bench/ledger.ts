/**
 * npm run bench:ledger — payments through the core's HTTP API on MariaDB, group commit against
 * the naive baseline (one transaction per payment, merchant row updated inline), in one run.
 * 50,000 funded wallets, 20 merchants, one canteen window taking half of all payments.
 */
import { randomInt } from 'node:crypto';
import { freshDatabase, spawnCore, testServiceKey } from '@campus-card/tests/kit';
import { CoreClient } from '../src/client/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';
import { percentile, seedFundedCards } from './support.ts';

const wallets = Number(process.env.BENCH_WALLETS ?? 50_000);
const merchantsCount = 20;
const durationMs = Number(process.env.BENCH_SECONDS ?? 15) * 1000;
const clientLevels = (process.env.BENCH_CLIENTS ?? '64,256').split(',').map(Number);

interface Figures {
  label: string;
  payments: number;
  perSecond: number;
  p50: number;
  p99: number;
  rejected: number;
  operationsPerBatch: number;
}

async function phase(label: string, clients: number, env: Record<string, string>): Promise<Figures> {
  const database = await freshDatabase('mysql');
  const db = openDatabase(database.url);
  await migrate(db);
  process.stdout.write(`[${label}] seeding ${wallets} wallets `);
  const cardNos = await seedFundedCards(
    db,
    wallets,
    1_000_000,
    (done) => done % 10_000 === 0 && process.stdout.write('.'),
  );
  process.stdout.write(' done\n');
  const core = await spawnCore({
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PAY_INTERVAL_MS_MIN: '0',
    ...env,
  });
  const client = new CoreClient({ url: core.url, ...testServiceKey, connectionsMax: clients });
  const merchants: string[] = [];
  for (let i = 0; i < merchantsCount; i++)
    merchants.push((await client.createMerchant({ name: `窗口 ${i}`, category: 'canteen' })).id);
  const hot = merchants[0] as string;

  const latencies: number[] = [];
  let rejected = 0;
  let serial = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const merchantId =
          Math.random() < 0.5 ? hot : (merchants[1 + randomInt(merchantsCount - 1)] as string);
        const t0 = performance.now();
        const answer = await client.pay({
          id: `${label}-${serial++}`,
          cardNo: cardNos[randomInt(cardNos.length)] as string,
          merchantId,
          amount: 100 + randomInt(1_400),
        });
        latencies.push(performance.now() - t0);
        if (answer.status !== 'ok') rejected++;
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const health = (await (await fetch(`${core.url}/health`)).json()) as {
    batches: number;
    operations: number;
  };
  await client.close();
  await core.stop();
  const check = await checkLedger(db);
  if (!check.ok) throw new Error(`ledger check failed after ${label}: ${check.breaks.join('; ')}`);
  await db.close();
  await database.drop();
  latencies.sort((a, b) => a - b);
  return {
    label,
    payments: latencies.length,
    perSecond: latencies.length / elapsedS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rejected,
    operationsPerBatch: health.operations / health.batches,
  };
}

const probe = openDatabase(`${process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'}/mysql`);
const vars = await probe.select<{ Variable_name: string; Value: string }>(
  "SHOW VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit', 'sync_binlog', 'log_bin', 'version')",
);
await probe.close();
console.log(`durability: ${vars.map((v) => `${v.Variable_name}=${v.Value}`).join(' ')}`);
console.log(
  `wallets=${wallets} merchants=${merchantsCount} hot window share=50% duration=${durationMs / 1000}s per phase`,
);

for (const clients of clientLevels) {
  const naive = await phase('naive', clients, { LEDGER_BATCH_SIZE_MAX: '1', LEDGER_EXECUTORS: '16' });
  const grouped = await phase('group-commit', clients, {});
  console.log(`--- ${clients} concurrent clients`);
  for (const f of [naive, grouped]) {
    console.log(
      `${f.label.padEnd(13)} ${f.perSecond.toFixed(0).padStart(6)} payments/s  p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms  (${f.payments} payments, ${f.rejected} refused, ${f.operationsPerBatch.toFixed(1)} per transaction)`,
    );
  }
  console.log(
    `ratio group-commit / naive at ${clients} clients: ${(grouped.perSecond / naive.perSecond).toFixed(2)}x`,
  );
}
