// The school-bus reader (docs/protocol.md § 7.26, docs/visitors-meetings-bus.md): the rider shows the card's
// code, the reader asks the server about this run (a booked seat, a free ride, or a fare), and before the
// bus leaves the depot it fetches the run's table (its booked cards and rules) to decide offline.

import { type AccessDecision, accessDecisions, type PersonType, personTypes } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { idBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  readCardNo,
  readCode,
  readCount,
  readCount16,
  readEnum,
  readId,
  type ScannedCode,
  writeCardNo,
  writeCode,
  writeCount,
  writeCount16,
  writeEnum,
  writeId,
} from './fields.ts';

/** How the rider boarded. */
export const busRideKinds = {
  none: 0x00, // refused: no ride
  booked: 0x01, // the rider's booked seat on this run
  free: 0x02, // a person type that rides free (staff)
  fare: 0x03, // the route's fare, charged to the card
} as const;
export type BusRideKind = keyof typeof busRideKinds;

/** Why a ride was refused; a table of its own, so card refusals keep their numbers. */
export const busRideRefusals = {
  NONE: 0x00, // let on
  NO_SEAT: 0x01, // no booked seat, not a free type, and the route takes no fares (or this reader none)
  ALREADY_BOARDED: 0x02, // the booked seat was used already
  RUN_CLOSED: 0x03, // the run is cancelled or unknown: fetch the current run
  CARD_LOST: 0x04,
  CARD_FROZEN: 0x05,
  CARD_CANCELLED: 0x06,
  CREDENTIAL_REVOKED: 0x07, // a code of a card version since replaced
  INSUFFICIENT_FUNDS: 0x08,
  LIMIT_EXCEEDED: 0x09, // the card's daily limit
  NOT_PERMITTED: 0x0a, // this card may not ride here (person type, or the ledger refused the fare)
  CODE_INVALID: 0x0b, // the code is not a card code, expired, or its signature does not hold
  SERVICE_UNAVAILABLE: 0x0c, // the server could not decide: apply the offline table
} as const;
export type BusRideRefusal = keyof typeof busRideRefusals;

/** Card numbers in one BUS_RUN_TABLE: a run's seats at most (200), 10 bytes each. */
export const busRunCardsMax = 200;
/** 0xFFFFFFFF in balanceAfterFen: the server does not tell (a booked or free ride). */
export const balanceNotTold = 0xffff_ffff;

/** D→S. */
export interface BusRideCheck {
  readonly kind: 'bus_ride_check';
  /** The run the driver chose at the depot (its id from the timetable). */
  readonly runId: string;
  readonly code: ScannedCode;
}

export function parseBusRideCheck(r: ByteReader): BusRideCheck {
  const runId = readId(r, 1, idBytesMax, 'runId');
  const code = readCode(r);
  r.end('BUS_RIDE_CHECK');
  return { kind: 'bus_ride_check', runId, code };
}

export function serializeBusRideCheck(w: ByteWriter, m: BusRideCheck): void {
  writeId(w, m.runId, 1, idBytesMax, 'runId');
  writeCode(w, m.code);
}

/** S→D. Allow carries the ride kind and NONE; deny carries kind none and the reason. */
export interface BusRideResult {
  readonly kind: 'bus_ride_result';
  readonly decision: AccessDecision;
  readonly rideKind: BusRideKind;
  readonly reason: BusRideRefusal;
  /** The fare charged, fen; 0 for a booked or free ride and for a refusal. */
  readonly chargedFen: number;
  /** The card's balance after the fare, fen; `balanceNotTold` otherwise. */
  readonly balanceAfterFen: number;
}

function checkResult(m: Omit<BusRideResult, 'kind'>): void {
  const allowed = m.decision === 'allow';
  if (allowed !== (m.reason === 'NONE') || allowed === (m.rideKind === 'none'))
    throw new ProtocolError('BAD_FIELD', `a ${m.decision} carries ride ${m.rideKind} and reason ${m.reason}`);
  if (m.rideKind !== 'fare' && m.chargedFen !== 0)
    throw new ProtocolError('BAD_FIELD', `a ${m.rideKind} ride charges nothing`);
}

export function parseBusRideResult(r: ByteReader): BusRideResult {
  const m: BusRideResult = {
    kind: 'bus_ride_result',
    decision: readEnum(r, accessDecisions, 'decision'),
    rideKind: readEnum(r, busRideKinds, 'rideKind'),
    reason: readEnum(r, busRideRefusals, 'reason'),
    chargedFen: r.u32('chargedFen'),
    balanceAfterFen: r.u32('balanceAfterFen'),
  };
  checkResult(m);
  r.end('BUS_RIDE_RESULT');
  return m;
}

export function serializeBusRideResult(w: ByteWriter, m: BusRideResult): void {
  checkResult(m);
  writeEnum(w, accessDecisions, m.decision, 'decision');
  writeEnum(w, busRideKinds, m.rideKind, 'rideKind');
  writeEnum(w, busRideRefusals, m.reason, 'reason');
  w.u32(m.chargedFen, 'chargedFen');
  w.u32(m.balanceAfterFen, 'balanceAfterFen');
}

/** D→S: the table of a run, asked at the depot before the bus leaves. */
export interface BusRunTableRequest {
  readonly kind: 'bus_run_table_request';
  readonly runId: string;
}

export function parseBusRunTableRequest(r: ByteReader): BusRunTableRequest {
  const runId = readId(r, 1, idBytesMax, 'runId');
  r.end('BUS_RUN_TABLE_REQUEST');
  return { kind: 'bus_run_table_request', runId };
}

export function serializeBusRunTableRequest(w: ByteWriter, m: BusRunTableRequest): void {
  writeId(w, m.runId, 1, idBytesMax, 'runId');
}

/** S→D, encrypted (who booked is personal data): what the reader decides from while offline. */
export interface BusRunTable {
  readonly kind: 'bus_run_table';
  readonly runId: string;
  readonly departsAtMs: number;
  /** The route's fare, fen; 0: booked riders (and free types) only. */
  readonly fareFen: number;
  /** Rides one card may take on this run offline; the upload refuses more (LIMIT_EXCEEDED). */
  readonly offlineRidesPerCardMax: number;
  readonly freePersonTypes: readonly PersonType[];
  /** The cards holding a booked seat, ascending. */
  readonly bookedCardNos: readonly string[];
}

export function parseBusRunTable(r: ByteReader): BusRunTable {
  const runId = readId(r, 1, idBytesMax, 'runId');
  const departsAtMs = r.u64('departsAtMs');
  const fareFen = r.u32('fareFen');
  const offlineRidesPerCardMax = r.u8('offlineRidesPerCardMax');
  const typeCount = readCount(r, Object.keys(personTypes).length, 'freeTypeCount');
  const freePersonTypes: PersonType[] = [];
  for (let i = 0; i < typeCount; i++) freePersonTypes.push(readEnum(r, personTypes, 'freePersonType'));
  const cardCount = readCount16(r, busRunCardsMax, 'cardCount');
  const bookedCardNos: string[] = [];
  for (let i = 0; i < cardCount; i++) bookedCardNos.push(readCardNo(r));
  r.end('BUS_RUN_TABLE');
  return {
    kind: 'bus_run_table',
    runId,
    departsAtMs,
    fareFen,
    offlineRidesPerCardMax,
    freePersonTypes,
    bookedCardNos,
  };
}

export function serializeBusRunTable(w: ByteWriter, m: BusRunTable): void {
  writeId(w, m.runId, 1, idBytesMax, 'runId');
  w.u64(m.departsAtMs, 'departsAtMs');
  w.u32(m.fareFen, 'fareFen');
  w.u8(m.offlineRidesPerCardMax, 'offlineRidesPerCardMax');
  writeCount(w, m.freePersonTypes.length, Object.keys(personTypes).length, 'freeTypeCount');
  for (const type of m.freePersonTypes) writeEnum(w, personTypes, type, 'freePersonType');
  writeCount16(w, m.bookedCardNos.length, busRunCardsMax, 'cardCount');
  for (const cardNo of m.bookedCardNos) writeCardNo(w, cardNo);
}
