// Passage tables (sql/040, sql/041): the only place with passage SQL besides people-repository.ts (the
// people facts rules are compiled against). Reads of access_events are read-only joins for the log.

import type {
  Curfew,
  DoorDevice,
  DoorGroup,
  NewPlace,
  PassageDirection,
  Place,
  PlaceChange,
  Rule,
} from '../contract/passage.ts';
import type { Database, Param, Tx } from '../db/database.ts';
import { newId } from '../ids.ts';

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function placeOf(r: Row): Place {
  const curfew: Curfew | null =
    r.curfew_mode === null || r.curfew_mode === undefined
      ? null
      : {
          fromMinute: num(r.curfew_from_minute),
          toMinute: num(r.curfew_to_minute),
          mode: r.curfew_mode as Curfew['mode'],
        };
  return {
    id: String(r.id),
    kind: r.kind as Place['kind'],
    parentId: strOrNull(r.parent_id),
    name: String(r.name),
    doorKind: strOrNull(r.door_kind) as Place['doorKind'],
    antiPassback: num(r.anti_passback) === 1,
    curfew,
  };
}

function ruleOf(r: Row): Rule {
  return {
    id: String(r.id),
    name: String(r.name),
    effect: r.effect as Rule['effect'],
    who: { kind: r.who_kind as Rule['who']['kind'], value: strOrNull(r.who_value) },
    where: { kind: r.where_kind as Rule['where']['kind'], id: String(r.where_id) },
    windows: JSON.parse(String(r.windows_json)) as Rule['windows'],
    calendar: r.calendar as Rule['calendar'],
    validFromMs: r.valid_from_ms === null ? null : num(r.valid_from_ms),
    validUntilMs: r.valid_until_ms === null ? null : num(r.valid_until_ms),
    createdBy: String(r.created_by),
    createdAtMs: num(r.created_at_ms),
  };
}

export class PassageRepository {
  constructor(private readonly db: Database) {}

  get database(): Database {
    return this.db;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /**
   * Takes the next state version (the row stays locked until the transaction ends); `people` also moves
   * the people version, so compiled card rows are not reused across it.
   */
  async bumpVersion(tx: Tx, people = false): Promise<number> {
    await this.db.execute(
      `UPDATE passage_state SET version = version + 1${people ? ', people_version = people_version + 1' : ''} WHERE id = 1`,
      [],
      tx,
    );
    const rows = await this.db.select<{ version: number }>(
      'SELECT version FROM passage_state WHERE id = 1',
      [],
      tx,
    );
    return num(rows[0]?.version);
  }

  async version(): Promise<number> {
    const rows = await this.db.select<{ version: number }>('SELECT version FROM passage_state WHERE id = 1');
    return num(rows[0]?.version ?? 1);
  }

  async peopleVersion(): Promise<number> {
    const rows = await this.db.select<Row>('SELECT people_version FROM passage_state WHERE id = 1');
    return num(rows[0]?.people_version ?? 1);
  }

  /** The fingerprint last followed, with the state row locked until the transaction ends. */
  async followedFingerprint(tx: Tx): Promise<string | null> {
    const rows = await this.db.select<Row>(
      `SELECT people_fingerprint FROM passage_state WHERE id = 1${this.db.forUpdate}`,
      [],
      tx,
    );
    return strOrNull(rows[0]?.people_fingerprint);
  }

  async setFollowedFingerprint(fingerprint: string, tx: Tx): Promise<void> {
    await this.db.execute('UPDATE passage_state SET people_fingerprint = ? WHERE id = 1', [fingerprint], tx);
  }

  async insertPlace(p: NewPlace, tx: Tx): Promise<Place> {
    const id = newId();
    const nowMs = Date.now();
    await this.db.execute(
      `INSERT INTO passage_places (id, kind, parent_id, name, door_kind, anti_passback, curfew_from_minute, curfew_to_minute, curfew_mode, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        p.kind,
        p.parentId,
        p.name,
        p.doorKind ?? null,
        p.antiPassback ? 1 : 0,
        p.curfew?.fromMinute ?? null,
        p.curfew?.toMinute ?? null,
        p.curfew?.mode ?? null,
        nowMs,
        nowMs,
      ],
      tx,
    );
    return {
      id,
      kind: p.kind,
      parentId: p.parentId,
      name: p.name,
      doorKind: p.doorKind ?? null,
      antiPassback: p.antiPassback ?? false,
      curfew: p.curfew ?? null,
    };
  }

  async updatePlace(id: string, change: PlaceChange, tx: Tx): Promise<number> {
    const sets: string[] = [];
    const params: Param[] = [];
    if (change.name !== undefined) {
      sets.push('name = ?');
      params.push(change.name);
    }
    if (change.antiPassback !== undefined) {
      sets.push('anti_passback = ?');
      params.push(change.antiPassback ? 1 : 0);
    }
    if (change.curfew !== undefined) {
      sets.push('curfew_from_minute = ?', 'curfew_to_minute = ?', 'curfew_mode = ?');
      params.push(
        change.curfew?.fromMinute ?? null,
        change.curfew?.toMinute ?? null,
        change.curfew?.mode ?? null,
      );
    }
    sets.push('updated_at_ms = ?');
    params.push(Date.now(), id);
    return this.db.execute(`UPDATE passage_places SET ${sets.join(', ')} WHERE id = ?`, params, tx);
  }

  async place(id: string, tx?: Tx): Promise<Place | undefined> {
    const rows = await this.db.select<Row>('SELECT * FROM passage_places WHERE id = ?', [id], tx);
    return rows[0] && placeOf(rows[0]);
  }

  async places(): Promise<Place[]> {
    const rows = await this.db.select<Row>('SELECT * FROM passage_places ORDER BY kind, name, id');
    return rows.map(placeOf);
  }

  async setDoorDevice(doorId: string, d: DoorDevice, tx: Tx): Promise<void> {
    await this.db.execute('DELETE FROM passage_door_devices WHERE device_id = ?', [d.deviceId], tx);
    await this.db.execute(
      'INSERT INTO passage_door_devices (device_id, door_id, direction, created_at_ms) VALUES (?, ?, ?, ?)',
      [d.deviceId, doorId, d.direction, Date.now()],
      tx,
    );
  }

  async removeDoorDevice(deviceId: string, tx: Tx): Promise<number> {
    return this.db.execute('DELETE FROM passage_door_devices WHERE device_id = ?', [deviceId], tx);
  }

  async doorDevices(): Promise<(DoorDevice & { doorId: string })[]> {
    const rows = await this.db.select<Row>(
      'SELECT device_id, door_id, direction FROM passage_door_devices ORDER BY door_id, device_id',
    );
    return rows.map((r) => ({
      deviceId: String(r.device_id),
      doorId: String(r.door_id),
      direction: r.direction as PassageDirection,
    }));
  }

  async deviceDoor(deviceId: string): Promise<{ doorId: string; direction: PassageDirection } | undefined> {
    const rows = await this.db.select<Row>(
      'SELECT door_id, direction FROM passage_door_devices WHERE device_id = ?',
      [deviceId],
    );
    const r = rows[0];
    return r && { doorId: String(r.door_id), direction: r.direction as PassageDirection };
  }

  async insertGroup(name: string, doorIds: readonly string[], tx: Tx): Promise<DoorGroup> {
    const id = newId();
    await this.db.execute(
      'INSERT INTO passage_door_groups (id, name, created_at_ms) VALUES (?, ?, ?)',
      [id, name, Date.now()],
      tx,
    );
    await this.replaceGroupDoors(id, doorIds, tx);
    return { id, name, doorIds: [...new Set(doorIds)] };
  }

  async replaceGroupDoors(groupId: string, doorIds: readonly string[], tx: Tx): Promise<void> {
    await this.db.execute('DELETE FROM passage_door_group_members WHERE group_id = ?', [groupId], tx);
    for (const doorId of new Set(doorIds)) {
      await this.db.execute(
        'INSERT INTO passage_door_group_members (group_id, door_id) VALUES (?, ?)',
        [groupId, doorId],
        tx,
      );
    }
  }

  async groups(): Promise<DoorGroup[]> {
    const groups = await this.db.select<Row>('SELECT id, name FROM passage_door_groups ORDER BY name, id');
    const members = await this.db.select<Row>(
      'SELECT group_id, door_id FROM passage_door_group_members ORDER BY door_id',
    );
    return groups.map((g) => ({
      id: String(g.id),
      name: String(g.name),
      doorIds: members.filter((m) => m.group_id === g.id).map((m) => String(m.door_id)),
    }));
  }

  async insertRule(rule: Omit<Rule, 'id' | 'createdAtMs'>, tx: Tx): Promise<Rule> {
    const id = newId();
    const createdAtMs = Date.now();
    await this.db.execute(
      `INSERT INTO passage_rules (id, name, effect, who_kind, who_value, where_kind, where_id, windows_json, calendar, valid_from_ms, valid_until_ms, created_by, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        rule.name,
        rule.effect,
        rule.who.kind,
        rule.who.value,
        rule.where.kind,
        rule.where.id,
        JSON.stringify(rule.windows),
        rule.calendar,
        rule.validFromMs,
        rule.validUntilMs,
        rule.createdBy,
        createdAtMs,
      ],
      tx,
    );
    return { ...rule, id, createdAtMs };
  }

  async rule(id: string, tx?: Tx): Promise<Rule | undefined> {
    const rows = await this.db.select<Row>('SELECT * FROM passage_rules WHERE id = ?', [id], tx);
    return rows[0] && ruleOf(rows[0]);
  }

  async deleteRule(id: string, tx: Tx): Promise<number> {
    return this.db.execute('DELETE FROM passage_rules WHERE id = ?', [id], tx);
  }

  async rules(): Promise<Rule[]> {
    const rows = await this.db.select<Row>('SELECT * FROM passage_rules ORDER BY id');
    return rows.map(ruleOf);
  }

  async setCalendarDays(
    kind: 'holiday' | 'term',
    days: readonly number[],
    on: boolean,
    tx: Tx,
  ): Promise<void> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    for (const day of days) {
      if (on)
        await this.db.execute(
          `${ignore} INTO passage_calendar_days (day, kind) VALUES (?, ?)`,
          [day, kind],
          tx,
        );
      else
        await this.db.execute(
          'DELETE FROM passage_calendar_days WHERE day = ? AND kind = ?',
          [day, kind],
          tx,
        );
    }
  }

  async calendar(): Promise<{ holidays: number[]; term: number[] }> {
    const rows = await this.db.select<Row>('SELECT day, kind FROM passage_calendar_days ORDER BY day');
    return {
      holidays: rows.filter((r) => r.kind === 'holiday').map((r) => num(r.day)),
      term: rows.filter((r) => r.kind === 'term').map((r) => num(r.day)),
    };
  }

  async setResident(personNo: string, buildingId: string, room: string, tx: Tx): Promise<void> {
    await this.db.execute('DELETE FROM passage_residents WHERE person_no = ?', [personNo], tx);
    await this.db.execute(
      'INSERT INTO passage_residents (person_no, building_id, room, updated_at_ms) VALUES (?, ?, ?, ?)',
      [personNo, buildingId, room, Date.now()],
      tx,
    );
  }

  async setRole(personNo: string, role: string, on: boolean, tx: Tx): Promise<void> {
    await this.db.execute(
      'DELETE FROM passage_person_roles WHERE person_no = ? AND role = ?',
      [personNo, role],
      tx,
    );
    if (on) {
      await this.db.execute(
        'INSERT INTO passage_person_roles (person_no, role) VALUES (?, ?)',
        [personNo, role],
        tx,
      );
    }
  }

  async presence(personNo: string, areaId: string): Promise<'in' | 'out' | 'none'> {
    const rows = await this.db.select<Row>(
      'SELECT state FROM passage_area_presence WHERE person_no = ? AND area_id = ?',
      [personNo, areaId],
    );
    return (rows[0]?.state as 'in' | 'out' | undefined) ?? 'none';
  }

  /**
   * Moves a person in or out of an area only if they are not already there: one conditional write, so
   * two gates racing for one card let it through once. Answers false when the person already was there.
   */
  async claimPresence(personNo: string, areaId: string, state: 'in' | 'out', atMs: number): Promise<boolean> {
    const changed = await this.db.execute(
      'UPDATE passage_area_presence SET state = ?, updated_at_ms = ? WHERE person_no = ? AND area_id = ? AND state <> ?',
      [state, atMs, personNo, areaId, state],
    );
    if (changed === 1) return true;
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    return (
      (await this.db.execute(
        `${ignore} INTO passage_area_presence (person_no, area_id, state, updated_at_ms) VALUES (?, ?, ?, ?)`,
        [personNo, areaId, state, atMs],
      )) === 1
    );
  }

  async resetPresence(personNo: string, areaId: string | null): Promise<number> {
    return areaId === null
      ? this.db.execute('DELETE FROM passage_area_presence WHERE person_no = ?', [personNo])
      : this.db.execute('DELETE FROM passage_area_presence WHERE person_no = ? AND area_id = ?', [
          personNo,
          areaId,
        ]);
  }

  /** Records a late return once per person, building and day; answers whether it was new. */
  async recordLateReturn(
    personNo: string,
    buildingId: string,
    day: number,
    deviceId: string,
    atMs: number,
  ): Promise<boolean> {
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    return (
      (await this.db.execute(
        `${ignore} INTO passage_late_returns (person_no, building_id, day, device_id, occurred_at_ms) VALUES (?, ?, ?, ?, ?)`,
        [personNo, buildingId, day, deviceId, atMs],
      )) === 1
    );
  }

  async lateReturns(personNo: string): Promise<{ buildingId: string; day: number; occurredAtMs: number }[]> {
    const rows = await this.db.select<Row>(
      'SELECT building_id, day, occurred_at_ms FROM passage_late_returns WHERE person_no = ? ORDER BY day DESC LIMIT 200',
      [personNo],
    );
    return rows.map((r) => ({
      buildingId: String(r.building_id),
      day: num(r.day),
      occurredAtMs: num(r.occurred_at_ms),
    }));
  }

  /** Late returns per student in a building from a day on, most first. */
  async lateCounts(buildingId: string, fromDay: number): Promise<{ personNo: string; count: number }[]> {
    const rows = await this.db.select<Row>(
      `SELECT person_no, COUNT(*) AS n FROM passage_late_returns WHERE building_id = ? AND day >= ?
        GROUP BY person_no ORDER BY n DESC, person_no LIMIT 500`,
      [buildingId, fromDay],
    );
    return rows.map((r) => ({ personNo: String(r.person_no), count: num(r.n) }));
  }
}
