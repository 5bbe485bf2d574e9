/**
 * Campus passage on the wire (docs/passage.md): places (campus → area → building → door), door groups,
 * the devices of a door, rules (who may pass where and when), the calendar, residents and roles, and the
 * answers of the decision and the rule tables. Nothing here imports from node.
 */
import { z } from 'zod';
import { cardNo, deviceRef, personNo } from './fields.ts';

/** Ids the core makes (ULIDs, 26 characters). */
export const passageId = z.string().regex(/^[0-9A-Za-z]{1,26}$/, 'an id is 1–26 letters or digits');

export const placeKinds = ['campus', 'area', 'building', 'door'] as const;
export type PlaceKind = (typeof placeKinds)[number];
export const doorKinds = ['door', 'gate', 'turnstile', 'bus'] as const;
export type DoorKind = (typeof doorKinds)[number];
export const curfewModes = ['late', 'refuse'] as const;
export type CurfewMode = (typeof curfewModes)[number];
export const passageDirections = ['none', 'in', 'out'] as const;
export type PassageDirection = (typeof passageDirections)[number];

/** Minutes of an Asia/Shanghai day, 0 … 1440. */
const minuteOfDay = z.number().int().min(0).max(1440);

/**
 * A building's dorm curfew: entries of students from `fromMinute` to `toMinute` (Asia/Shanghai; a window
 * past midnight has from > to) are recorded as late returns ('late') or refused ('refuse').
 */
export const curfew = z.strictObject({
  fromMinute: minuteOfDay.max(1439),
  toMinute: minuteOfDay.max(1439),
  mode: z.enum(curfewModes),
});
export type Curfew = z.infer<typeof curfew>;

export const newPlace = z
  .strictObject({
    kind: z.enum(placeKinds),
    parentId: passageId.nullable(),
    name: z.string().trim().min(1).max(64),
    /** Doors only. */
    doorKind: z.enum(doorKinds).optional(),
    /** Areas only: in before out. */
    antiPassback: z.boolean().optional(),
    /** Buildings only. */
    curfew: curfew.nullable().optional(),
  })
  .refine((p) => (p.kind === 'campus') === (p.parentId === null), {
    message: 'a campus has no parent; every other place has one',
  })
  .refine((p) => (p.kind === 'door') === (p.doorKind !== undefined), {
    message: 'a door names its kind; other places do not',
  })
  .refine((p) => !p.antiPassback || p.kind === 'area', { message: 'anti-passback is set on areas' })
  .refine((p) => !p.curfew || p.kind === 'building', { message: 'a curfew is set on buildings' });
export type NewPlace = z.infer<typeof newPlace>;

export const placeChange = z.strictObject({
  name: z.string().trim().min(1).max(64).optional(),
  antiPassback: z.boolean().optional(),
  curfew: curfew.nullable().optional(),
});
export type PlaceChange = z.infer<typeof placeChange>;

export interface Place {
  id: string;
  kind: PlaceKind;
  parentId: string | null;
  name: string;
  doorKind: DoorKind | null;
  antiPassback: boolean;
  curfew: Curfew | null;
}

export const doorDevice = z.strictObject({
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  direction: z.enum(passageDirections),
});
export type DoorDevice = z.infer<typeof doorDevice>;

export const newDoorGroup = z.strictObject({
  name: z.string().trim().min(1).max(64),
  doorIds: z.array(passageId).max(5_000),
});
export type NewDoorGroup = z.infer<typeof newDoorGroup>;

export interface DoorGroup {
  id: string;
  name: string;
  doorIds: string[];
}

export const whoKinds = [
  'everyone',
  'person_type',
  'department',
  'class',
  'dorm_building',
  'dorm_room',
  'person',
  'role',
] as const;
export type WhoKind = (typeof whoKinds)[number];
export const whereKinds = ['door', 'door_group', 'building', 'area', 'campus'] as const;
export type WhereKind = (typeof whereKinds)[number];
export const calendarConditions = ['any', 'workdays', 'holidays', 'term'] as const;
export type CalendarCondition = (typeof calendarConditions)[number];
export const passagePersonTypes = ['student', 'staff', 'alumnus', 'visitor'] as const;
export type PassagePersonType = (typeof passagePersonTypes)[number];

/**
 * A weekly window: on the listed weekdays (0 = Monday … 6 = Sunday), from `fromMinute` (inclusive) to
 * `toMinute` (exclusive), Asia/Shanghai.
 */
export const weeklyWindow = z
  .strictObject({
    weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    fromMinute: minuteOfDay.max(1439),
    toMinute: minuteOfDay.min(1),
  })
  .refine((w) => w.fromMinute < w.toMinute, { message: 'a window ends after it starts' });
export type WeeklyWindow = z.infer<typeof weeklyWindow>;

export const who = z
  .strictObject({ kind: z.enum(whoKinds), value: z.string().trim().min(1).max(64).nullable() })
  .refine((w) => (w.kind === 'everyone') === (w.value === null), {
    message: 'everyone has no value; every other kind names one',
  })
  .refine((w) => w.kind !== 'person_type' || passagePersonTypes.includes(w.value as PassagePersonType), {
    message: 'a person type is student, staff, alumnus or visitor',
  })
  .refine((w) => w.kind !== 'dorm_room' || /^[0-9A-Za-z]{1,26}\/[^/]{1,16}$/.test(w.value ?? ''), {
    message: 'a dorm room is <building id>/<room>',
  });
export type Who = z.infer<typeof who>;

export const newRule = z
  .strictObject({
    name: z.string().trim().min(1).max(64),
    effect: z.enum(['allow', 'deny']),
    who,
    where: z.strictObject({ kind: z.enum(whereKinds), id: passageId }),
    /** Empty: at any time of day on any weekday. */
    windows: z.array(weeklyWindow).max(16),
    calendar: z.enum(calendarConditions).default('any'),
    validFromMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().default(null),
    /** A temporary grant (or ban) ends here. */
    validUntilMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().default(null),
  })
  .refine((r) => r.validFromMs === null || r.validUntilMs === null || r.validFromMs < r.validUntilMs, {
    message: 'a rule ends after it starts',
  });
export type NewRule = z.infer<typeof newRule>;

export interface Rule extends NewRule {
  id: string;
  createdBy: string;
  createdAtMs: number;
}

export const calendarDays = z.strictObject({
  kind: z.enum(['holiday', 'term']),
  /** 'YYYY-MM-DD' (Asia/Shanghai). */
  days: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(400),
  /** true: add these days; false: take them out. */
  on: z.boolean(),
});
export type CalendarDays = z.infer<typeof calendarDays>;

export const resident = z.strictObject({
  personNo,
  buildingId: passageId,
  room: z
    .string()
    .trim()
    .min(1)
    .max(16)
    .regex(/^[^/]+$/),
});
export type Resident = z.infer<typeof resident>;

export const personRole = z.strictObject({
  personNo,
  role: z.string().regex(/^[a-z_]{1,32}$/),
  on: z.boolean(),
});
export type PersonRole = z.infer<typeof personRole>;

/** Reasons a passage is refused; the protocol carries them as reason codes (docs/protocol.md § 8.3). */
export const passageRefusals = ['NO_PASSAGE_RIGHT', 'PASSAGE_DENIED', 'CURFEW', 'PASSBACK'] as const;
export type PassageRefusal = (typeof passageRefusals)[number];

export interface PassageDecision {
  decision: 'allow' | 'deny';
  reason: PassageRefusal | null;
  /** Allowed after the building's curfew: recorded as a late return. */
  late: boolean;
}

export const decisionQuery = z.strictObject({
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,32}(-\d{1,10})?$/),
  cardNo: z.string().regex(/^\d{8,20}$/),
  atMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Record the passage (anti-passback state, late return): the gate's real check; false for a preview. */
  record: z.boolean().default(true),
});
export type DecisionQuery = z.infer<typeof decisionQuery>;

/**
 * A gate's IDENTITY_CHECK in one call (POST /v1/passage/gate-checks): the core checks the card (status,
 * the credential's version), decides by the door's rules when the device serves a door, and records the
 * access event once per (device, sequence), so a gate check costs the gateway one round trip.
 */
export const gateCheck = z.strictObject({
  /** The device's records key (`<id>-<keyVersion>` after a re-key), as access events name it. */
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  cardNo,
  /** The version the phone's credential was made for: only the card's current one passes. */
  cardVersion: z.number().int().nonnegative().max(0xffff_ffff),
  direction: z.enum(passageDirections),
  atMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type GateCheck = z.infer<typeof gateCheck>;

/** POST /v1/passage/gate-checks/answer: the answer of the check under a device's (device, sequence). */
export const gateCheckAnswered = z.strictObject({
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
});

/** Why a gate check is refused: the card's state, a superseded credential, or the door's rules. */
export const gateRefusals = [
  'CARD_NOT_FOUND',
  'CARD_LOST',
  'CARD_FROZEN',
  'CARD_CANCELLED',
  'CREDENTIAL_REVOKED',
  ...passageRefusals,
] as const;
export type GateRefusal = (typeof gateRefusals)[number];

/** The answer of a gate check; the holder's name and person type only when allowed. */
export type GateCheckAnswer =
  | { decision: 'allow'; reason: null; personType: string; name: string }
  | { decision: 'deny'; reason: GateRefusal };

export const doorCommands = ['open', 'close', 'hold_open', 'emergency_open', 'emergency_end'] as const;
export type DoorCommandKind = (typeof doorCommands)[number];

export const doorCommand = z
  .strictObject({
    command: z.enum(doorCommands),
    /** hold_open only: how long, seconds (at most 12 hours). */
    seconds: z.number().int().min(1).max(43_200).optional(),
    reason: z.string().trim().min(2).max(200),
  })
  .refine((c) => (c.command === 'hold_open') === (c.seconds !== undefined), {
    message: 'hold_open names its seconds; other commands do not',
  });
export type DoorCommand = z.infer<typeof doorCommand>;

/**
 * GET /v1/passage/access-log: every pass and refusal at doors, gates and readers (access_events), newest
 * first. `placeId` narrows to the doors at or under a place (a door, a building, an area, a campus);
 * the next page starts before the last row's (`occurredAtMs`, `id`).
 */
export const accessLogQuery = z
  .object({
    placeId: passageId.optional(),
    personNo: personNo.optional(),
    cardNo: cardNo.optional(),
    decision: z.enum(['allow', 'deny']).optional(),
    direction: z.enum(passageDirections).optional(),
    source: z.enum(['online', 'offline']).optional(),
    fromMs: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
    toMs: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(Number.MAX_SAFE_INTEGER),
    beforeAtMs: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    beforeId: passageId.optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(200),
  })
  .refine((q) => q.fromMs < q.toMs, { message: 'fromMs must be before toMs', path: ['toMs'] })
  .refine((q) => (q.beforeAtMs === undefined) === (q.beforeId === undefined), {
    message: 'beforeAtMs and beforeId go together',
    path: ['beforeId'],
  });
export type AccessLogQuery = z.infer<typeof accessLogQuery>;
/** What a caller sends: every field may be left to its default. */
export type AccessLogQueryInput = Partial<AccessLogQuery>;

export interface AccessLogRow {
  id: string;
  deviceId: string;
  /** The door the device is at, when it is at one. */
  doorId: string | null;
  doorName: string | null;
  cardNo: string | null;
  personNo: string | null;
  /** The person's name, when the card or person number is known to the core. */
  name: string | null;
  direction: PassageDirection;
  decision: 'allow' | 'deny';
  /** The refusal's reason code (docs/protocol.md §8.3, or a passage refusal), null for a pass. */
  reason: string | null;
  source: 'online' | 'offline';
  occurredAtMs: number;
}
