// Door devices (docs/protocol.md § 16, docs/passage.md): their rule tables from the core, cut into chunks
// and deltas, pushed on each new passage version; door commands from the backoffice relayed to the door's
// devices connected here; door events acknowledged.

import type {
  CoreClient,
  DoorCommandOrder,
  RuleTable,
  TableAnswer,
  TableHeader,
} from '@campus-card/core/client';
import type { RequestContext } from './handlers/index.ts';
import type { Message } from './protocol/index.ts';
import { MessageType } from './protocol/index.ts';
import {
  type DoorEvent,
  type DoorEventAck,
  type PassageRow,
  personTypeBits,
  type RuleTableChunk,
  type RuleTableDelta,
  type RuleTableHeader,
  type RuleTableRequest,
  ruleTableDeltaRowsMax,
  ruleTableRowsPerChunkMax,
} from './protocol/messages/passage.ts';

/** Plaintext bytes a chunk or delta may fill (a frame holds 4,029 sealed; room left for the fields around). */
const chunkBytesMax = 3_600;
/** How long a table a device started downloading stays available (as for the blacklist, 10 minutes). */
const tableKeptMs = 10 * 60_000;
/** Tables kept for downloads in progress, at most. */
const tablesKeptMax = 4_096;

type Source = Pick<CoreClient, 'ruleTable'>;

interface Cut {
  readonly version: number;
  readonly header: RuleTableHeader;
  readonly chunks: readonly (readonly PassageRow[])[];
  readonly madeAtMs: number;
}

/** The wire header of a core table. */
export function wireHeader(t: TableHeader): RuleTableHeader {
  return {
    curfewMode: t.curfew?.mode ?? 'none',
    curfewFromMinute: t.curfew?.fromMinute ?? 0,
    curfewToMinute: t.curfew?.toMinute ?? 0,
    passback: t.passbackAreaId !== null,
    programs: t.programs.map((p) => ({
      calendar: p.calendar,
      validFromMs: p.validFromMs ?? 0,
      validUntilMs: p.validUntilMs ?? 0,
      windows: p.windows.map((w) => ({
        weekdays: w.weekdays.reduce((bits, d) => bits | (1 << d), 0),
        fromMinute: w.fromMinute,
        toMinute: w.toMinute,
      })),
    })),
    typeRules: t.typeRules.map((r) => ({
      effect: r.effect,
      personTypes: r.personTypes.reduce((bits, type) => bits | personTypeBits[type], 0),
      program: r.program,
    })),
    holidays: t.holidays,
    termDays: t.term,
  };
}

/** 10 bytes of card number and a count, 2 bytes a rule. */
function rowBytes(row: { rules: readonly unknown[] | null }): number {
  return 11 + 2 * (row.rules?.length ?? 0);
}

/** Rows in chunks of at most chunkBytesMax plaintext bytes and ruleTableRowsPerChunkMax rows; chunk 0 holds the header alone. */
function cut(rows: readonly PassageRow[]): PassageRow[][] {
  const chunks: PassageRow[][] = [[]];
  let current: PassageRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = rowBytes(row);
    if (current.length > 0 && (bytes + size > chunkBytesMax || current.length >= ruleTableRowsPerChunkMax)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class GatewayPassage {
  /** Downloads in progress, by device and version. */
  private readonly cuts = new Map<string, Cut>();
  /** The version each door device was last sent (the last chunk of a table, or a delta). */
  private readonly held = new Map<number, number>();

  constructor(
    private readonly core: Source,
    private readonly push: (deviceId: number, message: Message) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** RULE_TABLE_REQUEST: a delta from the version the device holds when small, else the chunk asked for. */
  async answer(ctx: RequestContext, request: RuleTableRequest): Promise<Message> {
    const key = (version: number) => `${ctx.deviceId}:${version}`;
    const kept = request.version === 0 ? undefined : this.cuts.get(key(request.version));
    if (kept && request.chunkIndex > 0 && request.chunkIndex < kept.chunks.length) {
      return this.chunkOf(ctx.deviceId, kept, request.chunkIndex);
    }
    let answer: TableAnswer;
    try {
      answer = await this.core.ruleTable(String(ctx.deviceId), request.haveVersion);
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') {
        return {
          kind: 'error',
          code: 'UNEXPECTED_MESSAGE',
          inReplyToType: MessageType.RULE_TABLE_REQUEST,
          message: 'this device serves no door',
        };
      }
      throw error;
    }
    if (answer.kind === 'current') {
      // Nothing changed: an empty delta cannot move forward, so the table is sent again from chunk 0.
      answer = await this.core.ruleTable(String(ctx.deviceId), 0);
    }
    if (answer.kind === 'delta') {
      const delta = this.deltaOf(answer);
      if (delta) {
        this.held.set(ctx.deviceId, delta.toVersion);
        return delta;
      }
      answer = await this.core.ruleTable(String(ctx.deviceId), 0);
    }
    if (answer.kind !== 'full') throw new Error('the core answered no table');
    const made = this.cutOf(answer.table);
    this.keep(key(made.version), made);
    return this.chunkOf(ctx.deviceId, made, 0);
  }

  /** DOOR_EVENT: acknowledged (the access log holds passages; events are for the door's own log). */
  event(_ctx: RequestContext, _event: DoorEvent): DoorEventAck {
    return { kind: 'door_event_ack' };
  }

  /** A new passage version: each door device that holds a table gets the delta to it. */
  async announce(version: number): Promise<number> {
    let pushed = 0;
    const work: Promise<void>[] = [];
    for (const [deviceId, have] of this.held) {
      if (have >= version) continue;
      work.push(
        this.core.ruleTable(String(deviceId), have).then(
          (answer) => {
            if (answer.kind !== 'delta') return;
            const delta = this.deltaOf(answer);
            if (delta && this.push(deviceId, delta)) {
              this.held.set(deviceId, delta.toVersion);
              pushed += 1;
            }
          },
          () => undefined,
        ),
      );
    }
    await Promise.all(work);
    return pushed;
  }

  /** A door command from the core: pushed to those of its devices signed in here. */
  command(order: DoorCommandOrder): number {
    let sent = 0;
    for (const id of order.deviceIds) {
      const deviceId = Number(id);
      if (!Number.isInteger(deviceId)) continue;
      const message: Message = {
        kind: 'door_command',
        command: order.command,
        seconds: order.command === 'hold_open' ? order.seconds : 0,
      };
      if (this.push(deviceId, message)) sent += 1;
    }
    return sent;
  }

  /** A device went away: forget what it held (it asks again at its next sign-in). */
  forget(deviceId: number): void {
    this.held.delete(deviceId);
  }

  private deltaOf(answer: Extract<TableAnswer, { kind: 'delta' }>): RuleTableDelta | undefined {
    const header = wireHeader(answer.header);
    if (answer.changes.length > ruleTableDeltaRowsMax) return undefined;
    const bytes = answer.changes.reduce((sum, c) => sum + rowBytes(c), 0);
    if (bytes > chunkBytesMax - headerBytes(header)) return undefined;
    return {
      kind: 'rule_table_delta',
      fromVersion: answer.fromVersion,
      toVersion: answer.header.version,
      header,
      changes: answer.changes,
    };
  }

  private cutOf(table: RuleTable): Cut {
    return {
      version: table.version,
      header: wireHeader(table),
      chunks: cut(table.cards),
      madeAtMs: this.now(),
    };
  }

  private chunkOf(deviceId: number, made: Cut, chunkIndex: number): RuleTableChunk {
    if (chunkIndex === made.chunks.length - 1) this.held.set(deviceId, made.version);
    return {
      kind: 'rule_table_chunk',
      version: made.version,
      chunkIndex,
      chunkCount: made.chunks.length,
      header: chunkIndex === 0 ? made.header : null,
      rows: made.chunks[chunkIndex] ?? [],
    };
  }

  private keep(key: string, made: Cut): void {
    const nowMs = this.now();
    for (const [k, c] of this.cuts) if (nowMs - c.madeAtMs > tableKeptMs) this.cuts.delete(k);
    while (this.cuts.size >= tablesKeptMax) {
      const oldest = this.cuts.keys().next().value;
      if (oldest === undefined) break;
      this.cuts.delete(oldest);
    }
    this.cuts.set(key, made);
  }
}

/** The header's size on the wire (§ 16.2). */
function headerBytes(h: RuleTableHeader): number {
  const programs = h.programs.reduce((sum, p) => sum + 18 + 5 * p.windows.length, 0);
  return (
    7 + 1 + programs + 1 + 3 * h.typeRules.length + 2 + 2 * h.holidays.length + 2 + 2 * h.termDays.length
  );
}
