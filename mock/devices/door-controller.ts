// A door controller (docs/passage.md, docs/protocol.md § 16): a gate device the server has put at a door.
// It keeps the door's rule table (downloaded in chunks, kept current by pushed deltas), decides from it
// when the network is away, stores every offline passage for upload, and obeys door commands (open,
// close, hold open, a building's emergency all-open). Its table interpreter is its own code, written from
// the protocol document, and tested against the core's decision (door-controller.test.ts).

import type {
  AccessDirection,
  DoorCommandName,
  IdentityResult,
  Message,
  PassageRow,
  RuleTableHeader,
} from '@campus-card/device-gateway/protocol';
import { type OfflineDecision, scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

const dayMs = 86_400_000;
const shanghaiOffsetMs = 8 * 3_600_000;
const typeBit: Readonly<Record<string, number>> = { student: 1, staff: 2, alumnus: 4, visitor: 8 };

export interface TableRequest {
  cardNo: string;
  personType: string;
  direction: AccessDirection;
  atMs: number;
  /** The door's own memory of this card in an anti-passback area. */
  presence: 'in' | 'out' | 'none';
}

export interface TableDecision {
  decision: 'allow' | 'deny';
  reason: 'NO_PASSAGE_RIGHT' | 'PASSAGE_DENIED' | 'CURFEW' | 'PASSBACK' | null;
  late: boolean;
}

/** § 16.8, read from the wire form of the table: the rules of the code's person type and of its card row. */
export function interpretTable(
  header: RuleTableHeader,
  row: PassageRow | undefined,
  q: TableRequest,
): TableDecision {
  const local = q.atMs + shanghaiOffsetMs;
  const day = Math.floor(local / dayMs);
  const minute = Math.floor((local - day * dayMs) / 60_000);
  // 1970-01-01 was a Thursday: Monday = 0.
  const weekday = (day + 3) % 7;
  const holiday = header.holidays.includes(day);
  const term = header.termDays.includes(day);
  const inForce = (index: number): boolean => {
    const p = header.programs[index];
    if (p === undefined) return false;
    if (p.validFromMs !== 0 && q.atMs < p.validFromMs) return false;
    if (p.validUntilMs !== 0 && q.atMs >= p.validUntilMs) return false;
    if (p.calendar === 'workdays' && holiday) return false;
    if (p.calendar === 'holidays' && !holiday) return false;
    if (p.calendar === 'term' && (holiday || !term)) return false;
    if (p.windows.length === 0) return true;
    return p.windows.some(
      (w) => (w.weekdays & (1 << weekday)) !== 0 && w.fromMinute <= minute && minute < w.toMinute,
    );
  };
  const rules = [
    ...header.typeRules.filter((r) => (r.personTypes & (typeBit[q.personType] ?? 0)) !== 0),
    ...(row?.rules ?? []),
  ];
  const active = rules.filter((r) => inForce(r.program));
  if (active.some((r) => r.effect === 'deny'))
    return { decision: 'deny', reason: 'PASSAGE_DENIED', late: false };
  if (!active.some((r) => r.effect === 'allow'))
    return { decision: 'deny', reason: 'NO_PASSAGE_RIGHT', late: false };
  let late = false;
  if (header.curfewMode !== 'none' && q.direction === 'in' && q.personType === 'student') {
    const from = header.curfewFromMinute;
    const to = header.curfewToMinute;
    const inCurfew = from <= to ? from <= minute && minute < to : minute >= from || minute < to;
    if (inCurfew) {
      if (header.curfewMode === 'refuse') return { decision: 'deny', reason: 'CURFEW', late: false };
      late = true;
    }
  }
  if (header.passback) {
    if (q.direction === 'in' && q.presence === 'in')
      return { decision: 'deny', reason: 'PASSBACK', late: false };
    if (q.direction === 'out' && q.presence === 'out')
      return { decision: 'deny', reason: 'PASSBACK', late: false };
  }
  return { decision: 'allow', reason: null, late };
}

export interface DoorState {
  /** Open now (a passage, a command, a hold or an emergency). */
  open: boolean;
  /** Until when a hold-open lasts, epoch ms; 0 when none. */
  holdUntilMs: number;
  emergency: boolean;
  /** Commands carried out, oldest first, for the operator's screen (and tests). */
  commands: { command: DoorCommandName; seconds: number; atMs: number }[];
}

export class DoorController extends Terminal {
  /** The table's version (0: none yet), header and card rows. */
  rulesVersion = 0;
  header: RuleTableHeader | undefined;
  readonly rows = new Map<string, PassageRow>();
  readonly door: DoorState = { open: false, holdUntilMs: 0, emergency: false, commands: [] };
  /** Anti-passback memory of this door's own passages. */
  private readonly presence = new Map<string, 'in' | 'out'>();
  private holdTimer: NodeJS.Timeout | undefined;
  /** Resolved each time a delta or command has been applied (tests wait on it). */
  private waiters: (() => void)[] = [];

  constructor(options: TerminalOptions) {
    super('gate', options);
  }

  static async connect(options: TerminalOptions): Promise<DoorController> {
    const door = new DoorController(options);
    await door.connect();
    await door.downloadRules();
    return door;
  }

  /** Protocol § 16.3: a delta from our version, or the table chunk by chunk, replaced atomically. */
  async downloadRules(): Promise<void> {
    let version = 0;
    let chunkIndex = 0;
    let header: RuleTableHeader | undefined;
    let collected: PassageRow[] = [];
    for (let guard = 0; guard < 10_000; guard++) {
      const answer = await this.request({
        kind: 'rule_table_request',
        haveVersion: this.rulesVersion,
        version,
        chunkIndex,
      });
      if (answer.kind === 'rule_table_delta') {
        this.pushed(answer);
        return;
      }
      if (answer.kind !== 'rule_table_chunk') throw new Error(`RULE_TABLE_REQUEST answered ${answer.kind}`);
      if (answer.version !== version) {
        collected = [];
        if (answer.chunkIndex !== 0) {
          version = 0;
          chunkIndex = 0;
          continue;
        }
      }
      version = answer.version;
      if (answer.header) header = answer.header;
      collected.push(...answer.rows);
      if (answer.chunkIndex + 1 >= answer.chunkCount) {
        this.rows.clear();
        for (const row of collected) this.rows.set(row.cardNo, row);
        this.header = header;
        this.rulesVersion = version;
        return;
      }
      chunkIndex = answer.chunkIndex + 1;
    }
  }

  /** A scanned code: online the server decides; offline the table does, and the passage is stored. */
  async check(
    scanned: string,
    direction: AccessDirection = 'in',
  ): Promise<IdentityResult | ({ readonly kind: 'offline' } & OfflineDecision)> {
    const code = scannedCode(scanned);
    if (!this.online) {
      const decision = await this.decideOffline(
        { recordKind: 'access', amountFen: 0, orderNo: 0, sessionId: '', code },
        (card) => {
          if (this.door.emergency) return null;
          if (this.header === undefined) return 'NO_PASSAGE_RIGHT';
          const d = interpretTable(this.header, this.rows.get(card.cardNo), {
            cardNo: card.cardNo,
            personType: card.personType,
            direction,
            atMs: Date.now(),
            presence: this.presence.get(card.cardNo) ?? 'none',
          });
          if (d.decision === 'deny') return d.reason;
          if (this.header.passback && direction !== 'none') this.presence.set(card.cardNo, direction);
          return null;
        },
      );
      if (decision.accepted) this.pass();
      return { kind: 'offline', ...decision };
    }
    const reply = await this.request({ kind: 'identity_check', code, direction });
    if (reply.kind !== 'identity_result') throw new Error(`IDENTITY_CHECK answered ${reply.kind}`);
    if (reply.decision === 'allow') this.pass();
    return reply;
  }

  /** Resolves at the next applied push (a delta or a command). */
  nextPush(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  override close(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    super.close();
  }

  protected override pushed(message: Message): void {
    if (message.kind === 'rule_table_delta') {
      if (message.fromVersion !== this.rulesVersion) {
        this.downloadRules().catch(() => {});
        return;
      }
      for (const change of message.changes) {
        if (change.rules === null) this.rows.delete(change.cardNo);
        else this.rows.set(change.cardNo, { cardNo: change.cardNo, rules: change.rules });
      }
      this.header = message.header;
      this.rulesVersion = message.toVersion;
    } else if (message.kind === 'door_command') {
      this.obey(message.command, message.seconds);
    } else {
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private obey(command: DoorCommandName, seconds: number): void {
    const nowMs = Date.now();
    this.door.commands.push({ command, seconds, atMs: nowMs });
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    switch (command) {
      case 'open':
        this.pass();
        break;
      case 'close':
        this.door.open = this.door.emergency;
        this.door.holdUntilMs = 0;
        break;
      case 'hold_open':
        this.door.open = true;
        this.door.holdUntilMs = nowMs + seconds * 1000;
        this.holdTimer = setTimeout(() => {
          this.door.open = this.door.emergency;
          this.door.holdUntilMs = 0;
        }, seconds * 1000);
        this.holdTimer.unref();
        break;
      case 'emergency_open':
        this.door.emergency = true;
        this.door.open = true;
        break;
      case 'emergency_end':
        this.door.emergency = false;
        this.door.open = false;
        break;
    }
    this.request({ kind: 'door_event', event: 'command_done', command }).catch(() => {});
  }

  /** An allowed passage opens the door for a moment (the simulator has no real lock to time). */
  private pass(): void {
    this.door.open = true;
    if (!this.door.emergency && this.door.holdUntilMs === 0) {
      setTimeout(() => {
        if (!this.door.emergency && this.door.holdUntilMs === 0) this.door.open = false;
      }, 3_000).unref();
    }
  }
}
