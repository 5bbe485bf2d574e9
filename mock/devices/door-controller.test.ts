import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parsePayload, serializePayload } from '@campus-card/device-gateway/protocol';
import { redisUrl } from '@campus-card/tests/kit';
import fc from 'fast-check';
import type { Curfew, PassagePersonType } from '../../core/src/contract/passage.ts';
import type { Program } from '../../core/src/passage/decide.ts';
import { decideFromTable, type RuleTable, tableCalendar } from '../../core/src/passage/rule-table.ts';
import { wireHeader } from '../../device-gateway/src/passage.ts';
import { phoneFor, registerDevice, startWorld, type TestWorld } from '../../device-gateway/test/support.ts';
import { DoorController, interpretTable } from './door-controller.ts';

// 2026-03-02 00:00 Asia/Shanghai, a Monday.
const baseMs = Date.UTC(2026, 2, 1, 16);
const spanMs = 14 * 86_400_000;
const baseDay = Math.floor((baseMs + 8 * 3_600_000) / 86_400_000);
const types: PassagePersonType[] = ['student', 'staff', 'alumnus', 'visitor'];

const programArb: fc.Arbitrary<Program> = fc.record({
  windows: fc.array(
    fc
      .record({
        weekdays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
        fromMinute: fc.integer({ min: 0, max: 1439 }),
        span: fc.integer({ min: 1, max: 1440 }),
      })
      .map((w) => ({
        weekdays: w.weekdays,
        fromMinute: w.fromMinute,
        toMinute: Math.min(1440, w.fromMinute + w.span),
      })),
    { maxLength: 3 },
  ),
  calendar: fc.constantFrom('any' as const, 'workdays' as const, 'holidays' as const, 'term' as const),
  validFromMs: fc.option(fc.integer({ min: baseMs + 1, max: baseMs + spanMs }), { nil: null }),
  validUntilMs: fc.option(fc.integer({ min: baseMs + 1, max: baseMs + spanMs }), { nil: null }),
});

const tableArb = fc
  .record({
    programs: fc.array(programArb, { minLength: 1, maxLength: 5 }),
    typeRules: fc.array(
      fc.record({
        effect: fc.constantFrom('allow' as const, 'deny' as const),
        types: fc.subarray(types, { minLength: 1 }),
        at: fc.nat(),
      }),
      { maxLength: 3 },
    ),
    cards: fc.array(
      fc.array(fc.record({ effect: fc.constantFrom('allow' as const, 'deny' as const), at: fc.nat() }), {
        maxLength: 3,
      }),
      {
        maxLength: 4,
      },
    ),
    holidays: fc.subarray([...Array(14).keys()]),
    term: fc.subarray([...Array(14).keys()]),
    curfew: fc.option(
      fc.record({
        fromMinute: fc.integer({ min: 0, max: 1439 }),
        toMinute: fc.integer({ min: 0, max: 1439 }),
        mode: fc.constantFrom('late' as const, 'refuse' as const),
      }),
      { nil: null },
    ),
    passback: fc.boolean(),
  })
  .map((t): RuleTable => {
    const n = t.programs.length;
    return {
      doorId: 'D1',
      version: 5,
      programs: t.programs,
      typeRules: t.typeRules.map((r) => ({ effect: r.effect, personTypes: r.types, program: r.at % n })),
      cards: t.cards.map((rules, i) => ({
        cardNo: String(20_240_000 + i),
        rules: rules.map((r) => ({ effect: r.effect, program: r.at % n })),
      })),
      holidays: t.holidays.map((d) => baseDay + d).sort((a, b) => a - b),
      term: t.term.map((d) => baseDay + d).sort((a, b) => a - b),
      curfew: t.curfew as Curfew | null,
      passbackAreaId: t.passback ? 'A1' : null,
    };
  });

describe('door controller simulator', () => {
  test('when the simulator decides from a table sent over the wire, then it decides as the core decides from that table', () => {
    // Goal: the simulator's own interpreter, fed the decoded RULE_TABLE_CHUNK, agrees with the core's decision.
    fc.assert(
      fc.property(
        tableArb,
        fc.array(
          fc.record({
            card: fc.integer({ min: 0, max: 5 }),
            personType: fc.constantFrom(...types),
            direction: fc.constantFrom('none' as const, 'in' as const, 'out' as const),
            presence: fc.constantFrom('none' as const, 'in' as const, 'out' as const),
            atMs: fc.integer({ min: baseMs, max: baseMs + spanMs }),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        (table, checks) => {
          const payload = serializePayload({
            kind: 'rule_table_chunk',
            version: table.version,
            chunkIndex: 0,
            chunkCount: 1,
            header: wireHeader(table),
            rows: table.cards,
          });
          const decoded = parsePayload(0x71, payload);
          assert.ok(decoded.ok && decoded.value.kind === 'rule_table_chunk' && decoded.value.header);
          const { header, rows } = decoded.value;
          for (const c of checks) {
            const cardNo = String(20_240_000 + c.card);
            const request = {
              cardNo,
              personType: c.personType,
              direction: c.direction,
              atMs: c.atMs,
              presence: c.presence,
            };
            const core = decideFromTable(table, tableCalendar(table), request);
            const device = interpretTable(
              header,
              rows.find((r) => r.cardNo === cardNo),
              request,
            );
            assert.deepEqual(device, core);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  describe('against the real gateway, core and Redis', () => {
    let world: TestWorld;
    before(async () => {
      world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    });
    after(async () => {
      await world.stop();
    });

    test('when a door controller downloads its table, a rule changes and the network goes, then it is pushed the delta and refuses offline as the core would', async () => {
      // Goal: table push over TCP, a delta within the second, the offline decision from the table, the upload.
      const campus = await world.client.createPassagePlace({
        kind: 'campus',
        parentId: null,
        name: '主校区',
      });
      const building = await world.client.createPassagePlace({
        kind: 'building',
        parentId: campus.id,
        name: '教学楼',
      });
      const door = await world.client.createPassagePlace({
        kind: 'door',
        parentId: building.id,
        name: '南门',
        doorKind: 'door',
      });
      const { deviceId, key } = await registerDevice(world, 'gate');
      await world.client.putDeviceConfig(String(deviceId), {
        offline: {
          enabled: true,
          codeValiditySeconds: 60,
          clockSkewSeconds: 30,
          paymentMaxFen: 0,
          perCardDailyMaxFen: 0,
          deviceTotalMaxFen: 0,
          recordsMax: 100,
          durationMaxSeconds: 3_600,
        },
      });
      await world.client.setDoorDevice(door.id, { deviceId: String(deviceId), direction: 'in' });
      const personNo = `S${Date.now().toString(36)}`;
      const card = await world.client.openCard({
        personNo,
        name: '门禁学生',
        type: 'student',
        department: '物理学院',
      });
      await world.client.createPassageRule(
        {
          name: '学生进出',
          effect: 'allow',
          who: { kind: 'person_type', value: 'student' },
          where: { kind: 'campus', id: campus.id },
          windows: [],
        },
        'admin:test',
      );
      const controller = await DoorController.connect({ port: world.gateway.port, deviceId, key });
      try {
        const version = controller.rulesVersion;
        assert.ok(version > 0);
        assert.equal(controller.header?.typeRules.length, 1);
        const phone = await phoneFor(world.client, card.cardNo);
        assert.equal((await controller.check(phone.code(), 'in')).kind, 'identity_result');
        const pushed = controller.nextPush();
        await world.client.createPassageRule(
          {
            name: '禁止',
            effect: 'deny',
            who: { kind: 'person', value: personNo },
            where: { kind: 'door', id: door.id },
            windows: [],
          },
          'admin:test',
        );
        await pushed;
        assert.ok(controller.rulesVersion > version);
        assert.deepEqual(
          controller.rows.get(card.cardNo)?.rules.map((r) => r.effect),
          ['deny'],
        );
        // Online the core refuses; offline the door refuses from its table, and stores the attempt.
        const online = await controller.check(phone.code(), 'in');
        assert.equal(online.kind === 'identity_result' && online.reason, 'PASSAGE_DENIED');
        controller.disconnect();
        const offline = await controller.check(phone.code(), 'in');
        assert.deepEqual(
          offline.kind === 'offline' && !offline.accepted ? offline.reason : offline,
          'PASSAGE_DENIED',
        );
        assert.equal(controller.records.length, 1);
        await controller.connect();
        assert.equal(controller.records.length, 0, 'uploaded at reconnect');
        // A door command from the backoffice reaches the door and is obeyed.
        const commanded = controller.nextPush();
        const order = await world.client.doorCommand(door.id, {
          command: 'hold_open',
          seconds: 60,
          reason: '搬运设备',
        });
        assert.deepEqual(order.deviceIds, [String(deviceId)]);
        await commanded;
        assert.equal(controller.door.open, true);
        assert.equal(controller.door.commands.at(-1)?.command, 'hold_open');
      } finally {
        controller.close();
      }
    });
  });
});
