import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type Curfew,
  calendarConditions,
  type PassagePersonType,
  type Place,
  passagePersonTypes,
  type WhoKind,
  whereKinds,
} from '../contract/passage.ts';
import { shanghaiDay } from '../time.ts';
import { decide } from './decide.ts';
import {
  candidatesFor,
  compileMemo,
  compileTables,
  decideFromTable,
  type PersonFacts,
  PlaceTree,
  type RuleFacts,
  tableCalendar,
} from './rule-table.ts';

// 2026-03-02 00:00 Asia/Shanghai, a Monday; the random times fall in the 21 days from here.
const baseMs = Date.UTC(2026, 2, 1, 16, 0, 0);
const spanMs = 21 * 86_400_000;
const baseDay = shanghaiDay(baseMs);

const areas = ['A0', 'A1'];
const buildings = ['B0', 'B1', 'B2'];
const doors = ['D0', 'D1', 'D2', 'D3', 'D4', 'D5'];
const groups = ['G0', 'G1'];
const departments = ['d1', 'd2'];
const classes = ['c1', 'c2'];
const rooms = ['101', '102'];
const roles = ['dorm_keeper', 'security'];

const curfewArb: fc.Arbitrary<Curfew | null> = fc.option(
  fc.record({
    fromMinute: fc.integer({ min: 0, max: 1439 }),
    toMinute: fc.integer({ min: 0, max: 1439 }),
    mode: fc.constantFrom('late' as const, 'refuse' as const),
  }),
  { nil: null },
);

const worldArb = fc.record({
  passback: fc.tuple(fc.boolean(), fc.boolean()),
  buildingArea: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 3, maxLength: 3 }),
  curfews: fc.array(curfewArb, { minLength: 3, maxLength: 3 }),
  doorBuilding: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
  groupDoors: fc.array(fc.subarray(doors), { minLength: 2, maxLength: 2 }),
  people: fc.array(
    fc.record({
      personType: fc.constantFrom(...passagePersonTypes),
      department: fc.option(fc.constantFrom(...departments), { nil: null }),
      classCode: fc.option(fc.constantFrom(...classes), { nil: null }),
      dormBuildingId: fc.option(fc.constantFrom(...buildings), { nil: null }),
      dormRoom: fc.constantFrom(...rooms),
      roles: fc.subarray(roles),
      cards: fc.integer({ min: 1, max: 2 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  rules: fc.array(
    fc.record({
      effect: fc.constantFrom('allow' as const, 'deny' as const),
      whoKind: fc.constantFrom<WhoKind>(
        'everyone',
        'person_type',
        'department',
        'class',
        'dorm_building',
        'dorm_room',
        'person',
        'role',
      ),
      whoPick: fc.nat(),
      whereKind: fc.constantFrom(...whereKinds),
      wherePick: fc.nat(),
      windows: fc.array(
        fc
          .record({
            weekdays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
            fromMinute: fc.integer({ min: 0, max: 1439 }),
            length: fc.integer({ min: 1, max: 1440 }),
          })
          .map((w) => ({
            weekdays: w.weekdays,
            fromMinute: w.fromMinute,
            toMinute: Math.min(1440, w.fromMinute + w.length),
          })),
        { maxLength: 2 },
      ),
      calendar: fc.constantFrom(...calendarConditions),
      validFrom: fc.option(fc.integer({ min: 0, max: spanMs }), { nil: null }),
      validFor: fc.option(fc.integer({ min: 1, max: spanMs }), { nil: null }),
    }),
    { maxLength: 10 },
  ),
  holidays: fc.subarray([...Array(21).keys()]),
  term: fc.subarray([...Array(21).keys()]),
  checks: fc.array(
    fc.record({
      person: fc.nat(),
      card: fc.nat(),
      door: fc.integer({ min: 0, max: 5 }),
      direction: fc.constantFrom('none' as const, 'in' as const, 'out' as const),
      presence: fc.constantFrom('none' as const, 'in' as const, 'out' as const),
      atMs: fc.integer({ min: 0, max: spanMs - 1 }),
    }),
    { minLength: 1, maxLength: 20 },
  ),
});

type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

function build(w: World) {
  const places: Place[] = [
    { id: 'C', kind: 'campus', parentId: null, name: 'C', doorKind: null, antiPassback: false, curfew: null },
  ];
  areas.forEach((id, i) => {
    places.push({
      id,
      kind: 'area',
      parentId: 'C',
      name: id,
      doorKind: null,
      antiPassback: w.passback[i] ?? false,
      curfew: null,
    });
  });
  buildings.forEach((id, i) => {
    places.push({
      id,
      kind: 'building',
      parentId: pick(areas, w.buildingArea[i] ?? 0),
      name: id,
      doorKind: null,
      antiPassback: false,
      curfew: w.curfews[i] ?? null,
    });
  });
  doors.forEach((id, i) => {
    places.push({
      id,
      kind: 'door',
      parentId: pick(buildings, w.doorBuilding[i] ?? 0),
      name: id,
      doorKind: 'door',
      antiPassback: false,
      curfew: null,
    });
  });
  const tree = new PlaceTree(
    places,
    groups.map((id, i) => ({ id, doorIds: w.groupDoors[i] ?? [] })),
  );
  let cardSeq = 10_000_000;
  const people: PersonFacts[] = w.people.map((p, i) => ({
    personNo: `P${1000 + i}`,
    personType: p.personType,
    department: p.department,
    classCode: p.classCode,
    dormBuildingId: p.dormBuildingId,
    dormRoom: p.dormBuildingId === null ? null : p.dormRoom,
    roles: p.roles,
    cardNos: Array.from({ length: p.cards }, () => String(cardSeq++)),
  }));
  const valuesOf: Record<WhoKind, readonly (string | null)[]> = {
    everyone: [null],
    person_type: passagePersonTypes,
    department: departments,
    class: classes,
    dorm_building: buildings,
    dorm_room: buildings.flatMap((b) => rooms.map((r) => `${b}/${r}`)),
    person: people.map((p) => p.personNo),
    role: roles,
  };
  const idsOf: Record<(typeof whereKinds)[number], readonly string[]> = {
    door: doors,
    door_group: groups,
    building: buildings,
    area: areas,
    campus: ['C'],
  };
  const rules: RuleFacts[] = w.rules.map((r, i) => {
    const validFromMs = r.validFrom === null ? null : baseMs + r.validFrom;
    return {
      id: `R${String(i).padStart(2, '0')}`,
      effect: r.effect,
      who: { kind: r.whoKind, value: pick(valuesOf[r.whoKind], r.whoPick) },
      where: { kind: r.whereKind, id: pick(idsOf[r.whereKind], r.wherePick) },
      windows: r.windows,
      calendar: r.calendar,
      validFromMs,
      validUntilMs: r.validFor === null ? null : (validFromMs ?? baseMs) + r.validFor,
    };
  });
  const calendar = {
    holidays: w.holidays.map((d) => baseDay + d).sort((a, b) => a - b),
    term: w.term.map((d) => baseDay + d).sort((a, b) => a - b),
  };
  return { tree, people, rules, calendar };
}

describe('passage rule tables', () => {
  test('when a door decides from its compiled table, then it decides as the core does online, for any rules, people and times', () => {
    // Goal: offline = online. The online path takes the rules naming the person and covering the door;
    // the table path takes the table's rules for the code's person type and card number.
    fc.assert(
      fc.property(worldArb, (w) => {
        const { tree, people, rules, calendar } = build(w);
        const tables = compileTables({ doorIds: doors, version: 7, rules, people, tree, calendar });
        const onlineCalendar = { holidays: new Set(calendar.holidays), term: new Set(calendar.term) };
        for (const c of w.checks) {
          const person = pick(people, c.person);
          const cardNo = pick(person.cardNos, c.card);
          const doorId = pick(doors, c.door);
          const atMs = baseMs + c.atMs;
          const ctx = tree.doorContext(doorId, c.direction);
          const online = decide(candidatesFor(rules, person, doorId, tree), {
            atMs,
            personType: person.personType,
            calendar: onlineCalendar,
            door: ctx,
            presence: c.presence,
          });
          const table = tables.get(doorId);
          assert.ok(table);
          const offline = decideFromTable(table, tableCalendar(table), {
            cardNo,
            personType: person.personType,
            direction: c.direction,
            atMs,
            presence: c.presence,
          });
          assert.deepEqual(offline, online, `${person.personNo} ${cardNo} at ${doorId} ${atMs}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('when the rules change and the people do not, then a compile carried over from the last one equals a fresh compile', () => {
    // Goal: the live service recomputes only the doors whose covering rules changed (the memo), and
    // that shortcut never gives a door a table the full compile would not.
    fc.assert(
      fc.property(worldArb, (w) => {
        const { tree, people, rules, calendar } = build(w);
        const before = rules.filter((_, i) => i % 3 !== 0);
        const after = rules.filter((_, i) => i % 3 !== 1);
        const memo = compileMemo(people);
        compileTables({ doorIds: doors, version: 7, rules: before, people, tree, calendar, memo });
        const carried = compileTables({
          doorIds: doors,
          version: 8,
          rules: after,
          people,
          tree,
          calendar,
          memo,
        });
        const fresh = compileTables({ doorIds: doors, version: 8, rules: after, people, tree, calendar });
        assert.deepEqual(carried, fresh);
        assert.ok(memo.bodies.size <= doors.length, 'only the bodies of the last compile are kept');
      }),
      { numRuns: 200 },
    );
  });

  test('when a card is not in a table, then only the rules by person type decide for it', () => {
    // Goal: a stranger's card (or one the table has not heard of) never borrows someone else's row.
    const { tree, rules, people, calendar } = build({
      passback: [false, false],
      buildingArea: [0, 0, 0],
      curfews: [null, null, null],
      doorBuilding: [0, 0, 0, 0, 0, 0],
      groupDoors: [[], []],
      people: [
        {
          personType: 'student' as PassagePersonType,
          department: 'd1',
          classCode: null,
          dormBuildingId: null,
          dormRoom: '101',
          roles: [],
          cards: 1,
        },
      ],
      rules: [
        {
          effect: 'allow',
          whoKind: 'department',
          whoPick: 0,
          whereKind: 'campus',
          wherePick: 0,
          windows: [],
          calendar: 'any',
          validFrom: null,
          validFor: null,
        },
      ],
      holidays: [],
      term: [],
      checks: [],
    });
    const table = compileTables({ doorIds: ['D0'], version: 2, rules, people, tree, calendar }).get('D0');
    assert.ok(table);
    assert.equal(table.cards.length, 1);
    const request = {
      personType: 'student' as const,
      direction: 'in' as const,
      atMs: baseMs,
      presence: 'none' as const,
    };
    assert.equal(
      decideFromTable(table, tableCalendar(table), { ...request, cardNo: people[0]?.cardNos[0] ?? '' })
        .decision,
      'allow',
    );
    assert.deepEqual(decideFromTable(table, tableCalendar(table), { ...request, cardNo: '99999999' }), {
      decision: 'deny',
      reason: 'NO_PASSAGE_RIGHT',
      late: false,
    });
  });
});
