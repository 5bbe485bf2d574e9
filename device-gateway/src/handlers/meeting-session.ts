// MEETING_SESSION_REQUEST (protocol § 7.27): which meeting or exam session the reader serves now, as the
// core says; the same answer is pushed on each change (server.ts relays the core's announcements).

import type { CoreClient } from '@campus-card/core/client';
import type { MeetingSession } from '../protocol/index.ts';
import { meetingTitleBytesMax, openRoster } from '../protocol/index.ts';

const none: MeetingSession = {
  kind: 'meeting_session',
  sessionKind: 'none',
  sessionId: '',
  title: '',
  startsAtMs: 0,
  endsAtMs: 0,
  signInFromMs: 0,
  rosterSize: 0,
};

/** UTF-8 bytes of a title on the wire, at most; the backoffice allows 128 characters, so cut at a character. */
function wireTitle(title: string, bytesMax: number): string {
  let out = '';
  for (const ch of title) {
    if (Buffer.byteLength(out + ch) > bytesMax) break;
    out += ch;
  }
  return out;
}

/** The session the reader (by its device id, as meetings name readers) serves now, or none. */
export async function meetingSessionOf(
  core: Pick<CoreClient, 'currentMeeting'>,
  deviceId: number,
): Promise<MeetingSession> {
  const { meeting } = await core.currentMeeting(String(deviceId));
  if (meeting === null) return none;
  return {
    kind: 'meeting_session',
    sessionKind: meeting.kind,
    sessionId: meeting.id,
    title: wireTitle(meeting.title, meetingTitleBytesMax),
    startsAtMs: meeting.startsAtMs,
    endsAtMs: meeting.endsAtMs,
    signInFromMs: meeting.signInFromMs,
    rosterSize: meeting.openRoster ? openRoster : Math.min(meeting.rosterSize, openRoster - 1),
  };
}
