// Campus passage (docs/protocol.md § 7.23–7.27, docs/passage.md): a door's rule table, downloaded in
// chunks and kept current by deltas like the blacklist, so a door decides offline; door commands from the
// backoffice (open, close, hold open, a building's emergency all-open) and the door's events. Who may
// enter which dorm is personal data, so chunks and deltas are always encrypted.

import { ProtocolError } from '../errors.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  checkRange,
  readCardNo,
  readCount,
  readCount16,
  readEnum,
  writeCardNo,
  writeCount,
  writeCount16,
  writeEnum,
} from './fields.ts';

/** A rule's calendar condition. */
export const passageCalendars = {
  any: 0x01, // every day
  workdays: 0x02, // every day that is not a holiday
  holidays: 0x03, // holidays only
  term: 0x04, // term days that are not holidays
} as const;
export type PassageCalendar = keyof typeof passageCalendars;

export const curfewModes = {
  none: 0x00, // the building has no curfew
  late: 0x01, // students entering in the curfew are let in and recorded as late returns
  refuse: 0x02, // students entering in the curfew are refused (CURFEW)
} as const;
export type CurfewMode = keyof typeof curfewModes;

export const ruleEffects = {
  allow: 0x01,
  deny: 0x02, // a deny in force wins over every allow
} as const;
export type RuleEffect = keyof typeof ruleEffects;

/** Person-type bits of a type rule, in the order of § 8.4 (bit 0 student … bit 3 visitor). */
export const personTypeBits = { student: 0x01, staff: 0x02, alumnus: 0x04, visitor: 0x08 } as const;
export type PassagePersonType = keyof typeof personTypeBits;

export const doorCommands = {
  open: 0x01, // open once, as for an allowed passage
  close: 0x02, // close now, ending a hold-open
  hold_open: 0x03, // stay open for `seconds`, then close
  emergency_open: 0x04, // fire: open and stay open, ignoring the rules, until emergency_end
  emergency_end: 0x05, // back to normal operation
} as const;
export type DoorCommandName = keyof typeof doorCommands;

export const doorEvents = {
  command_done: 0x01, // the command in `command` was carried out
  opened: 0x02, // opened by an allowed passage or the exit button
  closed: 0x03, // closed again
  forced_open: 0x04, // opened without a passage (door forced)
  held_too_long: 0x05, // left open past its time
} as const;
export type DoorEventName = keyof typeof doorEvents;

export const passageProgramsMax = 32;
export const passageWindowsMax = 16;
export const passageTypeRulesMax = 32;
export const passageCalendarDaysMax = 400;
/** Rules per card row; 0xFF in a delta means "remove the row". */
export const passageRowRulesMax = 32;
export const ruleTableRowsPerChunkMax = 512;
export const ruleTableDeltaRowsMax = 512;
const removeRow = 0xff;
/** The longest hold-open, 12 hours. */
export const holdOpenSecondsMax = 43_200;

export interface PassageWindow {
  /** Bit 0 Monday … bit 6 Sunday (Asia/Shanghai). */
  readonly weekdays: number;
  readonly fromMinute: number;
  readonly toMinute: number;
}

export interface PassageProgram {
  readonly calendar: PassageCalendar;
  /** 0: no start. Epoch ms. */
  readonly validFromMs: number;
  /** 0: no end. Epoch ms, exclusive. */
  readonly validUntilMs: number;
  /** Empty: all day, every day. */
  readonly windows: readonly PassageWindow[];
}

export interface PassageTypeRule {
  readonly effect: RuleEffect;
  /** personTypeBits ORed, ≥ 1. */
  readonly personTypes: number;
  readonly program: number;
}

export interface PassageRowRule {
  readonly effect: RuleEffect;
  readonly program: number;
}

export interface PassageRow {
  readonly cardNo: string;
  readonly rules: readonly PassageRowRule[];
}

/** Everything of a table but its card rows: sent in chunk 0 and whole in every delta. */
export interface RuleTableHeader {
  readonly curfewMode: CurfewMode;
  /** Minutes of the day (Asia/Shanghai); from > to wraps past midnight; 0 when curfewMode is none. */
  readonly curfewFromMinute: number;
  readonly curfewToMinute: number;
  /** The door's area runs anti-passback (in before out). */
  readonly passback: boolean;
  readonly programs: readonly PassageProgram[];
  readonly typeRules: readonly PassageTypeRule[];
  /** Asia/Shanghai day numbers (days since 1970-01-01), ascending. */
  readonly holidays: readonly number[];
  readonly termDays: readonly number[];
}

function readDays(r: ByteReader, field: string): number[] {
  const count = readCount16(r, passageCalendarDaysMax, field);
  const days: number[] = [];
  for (let i = 0; i < count; i++) days.push(r.u16(field));
  return days;
}

function writeDays(w: ByteWriter, days: readonly number[], field: string): void {
  writeCount16(w, days.length, passageCalendarDaysMax, field);
  for (const day of days) w.u16(day, field);
}

function checkMinute(value: number, max: number, field: string): number {
  return checkRange(value, 0, max, field);
}

function readHeader(r: ByteReader): RuleTableHeader {
  const curfewMode = readEnum(r, curfewModes, 'curfewMode');
  const curfewFromMinute = checkMinute(r.u16('curfewFromMinute'), 1439, 'curfewFromMinute');
  const curfewToMinute = checkMinute(r.u16('curfewToMinute'), 1439, 'curfewToMinute');
  const passback = checkRange(r.u8('passback'), 0, 1, 'passback') === 1;
  const programCount = readCount(r, passageProgramsMax, 'programCount');
  const programs: PassageProgram[] = [];
  for (let i = 0; i < programCount; i++) {
    const calendar = readEnum(r, passageCalendars, 'calendar');
    const validFromMs = r.u64('validFromMs');
    const validUntilMs = r.u64('validUntilMs');
    const windowCount = readCount(r, passageWindowsMax, 'windowCount');
    const windows: PassageWindow[] = [];
    for (let j = 0; j < windowCount; j++) {
      const weekdays = checkRange(r.u8('weekdays'), 1, 0x7f, 'weekdays');
      const fromMinute = checkMinute(r.u16('fromMinute'), 1439, 'fromMinute');
      const toMinute = checkRange(r.u16('toMinute'), fromMinute + 1, 1440, 'toMinute');
      windows.push({ weekdays, fromMinute, toMinute });
    }
    programs.push({ calendar, validFromMs, validUntilMs, windows });
  }
  const typeRuleCount = readCount(r, passageTypeRulesMax, 'typeRuleCount');
  const typeRules: PassageTypeRule[] = [];
  for (let i = 0; i < typeRuleCount; i++) {
    const effect = readEnum(r, ruleEffects, 'effect');
    const personTypes = checkRange(r.u8('personTypes'), 1, 0x0f, 'personTypes');
    const program = checkRange(r.u8('program'), 0, programCount - 1, 'program');
    typeRules.push({ effect, personTypes, program });
  }
  const holidays = readDays(r, 'holidayCount');
  const termDays = readDays(r, 'termDayCount');
  return { curfewMode, curfewFromMinute, curfewToMinute, passback, programs, typeRules, holidays, termDays };
}

function writeHeader(w: ByteWriter, h: RuleTableHeader): void {
  writeEnum(w, curfewModes, h.curfewMode, 'curfewMode');
  w.u16(checkMinute(h.curfewFromMinute, 1439, 'curfewFromMinute'), 'curfewFromMinute');
  w.u16(checkMinute(h.curfewToMinute, 1439, 'curfewToMinute'), 'curfewToMinute');
  w.u8(h.passback ? 1 : 0, 'passback');
  writeCount(w, h.programs.length, passageProgramsMax, 'programCount');
  for (const p of h.programs) {
    writeEnum(w, passageCalendars, p.calendar, 'calendar');
    w.u64(p.validFromMs, 'validFromMs');
    w.u64(p.validUntilMs, 'validUntilMs');
    writeCount(w, p.windows.length, passageWindowsMax, 'windowCount');
    for (const win of p.windows) {
      w.u8(checkRange(win.weekdays, 1, 0x7f, 'weekdays'), 'weekdays');
      w.u16(checkMinute(win.fromMinute, 1439, 'fromMinute'), 'fromMinute');
      w.u16(checkRange(win.toMinute, win.fromMinute + 1, 1440, 'toMinute'), 'toMinute');
    }
  }
  writeCount(w, h.typeRules.length, passageTypeRulesMax, 'typeRuleCount');
  for (const t of h.typeRules) {
    writeEnum(w, ruleEffects, t.effect, 'effect');
    w.u8(checkRange(t.personTypes, 1, 0x0f, 'personTypes'), 'personTypes');
    w.u8(checkRange(t.program, 0, h.programs.length - 1, 'program'), 'program');
  }
  writeDays(w, h.holidays, 'holidayCount');
  writeDays(w, h.termDays, 'termDayCount');
}

function readRowRules(r: ByteReader, count: number): PassageRowRule[] {
  const rules: PassageRowRule[] = [];
  for (let i = 0; i < count; i++) {
    rules.push({
      effect: readEnum(r, ruleEffects, 'effect'),
      program: checkRange(r.u8('program'), 0, passageProgramsMax - 1, 'program'),
    });
  }
  return rules;
}

function writeRowRules(w: ByteWriter, rules: readonly PassageRowRule[]): void {
  for (const rule of rules) {
    writeEnum(w, ruleEffects, rule.effect, 'effect');
    w.u8(checkRange(rule.program, 0, passageProgramsMax - 1, 'program'), 'program');
  }
}

/** D→S: like BLACKLIST_REQUEST, for the door's rule table. */
export interface RuleTableRequest {
  readonly kind: 'rule_table_request';
  readonly haveVersion: number;
  readonly version: number;
  readonly chunkIndex: number;
}

export function parseRuleTableRequest(r: ByteReader): RuleTableRequest {
  const m: RuleTableRequest = {
    kind: 'rule_table_request',
    haveVersion: r.u32('haveVersion'),
    version: r.u32('version'),
    chunkIndex: r.u16('chunkIndex'),
  };
  r.end('RULE_TABLE_REQUEST');
  return m;
}

export function serializeRuleTableRequest(w: ByteWriter, m: RuleTableRequest): void {
  w.u32(m.haveVersion, 'haveVersion');
  w.u32(m.version, 'version');
  w.u16(m.chunkIndex, 'chunkIndex');
}

/** S→D, encrypted: chunk `chunkIndex` of `chunkCount`; chunk 0 carries the header, every chunk card rows. */
export interface RuleTableChunk {
  readonly kind: 'rule_table_chunk';
  readonly version: number;
  readonly chunkIndex: number;
  readonly chunkCount: number;
  /** Present exactly in chunk 0. */
  readonly header: RuleTableHeader | null;
  /** Ascending by card number across the table. */
  readonly rows: readonly PassageRow[];
}

function checkChunk(m: { version: number; chunkIndex: number; chunkCount: number; header: unknown }): void {
  checkRange(m.version, 1, 0xffff_ffff, 'version');
  if (m.chunkCount < 1 || m.chunkIndex >= m.chunkCount) {
    throw new ProtocolError('BAD_FIELD', `chunk ${m.chunkIndex} of ${m.chunkCount} does not exist`);
  }
  if ((m.chunkIndex === 0) !== (m.header !== null)) {
    throw new ProtocolError('BAD_FIELD', 'the header travels in chunk 0 and only there');
  }
}

export function parseRuleTableChunk(r: ByteReader): RuleTableChunk {
  const version = r.u32('version');
  const chunkIndex = r.u16('chunkIndex');
  const chunkCount = r.u16('chunkCount');
  const header = chunkIndex === 0 ? readHeader(r) : null;
  checkChunk({ version, chunkIndex, chunkCount, header });
  const count = readCount16(r, ruleTableRowsPerChunkMax, 'rowCount');
  const rows: PassageRow[] = [];
  for (let i = 0; i < count; i++) {
    const cardNo = readCardNo(r);
    rows.push({ cardNo, rules: readRowRules(r, readCount(r, passageRowRulesMax, 'ruleCount')) });
  }
  r.end('RULE_TABLE_CHUNK');
  return { kind: 'rule_table_chunk', version, chunkIndex, chunkCount, header, rows };
}

export function serializeRuleTableChunk(w: ByteWriter, m: RuleTableChunk): void {
  checkChunk(m);
  w.u32(m.version, 'version');
  w.u16(m.chunkIndex, 'chunkIndex');
  w.u16(m.chunkCount, 'chunkCount');
  if (m.header) writeHeader(w, m.header);
  writeCount16(w, m.rows.length, ruleTableRowsPerChunkMax, 'rowCount');
  for (const row of m.rows) {
    writeCardNo(w, row.cardNo);
    writeCount(w, row.rules.length, passageRowRulesMax, 'ruleCount');
    writeRowRules(w, row.rules);
  }
}

/** A row change: the card's new rules, or null to remove its row. */
export interface PassageRowChange {
  readonly cardNo: string;
  readonly rules: readonly PassageRowRule[] | null;
}

/** S→D, encrypted, also pushed unsolicited (sequence 0) within a second of a rule change. */
export interface RuleTableDelta {
  readonly kind: 'rule_table_delta';
  readonly fromVersion: number;
  readonly toVersion: number;
  /** The new header, whole. */
  readonly header: RuleTableHeader;
  readonly changes: readonly PassageRowChange[];
}

export function parseRuleTableDelta(r: ByteReader): RuleTableDelta {
  const fromVersion = r.u32('fromVersion');
  const toVersion = r.u32('toVersion');
  if (toVersion <= fromVersion) {
    throw new ProtocolError('BAD_FIELD', `delta from ${fromVersion} to ${toVersion} does not move forward`);
  }
  const header = readHeader(r);
  const count = readCount16(r, ruleTableDeltaRowsMax, 'changeCount');
  const changes: PassageRowChange[] = [];
  for (let i = 0; i < count; i++) {
    const cardNo = readCardNo(r);
    const ruleCount = r.u8('ruleCount');
    if (ruleCount === removeRow) {
      changes.push({ cardNo, rules: null });
      continue;
    }
    checkRange(ruleCount, 0, passageRowRulesMax, 'ruleCount');
    changes.push({ cardNo, rules: readRowRules(r, ruleCount) });
  }
  r.end('RULE_TABLE_DELTA');
  return { kind: 'rule_table_delta', fromVersion, toVersion, header, changes };
}

export function serializeRuleTableDelta(w: ByteWriter, m: RuleTableDelta): void {
  if (m.toVersion <= m.fromVersion) {
    throw new ProtocolError(
      'BAD_FIELD',
      `delta from ${m.fromVersion} to ${m.toVersion} does not move forward`,
    );
  }
  w.u32(m.fromVersion, 'fromVersion');
  w.u32(m.toVersion, 'toVersion');
  writeHeader(w, m.header);
  writeCount16(w, m.changes.length, ruleTableDeltaRowsMax, 'changeCount');
  for (const c of m.changes) {
    writeCardNo(w, c.cardNo);
    if (c.rules === null) {
      w.u8(removeRow, 'ruleCount');
      continue;
    }
    writeCount(w, c.rules.length, passageRowRulesMax, 'ruleCount');
    writeRowRules(w, c.rules);
  }
}

/** S→D, unsolicited (sequence 0): a command from the backoffice, carried out at once. */
export interface DoorCommand {
  readonly kind: 'door_command';
  readonly command: DoorCommandName;
  /** hold_open: 1 … 43,200 s; 0 for every other command. */
  readonly seconds: number;
}

function checkSeconds(command: DoorCommandName, seconds: number): void {
  if (command === 'hold_open') checkRange(seconds, 1, holdOpenSecondsMax, 'seconds');
  else checkRange(seconds, 0, 0, 'seconds');
}

export function parseDoorCommand(r: ByteReader): DoorCommand {
  const command = readEnum(r, doorCommands, 'command');
  const seconds = r.u32('seconds');
  checkSeconds(command, seconds);
  r.end('DOOR_COMMAND');
  return { kind: 'door_command', command, seconds };
}

export function serializeDoorCommand(w: ByteWriter, m: DoorCommand): void {
  checkSeconds(m.command, m.seconds);
  writeEnum(w, doorCommands, m.command, 'command');
  w.u32(m.seconds, 'seconds');
}

/** D→S: what the door did; the header timestamp is when. Answered DOOR_EVENT_ACK. */
export interface DoorEvent {
  readonly kind: 'door_event';
  readonly event: DoorEventName;
  /** The command carried out (command_done), none (0x00) otherwise. */
  readonly command: DoorCommandName | 'none';
}

const eventCommands = { none: 0x00, ...doorCommands } as const;

export function parseDoorEvent(r: ByteReader): DoorEvent {
  const event = readEnum(r, doorEvents, 'event');
  const command = readEnum(r, eventCommands, 'command');
  if ((event === 'command_done') !== (command !== 'none')) {
    throw new ProtocolError('BAD_FIELD', 'a command is named exactly by command_done');
  }
  r.end('DOOR_EVENT');
  return { kind: 'door_event', event, command };
}

export function serializeDoorEvent(w: ByteWriter, m: DoorEvent): void {
  if ((m.event === 'command_done') !== (m.command !== 'none')) {
    throw new ProtocolError('BAD_FIELD', 'a command is named exactly by command_done');
  }
  writeEnum(w, doorEvents, m.event, 'event');
  writeEnum(w, eventCommands, m.command, 'command');
}

/** S→D: the event is recorded. Empty. */
export interface DoorEventAck {
  readonly kind: 'door_event_ack';
}

export function parseDoorEventAck(r: ByteReader): DoorEventAck {
  r.end('DOOR_EVENT_ACK');
  return { kind: 'door_event_ack' };
}

export function serializeDoorEventAck(_w: ByteWriter, _m: DoorEventAck): void {}
