/**
 * npm run bench:gateway — the device gateway under load, each part in its own process: MariaDB, the core
 * (spawned), the gateway (spawned) and this load generator, all on the same machine.
 *
 *  (a) BENCH_POS (1,000) POS terminals connect and sign in, then pay at BENCH_RATE payments/s in total
 *      (open loop: each terminal pays on its own schedule) for BENCH_SECONDS; every payment is a fresh
 *      signed QR code → gateway (verify) → core → MariaDB. The codes and frames are made before the run
 *      (phones and tills sign on their own CPUs) and one 1 ms timer sends them. Prints payments/s,
 *      end-to-end p50/p99 (of the approved payments and of the BUSY refusals apart), a second-by-second
 *      timeline, and the main figure: CPU time per approved payment in each process (gateway, core,
 *      MariaDB, this load generator), from each process's CPU time over the run (/proc/<pid>/stat utime +
 *      stime; process.cpuUsage() here) divided by approvals.
 *  (b) BENCH_IDLE (10,000) devices connect, sign in and heartbeat; prints the gateway's RSS before and
 *      after, and per connection.
 *  (c) With them connected, BENCH_LOSSES cards are reported lost one after the other; prints the time
 *      from each report to the last device receiving the BLACKLIST_DELTA push (p50/p99/max over devices).
 *
 * Needs MariaDB at 127.0.0.1:3306 and Redis at 127.0.0.1:6379 (the core publishes blacklist versions
 * there). The figures go to docs/benchmarks.md, "Device gateway". One job a module: options.ts (knobs),
 * seed.ts (devices), phone.ts (code signing), bench-device.ts (a terminal), processes.ts (the gateway's
 * process), cpu.ts (CPU per process), load.ts (a's payments, made ahead and sent on time), payments.ts (a),
 * idle.ts (b, c), report.ts (printing).
 */

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, spawnCore } from '@campus-card/tests/kit';
import { seedFundedCards } from '../../core/bench/support.ts';
import { CoreClient } from '../../core/src/client/index.ts';
import { openDatabase } from '../../core/src/db/database.ts';
import { connectMany } from './bench-device.ts';
import { databasePid } from './cpu.ts';
import { runBlacklistPush, runIdle } from './idle.ts';
import { campusKey, options, piiKeyHex, serviceKey } from './options.ts';
import { runPayments } from './payments.ts';
import { bindPhone } from './phone.ts';
import { coreReady, freePort, spawnGateway } from './processes.ts';
import { fmt } from './report.ts';
import { seedDevices } from './seed.ts';

async function main(): Promise<void> {
  console.log(
    `gateway bench — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}; core, gateway and load generator in separate processes`,
  );
  const database = await freshDatabase('mysql');
  const core = await spawnCore({
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${serviceKey.keyId}:${serviceKey.secret}`,
    PII_KEY: piiKeyHex,
    REDIS_URL: options.redisUrl,
    PAY_INTERVAL_MS_MIN: '0',
  });
  await coreReady(core.url);
  const client = new CoreClient({ url: core.url, ...serviceKey });
  const db = openDatabase(database.url, { poolMax: 4 });
  let gateway: ChildProcess | undefined;
  try {
    const merchant = await client.createMerchant({ name: '压测食堂', category: 'canteen' });
    const cardNos = await seedFundedCards(db, options.cardsCount, 10_000_000);
    const devices = await seedDevices(db, merchant.id, options.posCount, options.idleCount);
    const phones = await Promise.all(cardNos.map((cardNo) => bindPhone(cardNo)));
    const port = await freePort();
    // Its /metrics tell the time a payment spent inside it and its event loop's delay (part (a)).
    const healthPort = await freePort();
    gateway = await spawnGateway(
      {
        CORE_URL: core.url,
        CORE_KEY_ID: serviceKey.keyId,
        CORE_SECRET: serviceKey.secret,
        CAMPUS_KEYS: `1:${Buffer.from(campusKey.publicKey).toString('hex')}`,
        REDIS_URL: options.redisUrl,
        HEARTBEAT_INTERVAL_SECONDS: '30',
        GATEWAY_CONNECTIONS_MAX: String(options.posCount + options.idleCount + 100),
        GATEWAY_HEALTH_PORT: String(healthPort),
      },
      port,
    );
    const gatewayPid = gateway.pid as number;
    console.log(
      `  seeded ${fmt(options.cardsCount)} cards and ${fmt(devices.length)} devices; gateway pid ${gatewayPid}`,
    );

    const pos = await connectMany(port, devices.slice(0, options.posCount), 'pos', 50);
    const pids = {
      gateway: gatewayPid,
      core: core.child.pid as number,
      database: options.mysqldPid ?? databasePid(database.url),
    };
    await runPayments(pos, phones, pids, db, core.url, `http://127.0.0.1:${healthPort}/metrics`);
    for (const device of pos) device.close();
    await sleep(1_000);

    const idle = await runIdle(port, gatewayPid, devices.slice(options.posCount));
    await runBlacklistPush(client, idle, cardNos.slice(0, options.lossesCount));
    for (const d of idle) d.close();
  } finally {
    gateway?.kill('SIGTERM');
    if (gateway && gateway.exitCode === null) await once(gateway, 'exit');
    await client.close();
    await db.close();
    await core.stop();
    await database.drop();
  }
}

await main();
