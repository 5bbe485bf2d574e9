// Visitor passes at gates (docs/protocol.md § 7.20, docs/visitors-meetings-bus.md): the gate scans a pass
// ("CV:" + Base45, signed by the campus key) and, on entry, the ID-number tail the guard typed; the answer
// names the visitor and the host, which is personal data: VISITOR_RESULT is always encrypted.

import { type AccessDecision, type AccessDirection, accessDecisions, accessDirections } from '../codes.ts';
import { ProtocolError } from '../errors.ts';
import { displayNameBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import {
  readCode,
  readEnum,
  readPrintable,
  readText,
  type ScannedCode,
  writeCode,
  writeEnum,
  writePrintable,
  writeText,
} from './fields.ts';

/** Why a visitor pass was refused; a table of its own, so card refusals keep their numbers. */
export const visitorRefusals = {
  NONE: 0x00, // let through
  PASS_INVALID: 0x01, // not a pass, an unknown or retired key, or a bad signature
  PASS_NOT_YET_VALID: 0x02, // before the visit's window
  PASS_EXPIRED: 0x03, // after the visit's window
  WRONG_PLACE: 0x04, // the pass does not name this gate's door, building, area, door group or device
  ID_TAIL_MISMATCH: 0x05, // the ID-number tail typed is not the visitor's
  ID_TAIL_REQUIRED: 0x06, // an entry without the tail: ask for it and send again
  VISIT_CANCELLED: 0x07, // the host cancelled, or the department refused, since the pass was signed
  SERVICE_UNAVAILABLE: 0x08, // the server could not record the passage; apply offline rules
} as const;
export type VisitorRefusal = keyof typeof visitorRefusals;

/** The tail is the last four characters of an ID number: three digits, then a digit or X. */
const idTailBytes = 4;

/** D→S. */
export interface VisitorCheck {
  readonly kind: 'visitor_check';
  readonly code: ScannedCode;
  readonly direction: AccessDirection;
  /** Empty on the way out; four characters on the way in. */
  readonly idTail: string;
}

function checkTail(tail: string): void {
  if (tail !== '' && !/^[0-9]{3}[0-9X]$/.test(tail))
    throw new ProtocolError('BAD_FIELD', 'idTail must be empty or 3 digits then a digit or X');
}

export function parseVisitorCheck(r: ByteReader): VisitorCheck {
  const code = readCode(r);
  const direction = readEnum(r, accessDirections, 'direction');
  const idTail = readPrintable(r, idTailBytes, 'idTail');
  checkTail(idTail);
  r.end('VISITOR_CHECK');
  return { kind: 'visitor_check', code, direction, idTail };
}

export function serializeVisitorCheck(w: ByteWriter, m: VisitorCheck): void {
  checkTail(m.idTail);
  writeCode(w, m.code);
  writeEnum(w, accessDirections, m.direction, 'direction');
  writePrintable(w, m.idTail, idTailBytes, 'idTail');
}

/** S→D, encrypted. Allow carries NONE; deny carries the reason. Names are empty when the pass is unknown. */
export interface VisitorResult {
  readonly kind: 'visitor_result';
  readonly decision: AccessDecision;
  readonly reason: VisitorRefusal;
  /** UTF-8, up to 64 bytes, masked by the server ("李*客"). */
  readonly visitorName: string;
  /** The host, for the guard to call; UTF-8, up to 64 bytes. */
  readonly hostName: string;
}

function checkDecision(decision: AccessDecision, reason: VisitorRefusal): void {
  if ((decision === 'allow') !== (reason === 'NONE'))
    throw new ProtocolError('BAD_FIELD', `an ${decision} carries reason ${reason}; allow needs NONE`);
}

export function parseVisitorResult(r: ByteReader): VisitorResult {
  const decision = readEnum(r, accessDecisions, 'decision');
  const reason = readEnum(r, visitorRefusals, 'reason');
  checkDecision(decision, reason);
  const m: VisitorResult = {
    kind: 'visitor_result',
    decision,
    reason,
    visitorName: readText(r, displayNameBytesMax, 'visitorName'),
    hostName: readText(r, displayNameBytesMax, 'hostName'),
  };
  r.end('VISITOR_RESULT');
  return m;
}

export function serializeVisitorResult(w: ByteWriter, m: VisitorResult): void {
  checkDecision(m.decision, m.reason);
  writeEnum(w, accessDecisions, m.decision, 'decision');
  writeEnum(w, visitorRefusals, m.reason, 'reason');
  writeText(w, m.visitorName, displayNameBytesMax, 'visitorName');
  writeText(w, m.hostName, displayNameBytesMax, 'hostName');
}
