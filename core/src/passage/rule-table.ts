// Which rules name a person and cover a door, and the per-door rule tables compiled from them
// (docs/passage.md, "Rule tables"). Online, the core takes the rules that name the person and cover the
// door; a table lists, for one door, the rules by person type (the type travels in every card code) and,
// per card number, the rules that name that card's holder in any other way (department, class, dorm,
// the person, a role). Both hand their rules to decide(), so a door with a current table decides offline
// as the core would online. Pure: no clock, no database.

import type {
  Curfew,
  PassageDecision,
  PassageDirection,
  PassagePersonType,
  Place,
  Rule,
  Who,
} from '../contract/passage.ts';
import { type CalendarView, type Candidate, type DoorContext, decide, type Program } from './decide.ts';

/** What rules may name about a person (from persons, sync_people, passage_residents, passage_person_roles). */
export interface PersonFacts {
  personNo: string;
  personType: PassagePersonType;
  department: string | null;
  classCode: string | null;
  dormBuildingId: string | null;
  dormRoom: string | null;
  roles: readonly string[];
  /** The person's cards that codes can name (not cancelled). */
  cardNos: readonly string[];
}

export type RuleFacts = Pick<
  Rule,
  'id' | 'effect' | 'who' | 'where' | 'windows' | 'calendar' | 'validFromMs' | 'validUntilMs'
>;

/** The places and door groups, indexed for look-ups. */
export class PlaceTree {
  readonly places = new Map<string, Place>();
  private readonly groupsOfDoor = new Map<string, Set<string>>();
  private readonly doorsOfGroup = new Map<string, string[]>();
  private readonly ancestorCache = new Map<string, readonly string[]>();

  constructor(places: readonly Place[], groups: readonly { id: string; doorIds: readonly string[] }[]) {
    for (const p of places) this.places.set(p.id, p);
    for (const g of groups) {
      this.doorsOfGroup.set(g.id, [...g.doorIds]);
      for (const d of g.doorIds) {
        const set = this.groupsOfDoor.get(d) ?? new Set<string>();
        this.groupsOfDoor.set(d, set);
        set.add(g.id);
      }
    }
  }

  /** The place itself first, then its parent … up to the campus. */
  lineage(placeId: string): readonly string[] {
    const cached = this.ancestorCache.get(placeId);
    if (cached) return cached;
    const out: string[] = [];
    let at = this.places.get(placeId);
    // A tree is at most campus → areas → building → door; the bound guards against a cycle in bad data.
    for (let depth = 0; at && depth < 32; depth++) {
      out.push(at.id);
      at = at.parentId === null ? undefined : this.places.get(at.parentId);
    }
    this.ancestorCache.set(placeId, out);
    return out;
  }

  doors(): Place[] {
    return [...this.places.values()].filter((p) => p.kind === 'door');
  }

  groupsOf(doorId: string): ReadonlySet<string> {
    return this.groupsOfDoor.get(doorId) ?? new Set();
  }

  covers(where: Rule['where'], doorId: string): boolean {
    if (where.kind === 'door_group') return this.groupsOf(doorId).has(where.id);
    if (where.kind === 'door') return where.id === doorId;
    return this.lineage(doorId).includes(where.id);
  }

  /** The curfew of the door's building and whether its nearest anti-passback area is one. */
  doorContext(doorId: string, direction: PassageDirection): DoorContext & { passbackAreaId: string | null } {
    let curfew: Curfew | null = null;
    let passbackAreaId: string | null = null;
    for (const id of this.lineage(doorId)) {
      const p = this.places.get(id);
      if (!p) continue;
      if (p.kind === 'building' && curfew === null && p.curfew) curfew = p.curfew;
      if (p.kind === 'area' && passbackAreaId === null && p.antiPassback) passbackAreaId = p.id;
    }
    return { direction, curfew, passback: passbackAreaId !== null, passbackAreaId };
  }
}

/** Whether a rule's "who" names the person. */
export function namesPerson(who: Who, person: PersonFacts): boolean {
  switch (who.kind) {
    case 'everyone':
      return true;
    case 'person_type':
      return person.personType === who.value;
    case 'department':
      return person.department !== null && person.department === who.value;
    case 'class':
      return person.classCode !== null && person.classCode === who.value;
    case 'dorm_building':
      return person.dormBuildingId !== null && person.dormBuildingId === who.value;
    case 'dorm_room':
      return person.dormBuildingId !== null && `${person.dormBuildingId}/${person.dormRoom}` === who.value;
    case 'person':
      return person.personNo === who.value;
    case 'role':
      return who.value !== null && person.roles.includes(who.value);
  }
}

/** Whether the rule is decided by the person type alone (and so needs no per-card row in a table). */
export function byTypeAlone(who: Who): boolean {
  return who.kind === 'everyone' || who.kind === 'person_type';
}

export function programOf(rule: RuleFacts): Program {
  return {
    windows: rule.windows,
    calendar: rule.calendar,
    validFromMs: rule.validFromMs,
    validUntilMs: rule.validUntilMs,
  };
}

/** Online: the rules that name the person and cover the door. */
export function candidatesFor(
  rules: readonly RuleFacts[],
  person: PersonFacts,
  doorId: string,
  tree: PlaceTree,
): Candidate[] {
  return rules
    .filter((r) => tree.covers(r.where, doorId) && namesPerson(r.who, person))
    .map((r) => ({ effect: r.effect, program: programOf(r) }));
}

/** A rule of a table: its effect and the index of its time program in the table's programs. */
export interface TableRule {
  effect: 'allow' | 'deny';
  program: number;
}

export interface TypeRule extends TableRule {
  personTypes: PassagePersonType[];
}

export interface CardRow {
  cardNo: string;
  rules: TableRule[];
}

/** One door's rule table: what its devices decide from offline (docs/passage.md, docs/protocol.md § 7.23). */
export interface RuleTable {
  doorId: string;
  /** The passage state version it was built from. */
  version: number;
  programs: Program[];
  typeRules: TypeRule[];
  /** Ascending by card number; at most one row per card. */
  cards: CardRow[];
  /** Asia/Shanghai day numbers, ascending. */
  holidays: number[];
  term: number[];
  curfew: Curfew | null;
  passbackAreaId: string | null;
}

const everyType: PassagePersonType[] = ['student', 'staff', 'alumnus', 'visitor'];

/**
 * The tables of many doors at once. Each rule is matched once against the people (by an index for
 * the common kinds), then spread over the doors it covers.
 */
type Body = Pick<RuleTable, 'programs' | 'typeRules' | 'cards'>;

/**
 * What one compile can hand the next while the people stay the same (the live service keeps one per
 * people version): the people index, each rule's matched people and each covering rule set's body.
 * Rules never change in place (they are made and deleted), so a set of rule ids names its body as long
 * as the people are these; a change of rules, places or calendar recomputes only the doors whose
 * covering set is new.
 */
export interface CompileMemo {
  readonly people: readonly PersonFacts[];
  index?: PeopleIndex;
  readonly matched: Map<string, readonly PersonFacts[]>;
  bodies: Map<string, Body>;
}

export function compileMemo(people: readonly PersonFacts[]): CompileMemo {
  return { people, matched: new Map(), bodies: new Map() };
}

export function compileTables(input: {
  doorIds: readonly string[];
  version: number;
  rules: readonly RuleFacts[];
  people: readonly PersonFacts[];
  tree: PlaceTree;
  calendar: { holidays: readonly number[]; term: readonly number[] };
  /** Carried from an earlier compile over the same people (same array); a fresh one otherwise. */
  memo?: CompileMemo;
}): Map<string, RuleTable> {
  const { tree } = input;
  const memo = input.memo?.people === input.people ? input.memo : compileMemo(input.people);
  const rules = [...input.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const matchedOf = (r: RuleFacts): readonly PersonFacts[] => {
    let people = memo.matched.get(r.id);
    if (people === undefined) {
      memo.index ??= new PeopleIndex(input.people);
      people = memo.index.named(r.who);
      memo.matched.set(r.id, people);
    }
    return people;
  };
  const tables = new Map<string, RuleTable>();
  // Doors covered by the same rules (every door of a building, often) share one computed body.
  const used = new Map<string, Body>();
  for (const doorId of input.doorIds) {
    const ctx = tree.doorContext(doorId, 'none');
    const covering = rules.filter((r) => tree.covers(r.where, doorId));
    const key = covering.map((r) => r.id).join('\n');
    let body = used.get(key) ?? memo.bodies.get(key);
    if (body === undefined) body = bodyOf(covering, matchedOf);
    used.set(key, body);
    tables.set(doorId, {
      doorId,
      version: input.version,
      programs: body.programs,
      typeRules: body.typeRules,
      cards: body.cards,
      holidays: [...input.calendar.holidays],
      term: [...input.calendar.term],
      curfew: ctx.curfew,
      passbackAreaId: ctx.passbackAreaId,
    });
  }
  // Only the bodies of this compile are kept, and the matches of rules that still exist.
  memo.bodies = used;
  const live = new Set(rules.map((r) => r.id));
  for (const id of memo.matched.keys()) if (!live.has(id)) memo.matched.delete(id);
  return tables;
}

/** The programs, type rules and card rows of the rules covering a door (sorted by rule id). */
function bodyOf(covering: readonly RuleFacts[], matchedOf: (r: RuleFacts) => readonly PersonFacts[]): Body {
  const programs: Program[] = [];
  const typeRules: TypeRule[] = [];
  const rows = new Map<string, TableRule[]>();
  // Rules with the same time program share one entry: the wire carries at most 32 programs a door.
  const programIndex = new Map<string, number>();
  for (const r of covering) {
    const key = JSON.stringify(programOf(r));
    let program = programIndex.get(key);
    if (program === undefined) {
      program = programs.push(programOf(r)) - 1;
      programIndex.set(key, program);
    }
    if (byTypeAlone(r.who)) {
      typeRules.push({
        effect: r.effect,
        program,
        personTypes: r.who.kind === 'everyone' ? everyType : [r.who.value as PassagePersonType],
      });
      continue;
    }
    for (const person of matchedOf(r)) {
      for (const cardNo of person.cardNos) {
        const row = rows.get(cardNo) ?? [];
        rows.set(cardNo, row);
        row.push({ effect: r.effect, program });
      }
    }
  }
  const cards = [...rows.keys()].sort().map((cardNo) => ({ cardNo, rules: rows.get(cardNo) ?? [] }));
  return { programs, typeRules, cards };
}

/** People by the values rules name them by. */
class PeopleIndex {
  private readonly by = new Map<string, PersonFacts[]>();

  constructor(people: readonly PersonFacts[]) {
    for (const p of people) {
      if (p.department !== null) this.add(`department:${p.department}`, p);
      if (p.classCode !== null) this.add(`class:${p.classCode}`, p);
      if (p.dormBuildingId !== null) {
        this.add(`dorm_building:${p.dormBuildingId}`, p);
        this.add(`dorm_room:${p.dormBuildingId}/${p.dormRoom}`, p);
      }
      this.add(`person:${p.personNo}`, p);
      for (const role of p.roles) this.add(`role:${role}`, p);
    }
  }

  named(who: Who): readonly PersonFacts[] {
    return this.by.get(`${who.kind}:${who.value}`) ?? [];
  }

  private add(key: string, p: PersonFacts): void {
    const list = this.by.get(key) ?? [];
    this.by.set(key, list);
    list.push(p);
  }
}

/** A table's calendar as the decision reads it. */
export function tableCalendar(table: Pick<RuleTable, 'holidays' | 'term'>): CalendarView {
  return { holidays: new Set(table.holidays), term: new Set(table.term) };
}

/** Offline: the decision a door takes from its table for a card code's card number and person type. */
export function decideFromTable(
  table: RuleTable,
  calendar: CalendarView,
  request: {
    cardNo: string;
    personType: PassagePersonType;
    direction: PassageDirection;
    atMs: number;
    presence: 'in' | 'out' | 'none';
  },
): PassageDecision {
  const candidates: Candidate[] = [];
  for (const r of table.typeRules) {
    if (r.personTypes.includes(request.personType)) {
      candidates.push({ effect: r.effect, program: table.programs[r.program] as Program });
    }
  }
  const row = findCard(table.cards, request.cardNo);
  for (const r of row?.rules ?? []) {
    candidates.push({ effect: r.effect, program: table.programs[r.program] as Program });
  }
  return decide(candidates, {
    atMs: request.atMs,
    personType: request.personType,
    calendar,
    door: {
      direction: request.direction,
      curfew: table.curfew,
      passback: table.passbackAreaId !== null,
    },
    presence: request.presence,
  });
}

/** Binary search: the rows are ascending by card number. */
export function findCard(rows: readonly CardRow[], cardNo: string): CardRow | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const row = rows[mid] as CardRow;
    if (row.cardNo === cardNo) return row;
    if (row.cardNo < cardNo) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
