// The doors' rule tables (docs/passage.md): compiled per passage state version from the state and the
// people, the last few versions kept for deltas, and a compile carried over while the people are the
// same (only doors whose covering rules changed are computed again).

import type { Rule } from '../contract/passage.ts';
import { CoreError } from '../errors.ts';
import { shanghaiDay } from '../time.ts';
import type { CalendarView } from './decide.ts';
import type { PassageRepository } from './passage-repository.ts';
import type { PeopleRepository } from './people-repository.ts';
import {
  type CardRow,
  type CompileMemo,
  compileMemo,
  compileTables,
  type PlaceTree,
  type RuleTable,
} from './rule-table.ts';

/** A delta carries at most this many card rows; past it the device downloads the whole table. */
export const deltaRowsMax = 2_000;
/** Compiled versions kept for deltas. */
const versionsKeptMax = 4;

/** The table header: everything but the card rows (small; sent whole with every delta). */
export type TableHeader = Omit<RuleTable, 'cards'>;

export type TableAnswer =
  | { kind: 'current'; version: number }
  | { kind: 'full'; table: RuleTable }
  | {
      kind: 'delta';
      fromVersion: number;
      header: TableHeader;
      /** rules null: the card's row is removed. */
      changes: { cardNo: string; rules: CardRow['rules'] | null }[];
    };

/** The passage state at one version: what every table of that version is compiled from. */
export interface PassageState {
  version: number;
  /** Moves with the people the tables are compiled from (cards, departments, classes, rooms, roles). */
  peopleVersion: number;
  tree: PlaceTree;
  rules: Rule[];
  calendar: { holidays: number[]; term: number[] };
  calendarView: CalendarView;
}

export class RuleTables {
  private readonly compiled = new Map<number, Promise<Map<string, RuleTable>>>();
  /** The people of the last compile and what was computed from them, for the next compile of the same people. */
  private memo: { people: string; memo: CompileMemo } | undefined;

  constructor(
    private readonly repo: PassageRepository,
    private readonly people: PeopleRepository,
    private readonly current: () => Promise<PassageState>,
  ) {}

  /**
   * A device's rule table: nothing when it holds the current version, a delta from the version it holds
   * when that version is still known here and the change is small, the whole table otherwise.
   */
  async tableFor(deviceId: string, haveVersion: number): Promise<TableAnswer> {
    const at = await this.repo.deviceDoor(deviceId.replace(/-\d+$/, ''));
    if (!at) throw new CoreError('NOT_FOUND', 'the device serves no door');
    const state = await this.current();
    if (haveVersion === state.version) return { kind: 'current', version: state.version };
    const table = (await this.tables(state)).get(at.doorId) as RuleTable;
    const old = haveVersion > 0 ? await this.compiled.get(haveVersion)?.catch(() => undefined) : undefined;
    const before = old?.get(at.doorId);
    if (before) {
      const changes = diffRows(before.cards, table.cards);
      if (changes.length <= deltaRowsMax) {
        const { cards: _cards, ...header } = table;
        return { kind: 'delta', fromVersion: haveVersion, header, changes };
      }
    }
    return { kind: 'full', table };
  }

  /** Every door's table at the current version (the bench and the tests). */
  async all(): Promise<Map<string, RuleTable>> {
    return this.tables(await this.current());
  }

  private async tables(state: PassageState): Promise<Map<string, RuleTable>> {
    let tables = this.compiled.get(state.version);
    if (!tables) {
      tables = (async () => {
        // The people are read again only when they moved (a people version, or what the cards, persons
        // and sync tables look like); otherwise the last compile's people and rows are reused.
        const people = `${state.peopleVersion}|${await this.people.fingerprint()}`;
        const kept = this.memo?.people === people ? this.memo.memo : undefined;
        const memo = kept ?? compileMemo(await this.people.everyone());
        this.memo = { people, memo };
        const doorIds = state.tree.doors().map((d) => d.id);
        return compileTables({
          doorIds,
          version: state.version,
          rules: state.rules,
          people: memo.people,
          memo,
          tree: state.tree,
          calendar: withinHorizon(state.calendar, shanghaiDay(Date.now())),
        });
      })();
      this.compiled.set(state.version, tables);
      tables.catch(() => this.compiled.delete(state.version));
      while (this.compiled.size > versionsKeptMax) {
        const oldest = Math.min(...this.compiled.keys());
        this.compiled.delete(oldest);
      }
    }
    return tables;
  }
}

/** Days a table carries: from yesterday to half a year ahead (tables are rebuilt on every change). */
const horizonDaysBefore = 1;
const horizonDaysAfter = 180;

function withinHorizon(calendar: { holidays: number[]; term: number[] }, today: number) {
  const keep = (day: number) => day >= today - horizonDaysBefore && day <= today + horizonDaysAfter;
  return { holidays: calendar.holidays.filter(keep), term: calendar.term.filter(keep) };
}

/** The row changes that turn `before` into `after` (both ascending by card number). */
export function diffRows(
  before: readonly CardRow[],
  after: readonly CardRow[],
): TableAnswer extends infer _T ? { cardNo: string; rules: CardRow['rules'] | null }[] : never {
  const out: { cardNo: string; rules: CardRow['rules'] | null }[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    if (a === undefined || (b !== undefined && b.cardNo < a.cardNo)) {
      out.push({ cardNo: (b as CardRow).cardNo, rules: null });
      i++;
    } else if (b === undefined || a.cardNo < b.cardNo) {
      out.push({ cardNo: a.cardNo, rules: a.rules });
      j++;
    } else {
      if (JSON.stringify(a.rules) !== JSON.stringify(b.rules)) out.push({ cardNo: a.cardNo, rules: a.rules });
      i++;
      j++;
    }
  }
  return out;
}
