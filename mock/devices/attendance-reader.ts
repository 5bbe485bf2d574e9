// A classroom, meeting-room or exam-hall reader serving one attendance session at a time: a scanned code in,
// recorded / already recorded / not on the roster / outside the window out. Offline it stores the sign-in.
// The meeting or exam it serves comes from the server (protocol § 7.27): asked after sign-in and pushed on
// every change; a class session is set for the room's timetable and serves when no meeting does. At an exam
// it signs in with EXAM_PHOTO_ATTENDANCE and shows the seat and the candidate's photo, fetched in chunks by
// the short-lived reference the server answers (protocol § 7.28), or 无照片 when there is none.

import type {
  AttendanceResult,
  ExamPhotoAttendanceResult,
  MeetingSession,
  Message,
} from '@campus-card/device-gateway/protocol';
import { type OfflineDecision, scannedCode, Terminal, type TerminalOptions } from './terminal.ts';

/** A photo the reader fetched for the invigilator; kept only while the candidate stands there. */
export interface FetchedPhoto {
  readonly mediaType: 'image/jpeg' | 'image/png';
  readonly bytes: Buffer;
}

/** An exam sign-in as the reader shows it: the answer, and the photo when there is one (else 无照片). */
export type ExamSignIn = ExamPhotoAttendanceResult & { readonly photo: FetchedPhoto | undefined };

export class AttendanceReader extends Terminal {
  /** The class session set for the room's timetable (used while the server names no meeting). */
  classSessionId = '';
  /** The meeting or exam the server last said this reader serves (kind `none`: none). */
  meeting: MeetingSession | undefined;
  private readonly meetingListeners: ((meeting: MeetingSession) => void)[] = [];

  constructor(options: TerminalOptions) {
    super('attendance', options);
  }

  static async connect(options: TerminalOptions, classSessionId = ''): Promise<AttendanceReader> {
    const reader = new AttendanceReader(options);
    reader.classSessionId = classSessionId;
    await reader.connect();
    return reader;
  }

  /** Signs in, then asks which meeting or exam it serves now. */
  override async connect(): Promise<void> {
    await super.connect();
    const answer = await this.request({ kind: 'meeting_session_request' });
    if (answer.kind !== 'meeting_session') throw new Error(`MEETING_SESSION_REQUEST answered ${answer.kind}`);
    this.serve(answer);
  }

  /** The session its sign-ins go to: the server's meeting or exam, else the room's class. */
  get sessionId(): string {
    return this.meeting !== undefined && this.meeting.sessionKind !== 'none'
      ? this.meeting.sessionId
      : this.classSessionId;
  }

  /** Called with each session the server names (the reader's screen shows its title). */
  onMeeting(listener: (meeting: MeetingSession) => void): void {
    this.meetingListeners.push(listener);
  }

  protected override pushed(message: Message): void {
    if (message.kind === 'meeting_session') this.serve(message);
  }

  private serve(meeting: MeetingSession): void {
    this.meeting = meeting;
    for (const listener of this.meetingListeners) listener(meeting);
  }

  async signIn(
    scanned: string,
  ): Promise<AttendanceResult | ExamSignIn | ({ readonly kind: 'offline' } & OfflineDecision)> {
    const code = scannedCode(scanned);
    if (!this.online) {
      const decision = await this.decideOffline({
        recordKind: 'attendance',
        amountFen: 0,
        orderNo: 0,
        sessionId: this.sessionId,
        code,
      });
      return { kind: 'offline', ...decision };
    }
    if (this.meeting?.sessionKind === 'exam') {
      const reply = await this.request({ kind: 'exam_photo_attendance', sessionId: this.sessionId, code });
      if (reply.kind !== 'exam_photo_attendance_result')
        throw new Error(`EXAM_PHOTO_ATTENDANCE answered ${reply.kind}`);
      return { ...reply, photo: reply.photoRef === '' ? undefined : await this.fetchPhoto(reply.photoRef) };
    }
    const reply = await this.request({ kind: 'attendance', sessionId: this.sessionId, code });
    if (reply.kind !== 'attendance_result') throw new Error(`ATTENDANCE answered ${reply.kind}`);
    return reply;
  }

  /**
   * The photo a reference names, chunk after chunk (PHOTO_REQUEST from offset 0, then the end of each chunk);
   * undefined when the server refuses the reference (expired, or not this reader's): the screen says 无照片.
   */
  async fetchPhoto(photoRef: string): Promise<FetchedPhoto | undefined> {
    const parts: Uint8Array[] = [];
    let offset = 0;
    let total = 1;
    let mediaType: FetchedPhoto['mediaType'] = 'image/jpeg';
    while (offset < total) {
      const reply = await this.request({ kind: 'photo_request', photoRef, offset });
      if (reply.kind !== 'photo_chunk') return undefined;
      ({ totalBytes: total, mediaType } = reply);
      parts.push(reply.data);
      offset += reply.data.byteLength;
    }
    return { mediaType, bytes: Buffer.concat(parts) };
  }
}
