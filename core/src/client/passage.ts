import type {
  AccessLogQueryInput,
  AccessLogRow,
  CalendarDays,
  DecisionQuery,
  DoorCommand,
  DoorDevice,
  DoorGroup,
  GateCheck,
  GateCheckAnswer,
  NewDoorGroup,
  NewPlace,
  NewRule,
  PassageDecision,
  PassageDirection,
  Place,
  PlaceChange,
  Resident,
  Rule,
} from '../contract/passage.ts';
import type { DoorCommandOrder, OnlineDecision } from '../passage/passage-service.ts';
import type { TableAnswer } from '../passage/rule-tables.ts';
import { DomainClient, query } from './transport.ts';

const id = encodeURIComponent;

export type PlaceDecision = { doorId: string; name: string; decision: PassageDecision };

/** Campus passage (docs/passage.md): places, rules, decisions, rule tables, door commands, the access log. */
export class PassageClient extends DomainClient {
  passageVersion(): Promise<{ version: number }> {
    return this.transport.call('GET', '/v1/passage/version');
  }
  passagePlaces(): Promise<{ items: Place[] }> {
    return this.transport.call('GET', '/v1/passage/places');
  }
  createPassagePlace(place: NewPlace): Promise<Place> {
    return this.transport.call('POST', '/v1/passage/places', place);
  }
  changePassagePlace(placeId: string, change: PlaceChange): Promise<Place> {
    return this.transport.call('PATCH', `/v1/passage/places/${id(placeId)}`, change);
  }
  setDoorDevice(doorId: string, device: DoorDevice): Promise<{ ok: true }> {
    return this.transport.call('PUT', `/v1/passage/doors/${id(doorId)}/devices`, device);
  }
  removeDoorDevice(deviceId: string): Promise<{ ok: true }> {
    return this.transport.call('DELETE', `/v1/passage/devices/${id(deviceId)}`);
  }
  doorDevices(): Promise<{ items: { deviceId: string; doorId: string; direction: PassageDirection }[] }> {
    return this.transport.call('GET', '/v1/passage/door-devices');
  }
  doorGroups(): Promise<{ items: DoorGroup[] }> {
    return this.transport.call('GET', '/v1/passage/door-groups');
  }
  createDoorGroup(group: NewDoorGroup): Promise<DoorGroup> {
    return this.transport.call('POST', '/v1/passage/door-groups', group);
  }
  /** Every rule, or those within a place (at it or under it: a campus's). */
  passageRules(withinPlaceId?: string): Promise<{ items: Rule[] }> {
    const within = withinPlaceId === undefined ? '' : `?placeId=${encodeURIComponent(withinPlaceId)}`;
    return this.transport.call('GET', `/v1/passage/rules${within}`);
  }
  createPassageRule(
    rule: Omit<NewRule, 'calendar' | 'validFromMs' | 'validUntilMs'> & Partial<NewRule>,
    createdBy: string,
  ): Promise<Rule> {
    return this.transport.call('POST', '/v1/passage/rules', { rule, createdBy });
  }
  deletePassageRule(ruleId: string): Promise<{ ok: true }> {
    return this.transport.call('DELETE', `/v1/passage/rules/${id(ruleId)}`);
  }
  passageCalendar(): Promise<{ holidays: number[]; term: number[] }> {
    return this.transport.call('GET', '/v1/passage/calendar');
  }
  setPassageCalendar(days: CalendarDays): Promise<{ ok: true }> {
    return this.transport.call('POST', '/v1/passage/calendar', days);
  }
  setResident(r: Resident): Promise<{ ok: true }> {
    return this.transport.call('PUT', '/v1/passage/residents', r);
  }
  setPassageRole(personNo: string, role: string, on: boolean): Promise<{ ok: true }> {
    return this.transport.call('POST', '/v1/passage/roles', { personNo, role, on });
  }
  /** The gateway's online decision; passage null when the device serves no door. */
  decidePassage(
    q: Omit<DecisionQuery, 'record'> & { record?: boolean },
  ): Promise<{ passage: OnlineDecision | null }> {
    return this.transport.call('POST', '/v1/passage/decisions', q);
  }
  /** A gate's IDENTITY_CHECK in one round trip: the card, the door's rules, and the access event recorded. */
  gateCheck(q: GateCheck): Promise<GateCheckAnswer> {
    return this.transport.call('POST', '/v1/passage/gate-checks', q);
  }
  /** The answer recorded for a gate check under (deviceId, sequence), or null: its retry at another gateway. */
  gateCheckAnswered(deviceId: string, sequence: number): Promise<{ answer: GateCheckAnswer | null }> {
    return this.transport.call('POST', '/v1/passage/gate-checks/answer', { deviceId, sequence });
  }
  /** A door device's rule table: current, a delta from `have`, or the whole table. */
  ruleTable(deviceId: string, have: number): Promise<TableAnswer> {
    return this.transport.call('GET', `/v1/passage/devices/${id(deviceId)}/table${query({ have })}`);
  }
  doorCommand(placeId: string, command: DoorCommand): Promise<DoorCommandOrder> {
    return this.transport.call('POST', `/v1/passage/places/${id(placeId)}/commands`, command);
  }
  resetPassback(personNo: string, areaId: string | null): Promise<{ reset: number }> {
    return this.transport.call('POST', '/v1/passage/passback-resets', { personNo, areaId });
  }
  whoCanPass(
    doorId: string,
    atMs?: number,
    limit?: number,
  ): Promise<{ items: { personNo: string; late: boolean }[] }> {
    return this.transport.call('GET', `/v1/passage/doors/${id(doorId)}/who${query({ atMs, limit })}`);
  }
  whereCanPass(personNo: string, atMs?: number): Promise<{ items: PlaceDecision[] }> {
    return this.transport.call('GET', `/v1/passage/persons/${id(personNo)}/where${query({ atMs })}`);
  }
  lateReturns(
    personNo: string,
  ): Promise<{ items: { buildingId: string; day: number; occurredAtMs: number }[] }> {
    return this.transport.call('GET', `/v1/passage/persons/${id(personNo)}/late-returns`);
  }
  lateCounts(
    buildingId: string,
    fromDay?: number,
  ): Promise<{ items: { personNo: string; count: number }[] }> {
    return this.transport.call(
      'GET',
      `/v1/passage/buildings/${id(buildingId)}/late-counts${query({ fromDay })}`,
    );
  }
  passageRightsOfCard(cardNo: string, atMs?: number): Promise<{ items: PlaceDecision[] }> {
    return this.transport.call('GET', `/v1/passage/cards/${id(cardNo)}/rights${query({ atMs })}`);
  }
  passageLog(q: AccessLogQueryInput): Promise<{ items: AccessLogRow[] }> {
    return this.transport.call('GET', `/v1/passage/access-log${query(q)}`);
  }
}
