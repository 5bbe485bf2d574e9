// Passage rules and the access log per campus (docs/campuses.md): the core lists the rules within a place
// (a campus's place tree for its administrator) — rules at the place or under it, and door groups whose
// doors all are — and the access log within it; another campus's rules and passes are not in them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { CoreError } from '../src/client/index.ts';
import type { NewRule, Place } from '../src/contract/passage.ts';

for (const dialect of dialects) {
  describe(`passage rules and access log within a campus on ${dialect}`, () => {
    let t: TestCore;
    const tree: Record<'north' | 'south', { root: Place; building: Place; door: Place; device: string }> =
      {} as never;

    const rule = (name: string, where: NewRule['where']) =>
      t.client.createPassageRule(
        { name, effect: 'allow', windows: [], who: { kind: 'everyone', value: null }, where },
        'admin:test',
      );

    before(async () => {
      t = await startTestCore(dialect);
      for (const [n, side] of (['north', 'south'] as const).entries()) {
        const root = await t.client.createPassagePlace({
          kind: 'campus',
          parentId: null,
          name: `${side}校区`,
        });
        const area = await t.client.createPassagePlace({
          kind: 'area',
          parentId: root.id,
          name: `${side}生活区`,
        });
        const building = await t.client.createPassagePlace({
          kind: 'building',
          parentId: area.id,
          name: `${side}1号楼`,
        });
        const door = await t.client.createPassagePlace({
          kind: 'door',
          parentId: building.id,
          name: `${side}1号楼正门`,
          doorKind: 'door',
        });
        const device = String(810_000 + n);
        await t.client.setDoorDevice(door.id, { deviceId: device, direction: 'in' });
        tree[side] = { root, building, door, device };
      }
      const northGroup = await t.client.createDoorGroup({ name: '北区大门', doorIds: [tree.north.door.id] });
      const bothGroup = await t.client.createDoorGroup({
        name: '两校区大门',
        doorIds: [tree.north.door.id, tree.south.door.id],
      });
      await rule('北校区全部', { kind: 'campus', id: tree.north.root.id });
      await rule('北1号楼', { kind: 'building', id: tree.north.building.id });
      await rule('北正门', { kind: 'door', id: tree.north.door.id });
      await rule('北区门组', { kind: 'door_group', id: northGroup.id });
      await rule('两校区门组', { kind: 'door_group', id: bothGroup.id });
      await rule('南正门', { kind: 'door', id: tree.south.door.id });
    });
    after(async () => {
      await t?.stop();
    });

    test("when the rules within a campus are asked for, then only that campus's places and its own door groups are there; unknown is NOT_FOUND", async () => {
      const names = async (placeId?: string) =>
        (await t.client.passageRules(placeId)).items.map((r) => r.name).sort();
      assert.deepEqual(
        await names(tree.north.root.id),
        ['北1号楼', '北区门组', '北校区全部', '北正门'].sort(),
      );
      assert.deepEqual(await names(tree.south.root.id), ['南正门']);
      // Within a building: its own rules and those under it, not the campus-wide one above it.
      assert.deepEqual(await names(tree.north.building.id), ['北1号楼', '北区门组', '北正门'].sort());
      assert.equal((await names()).length, 6);
      await assert.rejects(
        t.client.passageRules('01ZZZZZZZZZZZZZZZZZZZZZZZZ'),
        (e) => e instanceof CoreError && e.code === 'NOT_FOUND',
      );
    });

    test("when the access log is read within a campus, then only its doors' passes are there", async () => {
      const nowMs = Date.now();
      const cardNo = await openStudent(t.client);
      for (const [i, side] of (['north', 'south'] as const).entries())
        assert.ok(
          await t.client.recordAccessEvent({
            deviceId: tree[side].device,
            sequence: i + 1,
            cardNo,
            direction: 'in',
            decision: 'allow',
            reason: null,
            source: 'online',
            occurredAtMs: nowMs,
          }),
        );
      const doors = async (placeId: string) =>
        (await t.client.passageLog({ placeId, fromMs: nowMs - 60_000, toMs: nowMs + 60_000 })).items.map(
          (r) => r.doorName,
        );
      assert.deepEqual(await doors(tree.north.root.id), ['north1号楼正门']);
      assert.deepEqual(await doors(tree.south.root.id), ['south1号楼正门']);
    });
  });
}
