import type { MeetingBoard, MeetingView, NewMeeting } from '../contract/meetings.ts';
import { DomainClient, query } from './transport.ts';

/** Meetings and exams (docs/visitors-meetings-bus.md). */
export class MeetingsClient extends DomainClient {
  /** Makes or replaces a meeting or exam under its id (the backoffice's retry is the same id). */
  createMeeting(input: NewMeeting): Promise<MeetingView> {
    return this.transport.call('POST', '/v1/meetings', input);
  }
  meetings(fromMs: number, toMs: number): Promise<{ items: MeetingView[] }> {
    return this.transport.call('GET', `/v1/meetings${query({ fromMs, toMs })}`);
  }
  meeting(id: string): Promise<MeetingView> {
    return this.transport.call('GET', `/v1/meetings/${encodeURIComponent(id)}`);
  }
  /** Who signed in, who was late, who is absent, at `atMs` (now by default). */
  meetingBoard(id: string, atMs?: number): Promise<MeetingBoard> {
    return this.transport.call('GET', `/v1/meetings/${encodeURIComponent(id)}/board${query({ atMs })}`);
  }
  /** Late and absent notices to the roster as the board stands now; sending again tells nobody twice. */
  sendMeetingNotices(id: string): Promise<{ late: number; absent: number }> {
    return this.transport.call('POST', `/v1/meetings/${encodeURIComponent(id)}/notices`, {});
  }
  /** The meeting a reader serves now (null: none). */
  currentMeeting(deviceId: string): Promise<{ meeting: MeetingView | null }> {
    return this.transport.call('GET', `/v1/devices/${encodeURIComponent(deviceId)}/current-meeting`);
  }
}
