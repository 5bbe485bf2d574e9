// Campus passage (docs/passage.md): places, rules, the online decision and the doors' rule tables.
// Every change of what the tables are computed from takes the next passage state version in its own
// transaction; listeners (the core's Redis publisher) are told the version after it commits, and each
// gateway pushes the door devices a delta from the version they hold.

import type {
  DecisionQuery,
  DoorCommandKind,
  DoorDevice,
  DoorGroup,
  NewDoorGroup,
  NewPlace,
  NewRule,
  PassageDecision,
  Place,
  PlaceChange,
  Rule,
} from '../contract/passage.ts';
import { CoreError } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import { parseDay, shanghaiDay } from '../time.ts';
import { decide } from './decide.ts';
import type { PassageRepository } from './passage-repository.ts';
import type { PeopleRepository } from './people-repository.ts';
import { placesAtOrUnder } from './place-subtree.ts';
import { candidatesFor, type PersonFacts, PlaceTree, type RuleTable } from './rule-table.ts';
import { type PassageState, RuleTables, type TableAnswer } from './rule-tables.ts';

export interface DoorCommandOrder {
  deviceIds: string[];
  command: DoorCommandKind;
  seconds: number;
  reason: string;
}

export interface OnlineDecision extends PassageDecision {
  doorId: string;
  personNo: string | null;
}

type State = PassageState;
type Listener = (version: number) => void;

export class PassageService {
  private readonly listeners: Listener[] = [];
  private readonly commandListeners: ((order: DoorCommandOrder) => void)[] = [];
  private state: State | undefined;
  private loading: Promise<State> | undefined;
  private readonly tables: RuleTables;
  private peopleJob: Job | undefined;

  constructor(
    private readonly repo: PassageRepository,
    private readonly people: PeopleRepository,
  ) {
    this.tables = new RuleTables(repo, people, () => this.current());
  }

  onChanged(listener: Listener): void {
    this.listeners.push(listener);
  }

  onCommand(listener: (order: DoorCommandOrder) => void): void {
    this.commandListeners.push(listener);
  }

  version(): Promise<number> {
    return this.repo.version();
  }

  // ---- places ----

  async createPlace(input: NewPlace): Promise<Place> {
    return this.change(async (tx) => {
      if (input.parentId !== null) {
        const parent = await this.repo.place(input.parentId, tx);
        if (!parent) throw new CoreError('NOT_FOUND', 'no such parent place');
        const allowed: Record<Place['kind'], Place['kind'][]> = {
          campus: [],
          area: ['campus', 'area'],
          building: ['area', 'campus'],
          door: ['building', 'area', 'campus'],
        };
        if (!allowed[input.kind].includes(parent.kind)) {
          throw new CoreError('VALIDATION_FAILED', `a ${input.kind} cannot be under a ${parent.kind}`);
        }
      }
      return this.repo.insertPlace(input, tx);
    });
  }

  async changePlace(id: string, change: PlaceChange): Promise<Place> {
    return this.change(async (tx) => {
      const place = await this.repo.place(id, tx);
      if (!place) throw new CoreError('NOT_FOUND', 'no such place');
      if (change.antiPassback && place.kind !== 'area') {
        throw new CoreError('VALIDATION_FAILED', 'anti-passback is set on areas');
      }
      if (change.curfew && place.kind !== 'building') {
        throw new CoreError('VALIDATION_FAILED', 'a curfew is set on buildings');
      }
      await this.repo.updatePlace(id, change, tx);
      return (await this.repo.place(id, tx)) as Place;
    });
  }

  places(): Promise<Place[]> {
    return this.repo.places();
  }

  async setDoorDevice(doorId: string, device: DoorDevice): Promise<void> {
    await this.change(async (tx) => {
      const door = await this.repo.place(doorId, tx);
      if (door?.kind !== 'door') throw new CoreError('NOT_FOUND', 'no such door');
      await this.repo.setDoorDevice(doorId, device, tx);
    });
  }

  async removeDoorDevice(deviceId: string): Promise<void> {
    await this.change(async (tx) => {
      if ((await this.repo.removeDoorDevice(deviceId, tx)) === 0) {
        throw new CoreError('NOT_FOUND', 'the device serves no door');
      }
    });
  }

  doorDevices(): ReturnType<PassageRepository['doorDevices']> {
    return this.repo.doorDevices();
  }

  async createGroup(input: NewDoorGroup): Promise<DoorGroup> {
    return this.change(async (tx) => {
      for (const id of input.doorIds) {
        const door = await this.repo.place(id, tx);
        if (door?.kind !== 'door') throw new CoreError('NOT_FOUND', `no such door: ${id}`);
      }
      return this.repo.insertGroup(input.name, input.doorIds, tx);
    });
  }

  groups(): Promise<DoorGroup[]> {
    return this.repo.groups();
  }

  // ---- rules ----

  async createRule(input: NewRule, createdBy: string): Promise<Rule> {
    return this.change(async (tx) => {
      const { where } = input;
      if (where.kind === 'door_group') {
        if (!(await this.repo.groups()).some((g) => g.id === where.id)) {
          throw new CoreError('NOT_FOUND', 'no such door group');
        }
      } else {
        const place = await this.repo.place(where.id, tx);
        if (!place || place.kind !== where.kind) throw new CoreError('NOT_FOUND', `no such ${where.kind}`);
      }
      return this.repo.insertRule({ ...input, createdBy }, tx);
    });
  }

  async deleteRule(id: string): Promise<void> {
    await this.change(async (tx) => {
      if ((await this.repo.deleteRule(id, tx)) === 0) throw new CoreError('NOT_FOUND', 'no such rule');
    });
  }

  /**
   * Every rule, or those that apply within a place (a campus for its administrator, docs/campuses.md):
   * where the rule's place is that place or under it, or its door group's doors all are.
   */
  async rules(withinPlaceId?: string): Promise<Rule[]> {
    const rules = await this.repo.rules();
    if (withinPlaceId === undefined) return rules;
    const inside = new Set(placesAtOrUnder(await this.repo.places(), withinPlaceId).map((p) => p.id));
    const groups = new Map((await this.repo.groups()).map((g) => [g.id, g.doorIds]));
    return rules.filter((r) => {
      if (r.where.kind !== 'door_group') return inside.has(r.where.id);
      const doors = groups.get(r.where.id) ?? [];
      return doors.length > 0 && doors.every((d) => inside.has(d));
    });
  }

  async setCalendarDays(kind: 'holiday' | 'term', days: readonly string[], on: boolean): Promise<void> {
    const numbers = days.map((d) => {
      const n = parseDay(d);
      if (n === undefined) throw new CoreError('VALIDATION_FAILED', `not a date: ${d}`);
      return n;
    });
    await this.change((tx) => this.repo.setCalendarDays(kind, numbers, on, tx));
  }

  async calendar(): Promise<{ holidays: number[]; term: number[] }> {
    return this.repo.calendar();
  }

  async setResident(personNo: string, buildingId: string, room: string): Promise<void> {
    await this.change(
      async (tx) => {
        const building = await this.repo.place(buildingId, tx);
        if (building?.kind !== 'building') throw new CoreError('NOT_FOUND', 'no such building');
        await this.repo.setResident(personNo, buildingId, room, tx);
      },
      { people: true },
    );
  }

  /**
   * Follows the people the tables are compiled from where they change outside passage (a card opened or
   * cancelled, a department or class moved by the identity sync): when what the core last saw of them
   * moved, a new people version and state version in one transaction, so every door gets its delta.
   * Runs on the shared scheduler (PASSAGE_PEOPLE_FOLLOW_MS); true when it moved the version.
   */
  async followPeople(): Promise<boolean> {
    const fingerprint = await this.people.fingerprint();
    const version = await this.repo.transaction(async (tx) => {
      if ((await this.repo.followedFingerprint(tx)) === fingerprint) return undefined;
      const next = await this.repo.bumpVersion(tx, true);
      await this.repo.setFollowedFingerprint(fingerprint, tx);
      return next;
    });
    if (version === undefined) return false;
    for (const listener of this.listeners) listener(version);
    return true;
  }

  /** Follows the people every intervalMs (0: never); one core instance a tick where a lock is given. */
  startFollowingPeople(intervalMs: number, log: Logger, lock?: JobLock): void {
    if (intervalMs <= 0) return;
    this.peopleJob = schedule({
      name: 'passage-people',
      everyMs: intervalMs,
      log,
      lock,
      run: () => this.followPeople(),
    });
  }

  async stopFollowingPeople(): Promise<void> {
    await this.peopleJob?.stop();
  }

  async setRole(personNo: string, role: string, on: boolean): Promise<void> {
    await this.change((tx) => this.repo.setRole(personNo, role, on, tx), { people: true });
  }

  // ---- decisions ----

  /**
   * The online decision for a card at a device's door; undefined when the device serves no door (the
   * gateway then keeps its plain identity check). With `record`, an allowed passage moves the person in
   * or out of an anti-passback area (one conditional write, so a race lets one through) and a late
   * return is recorded once per person, building and day.
   */
  async decide(query: DecisionQuery): Promise<OnlineDecision | undefined> {
    const deviceId = query.deviceId.replace(/-\d+$/, '');
    const at = await this.repo.deviceDoor(deviceId);
    if (!at) return undefined;
    const state = await this.current();
    const person = await this.people.factsOfCard(query.cardNo);
    if (!person) {
      return { decision: 'deny', reason: 'NO_PASSAGE_RIGHT', late: false, doorId: at.doorId, personNo: null };
    }
    const ctx = state.tree.doorContext(at.doorId, at.direction);
    const presence =
      ctx.passbackAreaId === null ? 'none' : await this.repo.presence(person.personNo, ctx.passbackAreaId);
    const decision = decide(candidatesFor(state.rules, person, at.doorId, state.tree), {
      atMs: query.atMs,
      personType: person.personType,
      calendar: state.calendarView,
      door: ctx,
      presence,
    });
    const answer: OnlineDecision = { ...decision, doorId: at.doorId, personNo: person.personNo };
    if (!query.record || decision.decision !== 'allow') return answer;
    if (ctx.passbackAreaId !== null && at.direction !== 'none') {
      const claimed = await this.repo.claimPresence(
        person.personNo,
        ctx.passbackAreaId,
        at.direction,
        query.atMs,
      );
      if (!claimed) return { ...answer, decision: 'deny', reason: 'PASSBACK', late: false };
    }
    if (decision.late) {
      const building = state.tree
        .lineage(at.doorId)
        .find((id) => state.tree.places.get(id)?.kind === 'building');
      if (building) {
        await this.repo.recordLateReturn(
          person.personNo,
          building,
          shanghaiDay(query.atMs),
          deviceId,
          query.atMs,
        );
      }
    }
    return answer;
  }

  /** The backoffice's anti-passback reset: the person is neither in nor out (of one area, or all). */
  resetPassback(personNo: string, areaId: string | null): Promise<number> {
    return this.repo.resetPresence(personNo, areaId);
  }

  lateReturns(personNo: string): ReturnType<PassageRepository['lateReturns']> {
    return this.repo.lateReturns(personNo);
  }

  lateCounts(buildingId: string, fromDay: number): ReturnType<PassageRepository['lateCounts']> {
    return this.repo.lateCounts(buildingId, fromDay);
  }

  /** "Who can pass this door now": the people the rules let in through it at `atMs` (at most `limit`). */
  async whoCanPass(
    doorId: string,
    atMs: number,
    limit: number,
  ): Promise<{ personNo: string; late: boolean }[]> {
    const state = await this.current();
    const door = state.tree.places.get(doorId);
    if (door?.kind !== 'door') throw new CoreError('NOT_FOUND', 'no such door');
    const ctx = state.tree.doorContext(doorId, 'in');
    const out: { personNo: string; late: boolean }[] = [];
    for (const person of await this.people.everyone()) {
      const d = decide(candidatesFor(state.rules, person, doorId, state.tree), {
        atMs,
        personType: person.personType,
        calendar: state.calendarView,
        door: ctx,
        presence: 'none',
      });
      if (d.decision === 'allow') out.push({ personNo: person.personNo, late: d.late });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** "Where can this person pass": every door, with the decision at `atMs` coming in. */
  async whereCanPass(
    personNo: string,
    atMs: number,
  ): Promise<{ doorId: string; name: string; decision: PassageDecision }[]> {
    const state = await this.current();
    const person = await this.people.factsOfPerson(personNo);
    if (!person) throw new CoreError('NOT_FOUND', 'no such person with a card');
    return this.doorsFor(state, person, atMs);
  }

  /** The doors a card's holder may pass now (the mini-program's "my access rights"). */
  async rightsOfCard(
    cardNo: string,
    atMs: number,
  ): Promise<{ doorId: string; name: string; decision: PassageDecision }[]> {
    const state = await this.current();
    const person = await this.people.factsOfCard(cardNo);
    if (!person) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    return (await this.doorsFor(state, person, atMs)).filter((d) => d.decision.decision === 'allow');
  }

  private doorsFor(state: State, person: PersonFacts, atMs: number) {
    return state.tree.doors().map((door) => ({
      doorId: door.id,
      name: door.name,
      decision: decide(candidatesFor(state.rules, person, door.id, state.tree), {
        atMs,
        personType: person.personType,
        calendar: state.calendarView,
        door: state.tree.doorContext(door.id, 'in'),
        presence: 'none',
      }),
    }));
  }

  /**
   * A device's rule table: nothing when it holds the current version, a delta from the version it holds
   * when that version is still known here and the change is small, the whole table otherwise.
   */
  tableFor(deviceId: string, haveVersion: number): Promise<TableAnswer> {
    return this.tables.tableFor(deviceId, haveVersion);
  }

  /** Every door's table at the current version (the bench and the tests). */
  allTables(): Promise<Map<string, RuleTable>> {
    return this.tables.all();
  }

  /** Door commands go out to the devices of a door, or of every door under a building (emergency). */
  async command(
    placeId: string,
    command: DoorCommandKind,
    seconds: number,
    reason: string,
  ): Promise<DoorCommandOrder> {
    const state = await this.current();
    const place = state.tree.places.get(placeId);
    if (!place) throw new CoreError('NOT_FOUND', 'no such place');
    const emergency = command === 'emergency_open' || command === 'emergency_end';
    if (emergency ? place.kind !== 'building' : place.kind !== 'door') {
      throw new CoreError(
        'VALIDATION_FAILED',
        emergency ? 'an emergency opens a building' : 'a command names a door',
      );
    }
    const devices = await this.repo.doorDevices();
    const deviceIds = devices
      .filter((d) => state.tree.lineage(d.doorId).includes(placeId))
      .map((d) => d.deviceId);
    const order: DoorCommandOrder = { deviceIds, command, seconds, reason };
    for (const listener of this.commandListeners) listener(order);
    return order;
  }

  /** The state at the current version, loaded once per version. */
  private async current(): Promise<State> {
    const version = await this.repo.version();
    if (this.state?.version === version) return this.state;
    if (!this.loading) {
      this.loading = (async () => {
        const [places, groups, rules, calendar, peopleVersion] = await Promise.all([
          this.repo.places(),
          this.repo.groups(),
          this.repo.rules(),
          this.repo.calendar(),
          this.repo.peopleVersion(),
        ]);
        return {
          version,
          peopleVersion,
          tree: new PlaceTree(places, groups),
          rules,
          calendar,
          calendarView: { holidays: new Set(calendar.holidays), term: new Set(calendar.term) },
        };
      })().finally(() => {
        this.loading = undefined;
      });
    }
    const loaded = await this.loading;
    if (this.state === undefined || loaded.version > this.state.version) this.state = loaded;
    return loaded.version >= version ? loaded : this.current();
  }

  private async change<T>(
    fn: (tx: Parameters<Parameters<PassageRepository['transaction']>[0]>[0]) => Promise<T>,
    options: { people?: boolean } = {},
  ): Promise<T> {
    const { result, version } = await this.repo.transaction(async (tx) => {
      const version = await this.repo.bumpVersion(tx, options.people === true);
      return { result: await fn(tx), version };
    });
    for (const listener of this.listeners) listener(version);
    return result;
  }
}
