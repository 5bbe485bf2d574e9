import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStudent, redisUrl } from '@campus-card/tests/kit';
import { frameFlags } from '../src/protocol/index.ts';

const encryptedFlag = frameFlags.encrypted;

import type { RunningGateway } from '../src/server.ts';
import { registerDevice, startGatewayFor, startWorld, TestDevice, type TestWorld } from './support.ts';

const admin = { type: 'admin', id: 'A1' } as const;

async function signedIn(world: TestWorld, port: number): Promise<TestDevice> {
  const { deviceId, key } = await registerDevice(world);
  const device = await TestDevice.connect(port, deviceId, key);
  const accepted = await device.signIn();
  assert.equal(accepted.message.kind, 'sign_in_accepted');
  // A new device is sent its default configuration first (#12.21); the tests here wait for deltas.
  assert.equal((await device.nextPush()).message.kind, 'config_push');
  return device;
}

async function untilGatewayVersion(gateway: RunningGateway, version: number): Promise<void> {
  for (let i = 0; i < 200 && gateway.blacklist.version < version; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('blacklist over Redis, two gateway instances', () => {
  let world: TestWorld;
  let second: RunningGateway;
  before(async () => {
    // The poll is slowed to a minute: only the Redis announcement can deliver within the test's second.
    const env = { REDIS_URL: redisUrl, BLACKLIST_POLL_INTERVAL_MS: '60000' };
    world = await startWorld({}, env, { REDIS_URL: redisUrl });
    second = await startGatewayFor(world.core, {}, env);
  });
  after(async () => {
    await second.close();
    await world.stop();
  });

  test('when a card is reported lost, then every device on both instances gets the encrypted delta within 1 s', async () => {
    // Goal: the incremental push reaches all connected devices across instances (protocol § 10.5).
    const devices = [
      await signedIn(world, world.gateway.port),
      await signedIn(world, world.gateway.port),
      await signedIn(world, second.port),
    ];
    const cardNo = await openStudent(world.client);
    const from = world.gateway.blacklist.version;
    const startedMs = Date.now();
    await world.client.changeCard(cardNo, 'report_loss', admin);
    for (const device of devices) {
      const push = await device.nextPush(1_000);
      assert.ok(Date.now() - startedMs < 1_000, 'delivered within a second');
      assert.equal(push.flags & encryptedFlag, encryptedFlag);
      assert.deepEqual(push.message, {
        kind: 'blacklist_delta',
        fromVersion: from,
        toVersion: from + 1,
        changes: [{ op: 'add', cardNo, cardVersionMax: 0xffff_ffff, reason: 'lost' }],
      });
      device.close();
    }
  });
});

describe('blacklist download', () => {
  let world: TestWorld;
  before(async () => {
    // No Redis: the in-process announcement of the embedded default, poll slowed to prove it is not needed.
    let feed: ((version: number) => void) | undefined;
    world = await startWorld(
      {
        blacklistFeed: (listener) => {
          feed = listener;
        },
      },
      { BLACKLIST_POLL_INTERVAL_MS: '60000' },
    );
    world.core.core.blacklist.onPublished((version) => feed?.(version));
  });
  after(async () => {
    await world.stop();
  });

  test('when a device signs in with no list and asks, then it gets the whole list in an encrypted chunk', async () => {
    // Goal: the versioned full download at sign-in.
    const frozen = await openStudent(world.client);
    const version = (await world.core.core.blacklist.version()) + 1;
    await world.client.changeCard(frozen, 'freeze', admin);
    await untilGatewayVersion(world.gateway, version);
    const device = await signedIn(world, world.gateway.port);
    const heartbeat = await device.request({
      kind: 'heartbeat',
      configVersion: 0,
      blacklistVersion: 0,
      offlineRecordsPending: 0,
    });
    assert.equal(heartbeat.message.kind === 'heartbeat_ack' && heartbeat.message.blacklistVersion, version);
    const chunk = await device.request({
      kind: 'blacklist_request',
      haveVersion: 0,
      version: 0,
      chunkIndex: 0,
    });
    assert.equal(chunk.flags & encryptedFlag, encryptedFlag);
    assert.deepEqual(chunk.message, {
      kind: 'blacklist_chunk',
      version,
      chunkIndex: 0,
      chunkCount: 1,
      entries: [{ cardNo: frozen, cardVersionMax: 0xffff_ffff, reason: 'frozen' }],
    });
    device.close();
  });

  test('when a device is a few versions behind, then it is answered a delta from its version', async () => {
    // Goal: a device that missed pushes catches up without downloading everything.
    const device = await signedIn(world, world.gateway.port);
    const have = world.gateway.blacklist.version;
    const cardNo = await openStudent(world.client);
    await world.client.changeCard(cardNo, 'freeze', admin);
    await world.client.changeCard(cardNo, 'unfreeze', admin);
    await untilGatewayVersion(world.gateway, have + 2);
    const card = await world.client.getCard(cardNo);
    const delta = await device.request({
      kind: 'blacklist_request',
      haveVersion: have,
      version: 0,
      chunkIndex: 0,
    });
    assert.deepEqual(delta.message, {
      kind: 'blacklist_delta',
      fromVersion: have,
      toVersion: have + 2,
      changes: [
        { op: 'add', cardNo, cardVersionMax: 0xffff_ffff, reason: 'frozen' },
        { op: 'add', cardNo, cardVersionMax: card.version - 1, reason: 'reissued' },
      ],
    });
    device.close();
  });

  test('when a device asks for a snapshot version or chunk the gateway does not hold, then it gets chunk 0 of the latest', async () => {
    // Goal: a download that outlived its snapshot starts over instead of mixing two versions.
    const device = await signedIn(world, world.gateway.port);
    const latest = world.gateway.blacklist.version;
    for (const request of [
      { version: latest + 1_000, chunkIndex: 3 },
      { version: latest, chunkIndex: 9 },
    ]) {
      const answer = await device.request({ kind: 'blacklist_request', haveVersion: 0, ...request });
      assert.equal(answer.message.kind, 'blacklist_chunk');
      assert.equal(answer.message.kind === 'blacklist_chunk' && answer.message.version, latest);
      assert.equal(answer.message.kind === 'blacklist_chunk' && answer.message.chunkIndex, 0);
    }
    device.close();
  });
});
