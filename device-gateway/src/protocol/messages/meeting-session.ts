// Which meeting or exam session a reader serves now (docs/protocol.md § 7.27, docs/visitors-meetings-bus.md):
// the reader asks after sign-in, and the server pushes the answer again whenever the session the reader
// serves changes (made, changed, its sign-in window opening or closing). The reader never guesses.

import { ProtocolError } from '../errors.ts';
import { idBytesMax } from '../limits.ts';
import type { ByteReader } from '../reader.ts';
import type { ByteWriter } from '../writer.ts';
import { readEnum, readId, readText, writeEnum, writeId, writeText } from './fields.ts';

/** What the reader serves: nothing, a meeting or an exam. */
export const meetingSessionKinds = { none: 0x00, meeting: 0x01, exam: 0x02 } as const;
export type MeetingSessionKind = keyof typeof meetingSessionKinds;

/** UTF-8 bytes of a session title on the wire (the backoffice allows 128 characters; CJK is 3 bytes each). */
export const meetingTitleBytesMax = 192;
/** 0xFFFF in rosterSize: an open meeting, anyone may sign in. */
export const openRoster = 0xffff;

/** D→S: which session do I serve now? Answered by MEETING_SESSION. */
export interface MeetingSessionRequest {
  readonly kind: 'meeting_session_request';
}

export function parseMeetingSessionRequest(r: ByteReader): MeetingSessionRequest {
  r.end('MEETING_SESSION_REQUEST');
  return { kind: 'meeting_session_request' };
}

export function serializeMeetingSessionRequest(_w: ByteWriter, _m: MeetingSessionRequest): void {}

/** S→D: the answer to MEETING_SESSION_REQUEST, also pushed unsolicited (sequence 0). */
export interface MeetingSession {
  readonly kind: 'meeting_session';
  readonly sessionKind: MeetingSessionKind;
  /** Empty with `none`: the reader serves no session now. */
  readonly sessionId: string;
  readonly title: string;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  /** Sign-in is taken from here until the end. */
  readonly signInFromMs: number;
  /** People on the roster, or `openRoster`. */
  readonly rosterSize: number;
}

function check(m: Omit<MeetingSession, 'kind'>): void {
  const none = m.sessionKind === 'none';
  if (none !== (m.sessionId === ''))
    throw new ProtocolError('BAD_FIELD', `a ${m.sessionKind} session carries id "${m.sessionId}"`);
  if (none && (m.title !== '' || m.startsAtMs + m.endsAtMs + m.signInFromMs + m.rosterSize !== 0))
    throw new ProtocolError('BAD_FIELD', 'no session carries no title, times or roster');
  if (!none && !(m.signInFromMs <= m.startsAtMs && m.startsAtMs < m.endsAtMs))
    throw new ProtocolError('BAD_FIELD', 'a session opens sign-in by its start and ends after it');
}

export function parseMeetingSession(r: ByteReader): MeetingSession {
  const m: MeetingSession = {
    kind: 'meeting_session',
    sessionKind: readEnum(r, meetingSessionKinds, 'sessionKind'),
    sessionId: readId(r, 0, idBytesMax, 'sessionId'),
    title: readText(r, meetingTitleBytesMax, 'title'),
    startsAtMs: r.u64('startsAtMs'),
    endsAtMs: r.u64('endsAtMs'),
    signInFromMs: r.u64('signInFromMs'),
    rosterSize: r.u16('rosterSize'),
  };
  check(m);
  r.end('MEETING_SESSION');
  return m;
}

export function serializeMeetingSession(w: ByteWriter, m: MeetingSession): void {
  check(m);
  writeEnum(w, meetingSessionKinds, m.sessionKind, 'sessionKind');
  writeId(w, m.sessionId, 0, idBytesMax, 'sessionId');
  writeText(w, m.title, meetingTitleBytesMax, 'title');
  w.u64(m.startsAtMs, 'startsAtMs');
  w.u64(m.endsAtMs, 'endsAtMs');
  w.u64(m.signInFromMs, 'signInFromMs');
  w.u16(m.rosterSize, 'rosterSize');
}
