// Parts (b) and (c): idle devices signed in and heartbeating (the gateway's memory per connection), then
// cards reported lost one after another (time until every device holds the BLACKLIST_DELTA push).

import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreClient } from '../../core/src/client/index.ts';
import { MessageType } from '../src/protocol/index.ts';
import { type BenchDevice, connectMany } from './bench-device.ts';
import { rssBytes } from './processes.ts';
import { fmt, line, percentile } from './report.ts';
import type { SeededDevice } from './seed.ts';

/** (b) Connects the devices and prints the gateway's RSS before and after; answers them connected. */
export async function runIdle(
  port: number,
  gatewayPid: number,
  devices: readonly SeededDevice[],
): Promise<BenchDevice[]> {
  const rssBefore = rssBytes(gatewayPid);
  const idle = await connectMany(port, devices, 'gate', 200);
  await Promise.all(
    idle.map((d) =>
      d.request({ kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 }),
    ),
  );
  await sleep(2_000);
  const rssAfter = rssBytes(gatewayPid);
  console.log(`(b) ${fmt(idle.length)} idle devices signed in and heartbeating`);
  line(
    'gateway RSS before / after',
    `${(rssBefore / 2 ** 20).toFixed(0)} MB / ${(rssAfter / 2 ** 20).toFixed(0)} MB`,
  );
  line('per connection', `${((rssAfter - rssBefore) / idle.length / 1024).toFixed(1)} KB`);
  return idle;
}

/** (c) Reports each card lost in turn and times the push to every connected device. */
export async function runBlacklistPush(
  client: CoreClient,
  idle: readonly BenchDevice[],
  cardNos: readonly string[],
): Promise<void> {
  console.log(
    `(c) blacklist push to ${fmt(idle.length)} devices, ${cardNos.length} cards reported lost in turn`,
  );
  for (const [k, cardNo] of cardNos.entries()) {
    const arrivals: number[] = [];
    let started = 0;
    for (const d of idle) {
      d.onPush = (type) => {
        if (type === MessageType.BLACKLIST_DELTA) arrivals.push(performance.now() - started);
      };
    }
    started = performance.now();
    await client.changeCard(cardNo, 'report_loss', { type: 'admin', id: 'bench' });
    const deadline = performance.now() + 10_000;
    while (arrivals.length < idle.length && performance.now() < deadline) await sleep(5);
    arrivals.sort((a, b) => a - b);
    line(
      `report ${k + 1}: devices reached, p50 / p99 / last`,
      `${fmt(arrivals.length)}, ${percentile(arrivals, 0.5).toFixed(0)} / ${percentile(arrivals, 0.99).toFixed(0)} / ${(arrivals.at(-1) ?? Number.NaN).toFixed(0)} ms`,
    );
    await sleep(500);
  }
}
