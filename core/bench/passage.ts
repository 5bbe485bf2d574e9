// bench:passage (#15, docs/passage.md): rule tables for 30,000 people × 2,000 doors computed and pushed,
// a rule change reaching the affected doors, and decisions per second on one core. Prints figures; the
// run recorded in docs/benchmarks.md. In process: compile and decide are the core's own functions, the
// push is the gateway's chunking and the codec's sealed frames written to 2,000 loopback TCP sockets
// (one per door device). It does not start the core's HTTP or the database: the online decision's two
// reads (the device's door, the card's holder) are not in the decision figure.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { encodeFrame, type Message } from '@campus-card/device-gateway/protocol';
import { wireHeader } from '../../device-gateway/src/passage.ts';
import type { NewRule, Place } from '../src/contract/passage.ts';
import { decide } from '../src/passage/decide.ts';
import {
  candidatesFor,
  compileTables,
  decideFromTable,
  type PersonFacts,
  PlaceTree,
  type RuleFacts,
  type RuleTable,
  tableCalendar,
} from '../src/passage/rule-table.ts';

const peopleCount = 30_000;
const doorCount = 2_000;
const dormBuildings = 60;
const teachingBuildings = 60;
const departments = 40;
const sessionKey = new Uint8Array(randomBytes(32));
const macKey = new Uint8Array(randomBytes(32));

function place(id: string, kind: Place['kind'], parentId: string | null, extra: Partial<Place> = {}): Place {
  return {
    id,
    kind,
    parentId,
    name: id,
    doorKind: kind === 'door' ? 'door' : null,
    antiPassback: false,
    curfew: null,
    ...extra,
  };
}

function campus() {
  const places: Place[] = [place('C', 'campus', null), place('GATES', 'area', 'C', { antiPassback: true })];
  places.push(
    place('DORMS', 'area', 'C'),
    place('TEACH', 'area', 'C'),
    place('GATEHOUSE', 'building', 'GATES'),
  );
  for (let b = 0; b < dormBuildings; b++) {
    places.push(
      place(`DB${b}`, 'building', 'DORMS', {
        curfew: { fromMinute: 23 * 60, toMinute: 6 * 60, mode: 'late' },
      }),
    );
  }
  for (let b = 0; b < teachingBuildings; b++) places.push(place(`TB${b}`, 'building', 'TEACH'));
  const buildings = [...Array(dormBuildings).keys()]
    .map((b) => `DB${b}`)
    .concat([...Array(teachingBuildings).keys()].map((b) => `TB${b}`));
  const gates = 40;
  for (let d = 0; d < gates; d++) places.push(place(`G${d}`, 'door', 'GATEHOUSE'));
  for (let d = 0; d < doorCount - gates; d++)
    places.push(place(`D${d}`, 'door', buildings[d % buildings.length] as string));
  const people: PersonFacts[] = [];
  for (let i = 0; i < peopleCount; i++) {
    const student = i < 25_000;
    people.push({
      personNo: `P${i}`,
      personType: student ? 'student' : 'staff',
      department: `dept${i % departments}`,
      classCode: student ? `c${i % 800}` : null,
      dormBuildingId: student ? `DB${i % dormBuildings}` : null,
      dormRoom: student ? String(100 + (i % 400)) : null,
      roles: !student && i % 500 === 0 ? ['dorm_keeper'] : [],
      cardNos: [String(2_024_000_000 + i)],
    });
  }
  const rule = (
    id: string,
    r: Omit<NewRule, 'name' | 'calendar' | 'validFromMs' | 'validUntilMs'> & Partial<NewRule>,
  ): RuleFacts => ({
    id,
    calendar: 'any',
    validFromMs: null,
    validUntilMs: null,
    ...r,
  });
  const weekdays = [{ weekdays: [0, 1, 2, 3, 4], fromMinute: 7 * 60, toMinute: 22 * 60 }];
  const rules: RuleFacts[] = [
    rule('R-gates', {
      effect: 'allow',
      who: { kind: 'everyone', value: null },
      where: { kind: 'area', id: 'GATES' },
      windows: [],
    }),
    rule('R-staff', {
      effect: 'allow',
      who: { kind: 'person_type', value: 'staff' },
      where: { kind: 'area', id: 'TEACH' },
      windows: [],
    }),
    rule('R-keeper', {
      effect: 'allow',
      who: { kind: 'role', value: 'dorm_keeper' },
      where: { kind: 'area', id: 'DORMS' },
      windows: [],
    }),
  ];
  for (let b = 0; b < dormBuildings; b++) {
    rules.push(
      rule(`R-dorm${b}`, {
        effect: 'allow',
        who: { kind: 'dorm_building', value: `DB${b}` },
        where: { kind: 'building', id: `DB${b}` },
        windows: [],
      }),
    );
  }
  for (let b = 0; b < teachingBuildings; b++) {
    rules.push(
      rule(`R-teach${b}`, {
        effect: 'allow',
        who: { kind: 'department', value: `dept${b % departments}` },
        where: { kind: 'building', id: `TB${b}` },
        windows: weekdays,
        calendar: 'workdays',
      }),
    );
  }
  for (let i = 0; i < 20; i++) {
    rules.push(
      rule(`R-ban${i}`, {
        effect: 'deny',
        who: { kind: 'person', value: `P${i * 997}` },
        where: { kind: 'campus', id: 'C' },
        windows: [],
      }),
    );
  }
  return { places, people, rules };
}

function chunksOf(table: RuleTable): Message[] {
  const header = wireHeader(table);
  const rowsPerChunk = 300;
  const count = 1 + Math.ceil(table.cards.length / rowsPerChunk);
  const out: Message[] = [
    { kind: 'rule_table_chunk', version: table.version, chunkIndex: 0, chunkCount: count, header, rows: [] },
  ];
  for (let i = 0; i < table.cards.length; i += rowsPerChunk) {
    out.push({
      kind: 'rule_table_chunk',
      version: table.version,
      chunkIndex: out.length,
      chunkCount: count,
      header: null,
      rows: table.cards.slice(i, i + rowsPerChunk),
    });
  }
  return out;
}

/** 2,000 loopback connections, one per door device; resolves with the bytes each received. */
async function devices(
  count: number,
): Promise<{ sockets: Socket[]; received: () => number; close: () => Promise<void> }> {
  let bytes = 0;
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      bytes += chunk.length;
    });
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4_096 });
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const s = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    sockets.push(s);
    // Connected in batches, so the listener's backlog is never the limit.
    if (i % 200 === 199) await Promise.all(sockets.slice(-200).map((c) => once(c, 'connect')));
  }
  await Promise.all(sockets.filter((c) => c.connecting).map((c) => once(c, 'connect')));
  return {
    sockets,
    received: () => bytes,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

async function push(
  tables: Map<string, RuleTable>,
  sockets: Socket[],
  received: () => number,
): Promise<{ frames: number; bytes: number }> {
  let frames = 0;
  let bytes = 0;
  let i = 0;
  const before = received();
  for (const table of tables.values()) {
    const socket = sockets[i % sockets.length] as Socket;
    i += 1;
    for (const message of chunksOf(table)) {
      const frame = encodeFrame(
        message,
        { deviceId: 1_000 + i, sequence: 0, timestampMs: Date.now() },
        { macKey, sessionKey },
      );
      socket.write(frame);
      frames += 1;
      bytes += frame.length;
    }
  }
  while (received() - before < bytes) await new Promise((resolve) => setImmediate(resolve));
  return { frames, bytes };
}

async function main(): Promise<void> {
  const { places, people, rules } = campus();
  const tree = new PlaceTree(places, []);
  const doorIds = places.filter((p) => p.kind === 'door').map((p) => p.id);
  const calendar = { holidays: [], term: [] };
  console.log(`passage bench: ${people.length} people, ${doorIds.length} doors, ${rules.length} rules`);

  let t = performance.now();
  const tables = compileTables({ doorIds, version: 2, rules, people, tree, calendar });
  const compileMs = performance.now() - t;
  const rows = [...tables.values()].reduce((n, tb) => n + tb.cards.length, 0);
  console.log(`compile: ${compileMs.toFixed(0)} ms for ${tables.size} tables, ${rows} card rows`);

  const net = await devices(doorIds.length);
  t = performance.now();
  const pushed = await push(tables, net.sockets, net.received);
  const pushMs = performance.now() - t;
  console.log(
    `push: ${pushMs.toFixed(0)} ms for ${pushed.frames} sealed frames, ${(pushed.bytes / 1e6).toFixed(1)} MB to ${net.sockets.length} sockets`,
  );
  console.log(`tables computed and pushed: ${(compileMs + pushMs).toFixed(0)} ms (target ≤ 10,000)`);

  // A rule change: the residents of one dorm building are banned from the teaching area's building 0.
  t = performance.now();
  const changed = [
    ...rules,
    {
      id: 'R-new',
      effect: 'deny' as const,
      who: { kind: 'dorm_building' as const, value: 'DB7' },
      where: { kind: 'building' as const, id: 'TB0' },
      windows: [],
      calendar: 'any' as const,
      validFromMs: null,
      validUntilMs: null,
    },
  ];
  const affected = doorIds.filter((d) => tree.covers({ kind: 'building', id: 'TB0' }, d));
  const recompiled = compileTables({ doorIds: affected, version: 3, rules: changed, people, tree, calendar });
  const deltas: Message[] = [];
  for (const table of recompiled.values()) {
    const before = tables.get(table.doorId) as RuleTable;
    const old = new Map(before.cards.map((r) => [r.cardNo, JSON.stringify(r.rules)]));
    const changes = table.cards.filter((r) => old.get(r.cardNo) !== JSON.stringify(r.rules));
    deltas.push({
      kind: 'rule_table_delta',
      fromVersion: 2,
      toVersion: 3,
      header: wireHeader(table),
      changes: changes.slice(0, 200),
    });
  }
  let sent = 0;
  const start = net.received();
  deltas.forEach((d, i) => {
    const frame = encodeFrame(
      d,
      { deviceId: 1_000 + i, sequence: 0, timestampMs: Date.now() },
      { macKey, sessionKey },
    );
    (net.sockets[i] as Socket).write(frame);
    sent += frame.length;
  });
  while (net.received() - start < sent) await new Promise((resolve) => setImmediate(resolve));
  const changeMs = performance.now() - t;
  console.log(
    `rule change: ${affected.length} affected doors recompiled and sent a delta in ${changeMs.toFixed(0)} ms (target ≤ 1,000); a full recompile of every door takes the compile figure above`,
  );
  await net.close();

  // Decisions on one core: online (the rules naming the person and covering the door) and from a table.
  const checks = 200_000;
  const atMs = Date.UTC(2026, 2, 2, 2);
  const cal = { holidays: new Set<number>(), term: new Set<number>() };
  const doorCtx = doorIds.map((d) => tree.doorContext(d, 'in'));
  t = performance.now();
  let allowed = 0;
  for (let i = 0; i < checks; i++) {
    const person = people[(i * 7919) % people.length] as PersonFacts;
    const door = i % doorIds.length;
    const d = decide(candidatesFor(rules, person, doorIds[door] as string, tree), {
      atMs,
      personType: person.personType,
      calendar: cal,
      door: doorCtx[door] as ReturnType<typeof tree.doorContext>,
      presence: 'none',
    });
    if (d.decision === 'allow') allowed += 1;
  }
  const onlineMs = performance.now() - t;
  console.log(
    `online decisions: ${Math.round(checks / (onlineMs / 1000))}/s on one core (${allowed} of ${checks} allowed; target ≥ 5,000/s)`,
  );
  const tableList = doorIds.map((d) => tables.get(d) as RuleTable);
  const cals = tableList.map(tableCalendar);
  t = performance.now();
  for (let i = 0; i < checks; i++) {
    const person = people[(i * 7919) % people.length] as PersonFacts;
    const door = i % doorIds.length;
    decideFromTable(tableList[door] as RuleTable, cals[door] as ReturnType<typeof tableCalendar>, {
      cardNo: person.cardNos[0] as string,
      personType: person.personType,
      direction: 'in',
      atMs,
      presence: 'none',
    });
  }
  const tableMs = performance.now() - t;
  console.log(`table decisions: ${Math.round(checks / (tableMs / 1000))}/s on one core`);
}

await main();
