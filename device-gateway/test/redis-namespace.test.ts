import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redisUrl } from '@campus-card/tests/kit';
import { DoorController } from '../../mock/devices/door-controller.ts';
import { startWorld, type TestWorld } from './support.ts';

// Two deployments (two card centres, or staging beside production) sharing one Redis, each under its own
// REDIS_PREFIX: device ids repeat between them, so a door command heard across the namespaces would open
// the other deployment's door of the same id.
describe('two deployments on one Redis, each in its own namespace (REDIS_PREFIX)', () => {
  const worlds: TestWorld[] = [];
  before(async () => {
    for (let i = 0; i < 2; i++)
      worlds.push(
        await startWorld(
          {},
          { REDIS_URL: redisUrl, BLACKLIST_POLL_INTERVAL_MS: '60000' },
          { REDIS_URL: redisUrl },
        ),
      );
  });
  after(async () => {
    for (const w of worlds) await w.stop();
  });

  /** A door with a door controller of device id `id`, signed in at the world's gateway. */
  async function doorAt(
    world: TestWorld,
    id: string,
  ): Promise<{ doorId: string; controller: DoorController }> {
    const campus = await world.client.createPassagePlace({ kind: 'campus', parentId: null, name: '主校区' });
    const building = await world.client.createPassagePlace({
      kind: 'building',
      parentId: campus.id,
      name: '实验楼',
    });
    const door = await world.client.createPassagePlace({
      kind: 'door',
      parentId: building.id,
      name: '北门',
      doorKind: 'door',
    });
    const device = await world.client.registerDevice({ id, kind: 'gate', merchantId: world.merchantId });
    await world.client.setDoorDevice(door.id, { deviceId: id, direction: 'in' });
    const controller = await DoorController.connect({
      port: world.gateway.port,
      deviceId: Number(id),
      key: new Uint8Array(Buffer.from(device.keyHex, 'hex')),
    });
    return { doorId: door.id, controller };
  }

  /** Waits for the controller's next door command (rule-table deltas may come first). */
  async function nextCommand(controller: DoorController): Promise<string | undefined> {
    const before = controller.door.commands.length;
    while (controller.door.commands.length === before) await controller.nextPush();
    return controller.door.commands.at(-1)?.command;
  }

  test('when deployment A holds its door open, then A’s door obeys and B’s door of the same device id hears only B’s own command', async () => {
    const [a, b] = worlds as [TestWorld, TestWorld];
    assert.notEqual(a.core.redisPrefix, b.core.redisPrefix);
    const id = String(7_000_000 + (process.pid % 100_000));
    const atA = await doorAt(a, id);
    const atB = await doorAt(b, id);
    try {
      const heardAtA = nextCommand(atA.controller);
      const heardAtB = nextCommand(atB.controller);
      await a.client.doorCommand(atA.doorId, { command: 'hold_open', seconds: 60, reason: '搬运设备' });
      assert.equal(await heardAtA, 'hold_open');
      // B's own command goes out after A's on the same Redis: had B's gateway heard A's channel, A's
      // hold_open would have reached B's door first (one subscriber connection delivers in order).
      await b.client.doorCommand(atB.doorId, { command: 'open', reason: '访客' });
      assert.equal(await heardAtB, 'open');
      assert.deepEqual(
        atB.controller.door.commands.map((c) => c.command),
        ['open'],
      );
      assert.equal(atA.controller.door.open, true);
    } finally {
      atA.controller.close();
      atB.controller.close();
    }
  });
});
