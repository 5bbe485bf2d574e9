import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { openStudent } from '@campus-card/tests/kit';
import { openKv } from '../../bff/src/kv/index.ts';
import { createRedis, redisNames } from '../../core/src/redis.ts';
import { registerDevice, startWorld, TestDevice, type TestWorld } from '../../device-gateway/test/support.ts';

/**
 * Redis failover under running services: a master and a replica with three Sentinels of this test's
 * own (loopback ports 6391/6392 and 26391–26393, rendered from deploy/redis/*.conf; the shared Redis
 * on 6379 is never touched), a core and a gateway whose REDIS_URL is the redis+sentinel:// URL, and
 * the BFF's kv on the same URL. kill -9 of the master; the sentinels promote the replica; then a PIN
 * lockout counter counted before the kill goes on counting to its lock on the new master, and a card
 * reported lost reaches a signed-in device through the core's publisher and the gateway's
 * resubscribed subscriber (the gateway's poll is slowed to a minute, so only the push can deliver).
 * Run with `npm run cluster:test` (not part of `npm test`).
 */
const execFileAsync = promisify(execFile);
const redisPorts = [6391, 6392] as const;
const sentinelPorts = [26391, 26392, 26393] as const;
const master = 'cc-test-master';
const sentinelUrl = `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${master}`;
const deploy = new URL('../../deploy/redis/', import.meta.url).pathname;
const admin = { type: 'admin', id: 'A1' } as const;

let dir = '';
const pidFiles: string[] = [];

/** Starts a daemonizing redis-server and waits for its parent to exit; the daemon keeps no pipe of ours. */
async function daemon(...args: string[]): Promise<void> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, `redis-server ${args.join(' ')} exited with ${code}`);
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-p', String(port), ...args], { timeout: 5_000 });
  return stdout.trim();
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function render(template: string, port: number, extra: Record<string, string>): Promise<string> {
  let text = (await readFile(join(deploy, template), 'utf8'))
    .replaceAll('@PORT@', String(port))
    .replaceAll('@ADDR@', '127.0.0.1')
    .replaceAll('@DIR@', dir);
  for (const [key, value] of Object.entries(extra)) text = text.replaceAll(key, value);
  const file = join(dir, `${template.replace('.conf', '')}-${port}.conf`);
  await writeFile(file, text);
  return file;
}

async function pidOf(file: string): Promise<number> {
  return until(`pid in ${file}`, async () => {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return pid > 0 ? pid : undefined;
  });
}

async function masterPort(): Promise<number> {
  const answer = await cli(sentinelPorts[0], 'sentinel', 'get-master-addr-by-name', master);
  return Number(answer.split('\n')[1]);
}

let world: TestWorld | undefined;

before(async () => {
  for (const port of [...redisPorts, ...sentinelPorts]) {
    const inUse = await cli(port, 'ping').catch(() => '');
    assert.notEqual(inUse, 'PONG', `port ${port} is already in use`);
  }
  dir = await mkdtemp(join(tmpdir(), 'cc-redis-failover-'));
  for (const [i, port] of redisPorts.entries()) {
    const conf = await render('redis.conf', port, {
      '@REPLICAOF@': i === 0 ? '' : `replicaof 127.0.0.1 ${redisPorts[0]}`,
    });
    await daemon(conf);
    pidFiles.push(join(dir, `redis-${port}.pid`));
  }
  await until('replica in sync', async () =>
    (await cli(redisPorts[1], 'info', 'replication')).includes('master_link_status:up') ? true : undefined,
  );
  for (const port of sentinelPorts) {
    const conf = await render('sentinel.conf', port, { '@MASTER@': `127.0.0.1 ${redisPorts[0]}` });
    await writeFile(conf, (await readFile(conf, 'utf8')).replaceAll('mymaster', master));
    // redis-sentinel is redis-server in Sentinel mode (Debian's redis-sentinel package is a link to it).
    await daemon(conf, '--sentinel');
    pidFiles.push(join(dir, `sentinel-${port}.pid`));
  }
  // Every sentinel knows the replica and the others before the master dies (else no quorum).
  await until('sentinels see each other', async () => {
    const info = await cli(sentinelPorts[0], 'info', 'sentinel');
    return /slaves=1,sentinels=3/.test(info) ? true : undefined;
  });
  const env = { REDIS_URL: sentinelUrl, BLACKLIST_POLL_INTERVAL_MS: '60000' };
  world = await startWorld({}, env, { REDIS_URL: sentinelUrl });
});

after(async () => {
  try {
    await world?.stop();
  } finally {
    await stopRedis();
  }
});

async function stopRedis(): Promise<void> {
  for (const file of pidFiles) {
    const pid = await readFile(file, 'utf8').then(Number, () => 0);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}

test('kill -9 of the Redis master: lockout counting and the blacklist push go on after the failover', async () => {
  assert.ok(world);
  const kv = openKv(sentinelUrl, `cc-failover-${process.pid}:`);
  try {
    const { deviceId, key } = await registerDevice(world);
    const device = await TestDevice.connect(world.gateway.port, deviceId, key);
    assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
    assert.equal((await device.nextPush()).message.kind, 'config_push');

    const bffChannel = `cc-failover-${process.pid}:failover-check`;
    const heard = new Promise<string>((resolve) => {
      void kv.subscribe('failover-check', resolve);
    });
    await until('bff subscribed', async () =>
      Number((await cli(redisPorts[0], 'pubsub', 'numsub', bffChannel)).split('\n')[1]) >= 1
        ? true
        : undefined,
    );

    // Two wrong PINs of three allowed, counted before the kill and replicated to the replica.
    const counters = [{ key: 'pin-failures:failover', max: 3 }];
    for (let i = 0; i < 2; i++) {
      assert.equal((await kv.reserveAttempt(counters, 600_000)).allowed, true);
      assert.equal((await kv.failAttempt(counters)).locked, false);
    }
    await until('counter replicated', async () =>
      (await cli(redisPorts[1], 'get', `cc-failover-${process.pid}:pin-failures:failover`)) === '2'
        ? true
        : undefined,
    );
    // The gateway's subscriber listens on the master before the kill.
    const blacklistChannel = redisNames(world.core.redisPrefix).channels.blacklist;
    assert.ok(Number((await cli(redisPorts[0], 'pubsub', 'numsub', blacklistChannel)).split('\n')[1]) >= 1);

    const oldMasterPid = await pidOf(join(dir, `redis-${redisPorts[0]}.pid`));
    process.kill(oldMasterPid, 'SIGKILL');
    const promoted = await until('the sentinels promote the replica', async () =>
      (await masterPort()) === redisPorts[1] ? true : undefined,
    );
    assert.equal(promoted, true);
    assert.match(await cli(redisPorts[1], 'info', 'replication'), /role:master/);

    // The third wrong PIN locks the card on the new master: the count went on from 2.
    const third = await until('kv answers on the new master', async () =>
      kv.reserveAttempt(counters, 600_000),
    );
    assert.equal(third.allowed, true);
    assert.equal((await kv.failAttempt(counters)).locked, true);
    assert.equal((await kv.reserveAttempt(counters, 600_000)).allowed, false);

    // The gateway's subscriber resubscribed on the new master (ioredis autoResubscribe); then a card
    // reported lost is pushed to the device through Redis alone.
    await until('the gateway resubscribed', async () =>
      Number((await cli(redisPorts[1], 'pubsub', 'numsub', blacklistChannel)).split('\n')[1]) >= 1
        ? true
        : undefined,
    );
    const cardNo = await openStudent(world.client);
    const from = world.gateway.blacklist.version;
    await world.client.changeCard(cardNo, 'report_loss', admin);
    const push = await device.nextPush(10_000);
    assert.deepEqual(push.message, {
      kind: 'blacklist_delta',
      fromVersion: from,
      toVersion: from + 1,
      changes: [{ op: 'add', cardNo, cardVersionMax: 0xffff_ffff, reason: 'lost' }],
    });
    device.close();

    // The BFF's subscription, made before the kill, resubscribed as well.
    const publisher = createRedis(sentinelUrl);
    publisher.on('error', () => {});
    await until('bff subscriber on the new master', async () =>
      Number((await cli(redisPorts[1], 'pubsub', 'numsub', bffChannel)).split('\n')[1]) >= 1
        ? true
        : undefined,
    );
    await publisher.publish(bffChannel, 'after');
    assert.equal(await heard, 'after');
    await publisher.quit();
  } finally {
    await kv.close();
  }
});
