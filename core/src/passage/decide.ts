// The one passage decision (docs/passage.md, "Evaluation order"). The online path (the core, asked by
// the gateway) and the rule tables the doors decide from offline both end here: the online path hands it
// the rules that name the person and cover the door, a table hands it the rules it lists for the card's
// person type and for the card. Pure: no clock, no database.

import type {
  CalendarCondition,
  Curfew,
  PassageDecision,
  PassageDirection,
  PassagePersonType,
  WeeklyWindow,
} from '../contract/passage.ts';
import { shanghaiDay, shanghaiParts } from '../time.ts';

/** When a rule applies. */
export interface Program {
  /** Empty: all day, every weekday. */
  windows: readonly WeeklyWindow[];
  calendar: CalendarCondition;
  validFromMs: number | null;
  validUntilMs: number | null;
}

export interface Candidate {
  effect: 'allow' | 'deny';
  program: Program;
}

/** Holidays and term days, Asia/Shanghai day numbers. */
export interface CalendarView {
  holidays: ReadonlySet<number>;
  term: ReadonlySet<number>;
}

export interface DoorContext {
  /** The reading device's direction. */
  direction: PassageDirection;
  /** The curfew of the building the door belongs to, if any. */
  curfew: Curfew | null;
  /** Whether the door's area runs anti-passback. */
  passback: boolean;
}

export interface DecisionInput {
  atMs: number;
  personType: PassagePersonType;
  calendar: CalendarView;
  door: DoorContext;
  /** The person's anti-passback state in the door's area ('none' when unknown or reset). */
  presence: 'in' | 'out' | 'none';
}

const dayMinutes = 1440;

/** Whether a rule's time program holds at an instant. */
export function programActive(program: Program, atMs: number, calendar: CalendarView): boolean {
  if (program.validFromMs !== null && atMs < program.validFromMs) return false;
  if (program.validUntilMs !== null && atMs >= program.validUntilMs) return false;
  const day = shanghaiDay(atMs);
  const holiday = calendar.holidays.has(day);
  switch (program.calendar) {
    case 'any':
      break;
    case 'workdays':
      if (holiday) return false;
      break;
    case 'holidays':
      if (!holiday) return false;
      break;
    case 'term':
      if (holiday || !calendar.term.has(day)) return false;
      break;
  }
  if (program.windows.length === 0) return true;
  const parts = shanghaiParts(atMs);
  const minute = parts.hour * 60 + parts.minute;
  return program.windows.some(
    (w) => w.weekdays.includes(parts.weekday) && w.fromMinute <= minute && minute < w.toMinute,
  );
}

/** Whether a minute of the day lies in a curfew (from > to wraps past midnight). */
export function inCurfew(curfew: Curfew, atMs: number): boolean {
  const parts = shanghaiParts(atMs);
  const minute = (parts.hour * 60 + parts.minute) % dayMinutes;
  return curfew.fromMinute <= curfew.toMinute
    ? curfew.fromMinute <= minute && minute < curfew.toMinute
    : minute >= curfew.fromMinute || minute < curfew.toMinute;
}

/**
 * The evaluation order: (1) a deny rule in force refuses (PASSAGE_DENIED), whatever allows; (2) without an
 * allow rule in force, NO_PASSAGE_RIGHT; (3) a student coming in through a door of a building under its
 * curfew is refused (CURFEW) or let in as a late return; (4) in an anti-passback area, in twice or out
 * without having come in is refused (PASSBACK).
 */
export function decide(candidates: readonly Candidate[], input: DecisionInput): PassageDecision {
  let allowed = false;
  for (const c of candidates) {
    if (!programActive(c.program, input.atMs, input.calendar)) continue;
    if (c.effect === 'deny') return refuse('PASSAGE_DENIED');
    allowed = true;
  }
  if (!allowed) return refuse('NO_PASSAGE_RIGHT');
  let late = false;
  const { door } = input;
  if (
    door.curfew !== null &&
    door.direction === 'in' &&
    input.personType === 'student' &&
    inCurfew(door.curfew, input.atMs)
  ) {
    if (door.curfew.mode === 'refuse') return refuse('CURFEW');
    late = true;
  }
  if (door.passback) {
    if (door.direction === 'in' && input.presence === 'in') return refuse('PASSBACK');
    if (door.direction === 'out' && input.presence === 'out') return refuse('PASSBACK');
  }
  return { decision: 'allow', reason: null, late };
}

function refuse(reason: PassageDecision['reason']): PassageDecision {
  return { decision: 'deny', reason, late: false };
}
