/**
 * npm run bench:gateway — the device gateway under load, each part in its own process: MariaDB, the core
 * (spawned), the gateway (spawned) and this load generator, all on the same machine.
 *
 *  (a) BENCH_POS (1,000) POS terminals connect and sign in, then pay at BENCH_RATE payments/s in total
 *      (open loop: each terminal pays on its own schedule) for BENCH_SECONDS; every payment is a fresh
 *      signed QR code → gateway (verify) → core → MariaDB. Prints payments/s, end-to-end p50/p99 (of the
 *      approved payments and of the BUSY refusals apart), and the main figure: CPU time per approved
 *      payment in each process (gateway, core, MariaDB, this load generator), from each process's CPU
 *      time over the run (/proc/<pid>/stat utime + stime; process.cpuUsage() here) divided by approvals.
 *  (b) BENCH_IDLE (10,000) devices connect, sign in and heartbeat; prints the gateway's RSS before and
 *      after, and per connection.
 *  (c) With them connected, BENCH_LOSSES cards are reported lost one after the other; prints the time
 *      from each report to the last device receiving the BLACKLIST_DELTA push (p50/p99/max over devices).
 *
 * Needs MariaDB at 127.0.0.1:3306 and Redis at 127.0.0.1:6379 (the core publishes blacklist versions
 * there). The figures go to docs/benchmarks.md, "Device gateway".
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, spawnCore } from '@campus-card/tests/kit';
import { seedFundedCards } from '../../core/bench/support.ts';
import { CoreClient } from '../../core/src/client/index.ts';
import { encodeCodeBody } from '../../core/src/credential/code.ts';
import {
  campusSigningKeyFromSecret,
  codeToText,
  generatePhoneKeyPair,
  issueCertificate,
  webCryptoRandom,
} from '../../core/src/credential/index.ts';
import { signatureTags } from '../../core/src/credential/layout.ts';
import { taggedMessage } from '../../core/src/credential/signature.ts';
import { openDatabase } from '../../core/src/db/database.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { createPii } from '../../core/src/pii.ts';
import {
  anonymousKey,
  type DeviceKind,
  decodeFrame,
  deriveSessionKey,
  encodeFrame,
  type FrameKeys,
  FrameSplitter,
  type Message,
  MessageType,
  prepareKey,
  signInResponse,
} from '../src/protocol/index.ts';

const posCount = Number(process.env.BENCH_POS ?? 1_000);
const rate = Number(process.env.BENCH_RATE ?? 3_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
/** The first seconds of (a) are also reported apart: connections, JIT and caches warming up. */
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const idleCount = Number(process.env.BENCH_IDLE ?? 10_000);
const lossesCount = Number(process.env.BENCH_LOSSES ?? 5);
const cardsCount = Number(process.env.BENCH_CARDS ?? 2_000);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const serviceKey = { keyId: 'bench', secret: 'bench-secret-0123456789abcdef' };
const piiKeyHex = randomBytes(32).toString('hex');
const campusSecret = new Uint8Array(32).fill(9);
const campusKey = campusSigningKeyFromSecret(1, campusSecret);

const line = (label: string, value: string) => console.log(`  ${label.padEnd(52)} ${value}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] as number;
}

/** A phone that signs codes with OpenSSL (the app's noble signer takes ~1.3 ms, too slow for a load generator). */
interface Phone {
  code(nowMs: number): string;
}

async function bindPhone(cardNo: string): Promise<Phone> {
  const keyPair = await generatePhoneKeyPair(webCryptoRandom);
  const certificate = issueCertificate(campusKey, {
    card: { cardNo, personType: 'student', cardVersion: 1 },
    phonePublicKey: keyPair.publicKey,
    validFromMs: Date.now() - 60_000,
  });
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), keyPair.secretKey]),
    format: 'der',
    type: 'pkcs8',
  });
  let counter = 0;
  return {
    code(nowMs) {
      counter = (counter + 1) & 0xffff;
      const body = encodeCodeBody(certificate, nowMs, counter);
      const signature = sign(null, taggedMessage(signatureTags.code, body), key);
      return codeToText(Buffer.concat([body, signature]));
    },
  };
}

const anonymousKeys: FrameKeys = { macKey: prepareKey(anonymousKey) };

/** A lean terminal for load: frames matched to requests by sequence, pushes counted by type. */
class BenchDevice {
  private readonly splitter = new FrameSplitter();
  private readonly waiting = new Map<number, (message: Message) => void>();
  /** The device key and, once signed in, the session key, prepared once as KeyObjects (as the gateway does). */
  private keys: FrameKeys;
  private sequence = 1;
  onPush: ((type: number) => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly deviceId: number,
    key: Uint8Array,
  ) {
    this.keys = { macKey: prepareKey(key) };
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
  }

  static async connect(
    port: number,
    deviceId: number,
    key: Uint8Array,
    kind: DeviceKind,
  ): Promise<BenchDevice> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await once(socket, 'connect');
    const device = new BenchDevice(socket, deviceId, key);
    const challenge = await device.answerTo(0);
    if (challenge.kind !== 'challenge') throw new Error(`expected CHALLENGE, got ${challenge.kind}`);
    const deviceNonce = new Uint8Array(randomBytes(16));
    const accepted = await device.request({
      kind: 'sign_in',
      deviceKind: kind,
      deviceNonce,
      response: signInResponse(key, deviceId, challenge.serverNonce, deviceNonce),
      configVersion: 0,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
      firmware: 'bench/1.0',
    });
    if (accepted.kind !== 'sign_in_accepted') throw new Error(`sign-in refused: ${JSON.stringify(accepted)}`);
    device.keys = {
      macKey: device.keys.macKey,
      sessionKey: prepareKey(deriveSessionKey(key, deviceId, challenge.serverNonce, deviceNonce)),
    };
    return device;
  }

  request(message: Message): Promise<Message> {
    this.sequence += 1;
    const answer = this.answerTo(this.sequence);
    this.socket.write(
      encodeFrame(
        message,
        { deviceId: this.deviceId, sequence: this.sequence, timestampMs: Date.now() },
        this.keys,
      ),
    );
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }

  private answerTo(sequence: number): Promise<Message> {
    return new Promise((resolve) => this.waiting.set(sequence, resolve));
  }

  private receive(chunk: Buffer): void {
    for (const frame of this.splitter.push(chunk).frames) {
      const type = frame[5] as number;
      const sequence =
        ((frame[11] as number) << 24) |
        ((frame[12] as number) << 16) |
        ((frame[13] as number) << 8) |
        (frame[14] as number);
      if (sequence === 0 && type !== MessageType.CHALLENGE) {
        // Pushes are timed on arrival; a device would decrypt and apply them.
        this.onPush?.(type);
        continue;
      }
      const waiter = this.waiting.get(sequence >>> 0);
      if (waiter === undefined) continue;
      this.waiting.delete(sequence >>> 0);
      const anonymous = type === MessageType.CHALLENGE;
      const decoded = decodeFrame(frame, anonymous ? anonymousKeys : this.keys);
      if (decoded.ok) waiter(decoded.value.message);
    }
  }
}

/** A port nothing listens on now (a random one could meet an ephemeral port already in use). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/** Kernel clock ticks per second, the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in µs, from /proc/<pid>/stat (fields 14 and 15). */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicks;
}

/**
 * The pid of the MariaDB (or MySQL) server the bench's database lives on: BENCH_MYSQLD_PID, else the
 * mariadbd/mysqld process holding the socket that listens on the database URL's port (several servers may
 * run on one machine). Reading other processes' descriptors needs the same user or root.
 */
function databasePid(databaseUrl: string): number | undefined {
  if (process.env.BENCH_MYSQLD_PID) return Number(process.env.BENCH_MYSQLD_PID);
  const port = Number(new URL(databaseUrl).port || 3306);
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is the tenth column.
      if (cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A' && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm !== 'mariadbd' && comm !== 'mysqld') continue;
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      }
    } catch {
      // Ended while read, or not ours to read.
    }
  }
  return undefined;
}

/** CPU used by each process of the payment path, read before and after a run. */
function cpuSnapshot(pids: { gateway: number; core: number; database: number | undefined }) {
  const self = process.cpuUsage();
  return {
    gateway: processCpuUs(pids.gateway),
    core: processCpuUs(pids.core),
    database: pids.database === undefined ? Number.NaN : processCpuUs(pids.database),
    loadGenerator: self.user + self.system,
  };
}

async function spawnGateway(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      // GATEWAY_CPU_PROF_DIR=/tmp/prof writes a CPU profile of the gateway when it stops.
      ...(process.env.GATEWAY_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.GATEWAY_CPU_PROF_DIR}`]
        : []),
      '--import',
      'tsx',
      new URL('../src/server.ts', import.meta.url).pathname,
    ],
    {
      env: { ...process.env, GATEWAY_PORT: String(port), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return child;
    await sleep(100);
  }
  throw new Error('gateway did not start');
}

/** Connects `count` devices, at most `parallel` signing in at once. */
async function connectMany(
  port: number,
  devices: readonly { deviceId: number; key: Uint8Array }[],
  kind: DeviceKind,
  parallel: number,
): Promise<BenchDevice[]> {
  const connected: BenchDevice[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < devices.length) {
        const d = devices[next++] as { deviceId: number; key: Uint8Array };
        connected.push(await BenchDevice.connect(port, d.deviceId, d.key, kind));
      }
    }),
  );
  return connected;
}

async function main(): Promise<void> {
  console.log(
    `gateway bench — Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}; core, gateway and load generator in separate processes`,
  );
  const database = await freshDatabase('mysql');
  const core = await spawnCore({
    DATABASE_URL: database.url,
    CORE_SERVICE_KEYS: `${serviceKey.keyId}:${serviceKey.secret}`,
    PII_KEY: piiKeyHex,
    REDIS_URL: redisUrl,
    PAY_INTERVAL_MS_MIN: '0',
  });
  const client = new CoreClient({ url: core.url, ...serviceKey });
  const db = openDatabase(database.url, { poolMax: 4 });
  let gateway: ChildProcess | undefined;
  try {
    const merchant = await client.createMerchant({ name: '压测食堂', category: 'canteen' });
    const cardNos = await seedFundedCards(db, cardsCount, 10_000_000);
    // Devices straight into the registry, keys sealed the way the core seals them.
    const pii = createPii(piiKeyHex);
    const devices: { deviceId: number; key: Uint8Array; kind: DeviceKind }[] = [];
    for (let i = 0; i < posCount + idleCount; i++) {
      devices.push({
        deviceId: 100_001 + i,
        key: new Uint8Array(randomBytes(32)),
        kind: i < posCount ? 'pos' : 'gate',
      });
    }
    for (let i = 0; i < devices.length; i += 1_000) {
      const part = devices.slice(i, i + 1_000);
      await db.execute(
        `INSERT INTO devices (id, kind, merchant_id, status, key_enc, key_version, created_at_ms) VALUES ${part.map(() => "(?, ?, ?, 'active', ?, 1, ?)").join(', ')}`,
        part.flatMap((d) => [
          String(d.deviceId),
          d.kind,
          d.kind === 'pos' ? merchant.id : null,
          pii.encrypt(Buffer.from(d.key).toString('hex')),
          Date.now(),
        ]),
      );
    }
    const phones = await Promise.all(cardNos.map((cardNo) => bindPhone(cardNo)));
    const port = await freePort();
    gateway = await spawnGateway(
      {
        CORE_URL: core.url,
        CORE_KEY_ID: serviceKey.keyId,
        CORE_SECRET: serviceKey.secret,
        CAMPUS_KEYS: `1:${Buffer.from(campusKey.publicKey).toString('hex')}`,
        REDIS_URL: redisUrl,
        HEARTBEAT_INTERVAL_SECONDS: '30',
        GATEWAY_CONNECTIONS_MAX: String(posCount + idleCount + 100),
      },
      port,
    );
    const gatewayPid = gateway.pid as number;
    console.log(
      `  seeded ${fmt(cardsCount)} cards and ${fmt(devices.length)} devices; gateway pid ${gatewayPid}`,
    );

    // (a) Payments.
    const pos = await connectMany(port, devices.slice(0, posCount), 'pos', 50);
    const latencies: number[] = [];
    const steady: number[] = [];
    const approvedLatencies: number[] = [];
    const busyLatencies: number[] = [];
    const pids = { gateway: gatewayPid, core: core.child.pid as number, database: databasePid(database.url) };
    const cpuBefore = cpuSnapshot(pids);
    const outcomes = new Map<string, number>();
    const intervalMs = (1000 * posCount) / rate;
    const endAt = performance.now() + seconds * 1000;
    const steadyFrom = performance.now() + warmupSeconds * 1000;
    let sent = 0;
    await Promise.all(
      pos.map(async (device) => {
        await sleep(Math.random() * intervalMs);
        const inFlight: Promise<void>[] = [];
        while (performance.now() < endAt) {
          const phone = phones[Math.floor(Math.random() * phones.length)] as Phone;
          const started = performance.now();
          sent += 1;
          const answer = device
            .request({
              kind: 'pay',
              code: { kind: 'qr', text: phone.code(Date.now()) },
              amountFen: 1,
              orderNo: sent,
              itemNo: 0,
            })
            .then((reply) => {
              latencies.push(performance.now() - started);
              if (started >= steadyFrom) steady.push(performance.now() - started);
              const ms = performance.now() - started;
              if (reply.kind === 'pay_approved') approvedLatencies.push(ms);
              if (reply.kind === 'error' && reply.code === 'BUSY') busyLatencies.push(ms);
              const key =
                reply.kind === 'pay_declined'
                  ? `declined ${reply.reason}`
                  : reply.kind === 'error'
                    ? `error ${reply.code}`
                    : reply.kind;
              outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
            });
          inFlight.push(answer);
          await sleep(Math.max(0, started + intervalMs - performance.now()));
        }
        await Promise.all(inFlight);
      }),
    );
    const elapsedS = (performance.now() - (endAt - seconds * 1000)) / 1000;
    const cpuAfter = cpuSnapshot(pids);
    latencies.sort((a, b) => a - b);
    steady.sort((a, b) => a - b);
    approvedLatencies.sort((a, b) => a - b);
    busyLatencies.sort((a, b) => a - b);
    const approved = outcomes.get('pay_approved') ?? 0;
    const spread = (sorted: readonly number[]) =>
      sorted.length
        ? `${percentile(sorted, 0.5).toFixed(1)} / ${percentile(sorted, 0.99).toFixed(1)} / ${(sorted.at(-1) as number).toFixed(1)} ms`
        : '-';
    console.log(`(a) ${fmt(posCount)} POS terminals, offered ${fmt(rate)} payments/s for ${seconds} s`);
    line('payments answered', fmt(latencies.length));
    line('approved payments/s', `${fmt(approved / elapsedS)} /s`);
    line(
      'end-to-end latency p50 / p99 / max',
      `${latencies.length ? `${percentile(latencies, 0.5).toFixed(1)} / ${percentile(latencies, 0.99).toFixed(1)} / ${(latencies.at(-1) as number).toFixed(1)} ms` : '-'}`,
    );
    line(
      `  after the first ${warmupSeconds} s p50 / p99 / max`,
      `${steady.length ? `${percentile(steady, 0.5).toFixed(1)} / ${percentile(steady, 0.99).toFixed(1)} / ${(steady.at(-1) as number).toFixed(1)} ms` : '-'}`,
    );
    line('  approved payments p50 / p99 / max', spread(approvedLatencies));
    line('  BUSY refusals p50 / p99 / max', spread(busyLatencies));
    line('outcomes', [...outcomes].map(([k, v]) => `${k} ${fmt(v)}`).join(', '));
    const perPayment = (key: keyof typeof cpuBefore) => (cpuAfter[key] - cpuBefore[key]) / approved;
    const shares = {
      gateway: perPayment('gateway'),
      core: perPayment('core'),
      database: perPayment('database'),
      loadGenerator: perPayment('loadGenerator'),
    };
    const us = (n: number) => (Number.isFinite(n) ? `${fmt(n)} µs` : '-');
    line(
      'CPU per payment: gateway / core / MariaDB / load gen',
      `${us(shares.gateway)} / ${us(shares.core)} / ${us(shares.database)} / ${us(shares.loadGenerator)}`,
    );
    line(
      '  total of the four / without the load generator',
      `${us(shares.gateway + shares.core + shares.database + shares.loadGenerator)} / ${us(shares.gateway + shares.core + shares.database)}`,
    );
    line(
      '  MariaDB pid (its CPU for every client counts)',
      pids.database === undefined ? 'not found (set BENCH_MYSQLD_PID)' : String(pids.database),
    );
    // Nothing charged without an approval: every account still balances after the run.
    const { breaks } = await checkLedger(db);
    line('ledger check (breaks found, 0 expected)', String(breaks.length));
    for (const device of pos) device.close();
    await sleep(1_000);

    // (b) Idle devices.
    const rssBefore = rssBytes(gatewayPid);
    const idle = await connectMany(port, devices.slice(posCount), 'gate', 200);
    const heartbeats = idle.map((d) =>
      d.request({ kind: 'heartbeat', configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 }),
    );
    await Promise.all(heartbeats);
    await sleep(2_000);
    const rssAfter = rssBytes(gatewayPid);
    console.log(`(b) ${fmt(idle.length)} idle devices signed in and heartbeating`);
    line(
      'gateway RSS before / after',
      `${(rssBefore / 2 ** 20).toFixed(0)} MB / ${(rssAfter / 2 ** 20).toFixed(0)} MB`,
    );
    line('per connection', `${((rssAfter - rssBefore) / idle.length / 1024).toFixed(1)} KB`);

    // (c) Blacklist propagation to every connected device.
    console.log(
      `(c) blacklist push to ${fmt(idle.length)} devices, ${lossesCount} cards reported lost in turn`,
    );
    const lasts: number[] = [];
    for (let k = 0; k < lossesCount; k++) {
      const arrivals: number[] = [];
      let started = 0;
      for (const d of idle) {
        d.onPush = (type) => {
          if (type === MessageType.BLACKLIST_DELTA) arrivals.push(performance.now() - started);
        };
      }
      started = performance.now();
      await client.changeCard(cardNos[k] as string, 'report_loss', { type: 'admin', id: 'bench' });
      const deadline = performance.now() + 10_000;
      while (arrivals.length < idle.length && performance.now() < deadline) await sleep(5);
      arrivals.sort((a, b) => a - b);
      lasts.push(arrivals.at(-1) ?? Number.NaN);
      line(
        `report ${k + 1}: devices reached, p50 / p99 / last`,
        `${fmt(arrivals.length)}, ${percentile(arrivals, 0.5).toFixed(0)} / ${percentile(arrivals, 0.99).toFixed(0)} / ${(arrivals.at(-1) ?? Number.NaN).toFixed(0)} ms`,
      );
      await sleep(500);
    }
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
