import type { z } from 'zod';
import {
  type AttendanceWeek,
  type MeetingBoard,
  type MeetingBoardStatus,
  type MeetingView,
  meetingRosterMax,
  type newMeetingSchema,
} from '../contract/meetings.ts';
import type { AttendanceService } from '../devices/attendance-service.ts';
import { CoreError } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import type { MessageService } from '../messages/message-service.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import { dayBoundsMs, formatDay, formatMinute, shanghaiDay } from '../time.ts';
import type { MeetingRepository } from './meeting-repository.ts';

/**
 * Meetings and exams made in the backoffice (#15). Each is an attendance session (so readers sign people
 * in through the one ATTENDANCE path, protocol § 7.14) plus its organiser, roster rule, lateness, readers
 * and seats; the board sorts the roster into signed in, late, absent and waiting at a given moment.
 */

type ReadersListener = (deviceIds: string[]) => void;

/** Where a session sets no lateness (a class), a sign-in this long after the start is late. */
const lateAfterMsDefault = 5 * 60_000;

/** The Asia/Shanghai week (Monday first) holding `atMs`: its Monday and its bounds. */
export function shanghaiWeek(atMs: number): { weekStart: string; fromMs: number; toMs: number } {
  const day = shanghaiDay(atMs);
  const monday = day - ((day + 3) % 7); // day 0, 1970-01-01, was a Thursday
  return {
    weekStart: formatDay(monday),
    fromMs: dayBoundsMs(monday).startMs,
    toMs: dayBoundsMs(monday + 7).startMs,
  };
}

export class MeetingService {
  private readonly listeners: ReadersListener[] = [];
  private readonly jobs: Job[] = [];

  constructor(
    private readonly meetings: MeetingRepository,
    private readonly attendance: AttendanceService,
    private readonly notices: NoticeRepository,
    private readonly messages?: Pick<MessageService, 'send'>,
  ) {}

  /** Told, after each commit, the readers whose current session may have changed (protocol § 7.27). */
  onReadersChanged(listener: ReadersListener): void {
    this.listeners.push(listener);
  }

  private tell(deviceIds: readonly string[]): void {
    const unique = [...new Set(deviceIds)];
    if (unique.length === 0) return;
    for (const listener of this.listeners) listener(unique);
  }

  /**
   * Tells the readers of sessions whose sign-in window opened or closed since the last run, every
   * `everyMs`: the push that makes a reader switch at the start without guessing from its clock.
   */
  startSessionPush(everyMs: number, log: Logger, lock?: JobLock): void {
    let sinceMs = Date.now();
    this.jobs.push(
      schedule({
        name: 'meeting-session-push',
        everyMs,
        log,
        lock,
        run: async () => {
          const nowMs = Date.now();
          this.tell(await this.meetings.readersOfWindowsMoved(sinceMs, nowMs));
          sinceMs = nowMs;
        },
      }),
    );
  }

  /**
   * A student's week (the Shanghai week holding `weekAtMs`) as it stands at `nowMs`: sessions on their
   * roster that ended (or that they signed in to), attended, late and absent.
   */
  async week(personNo: string, weekAtMs: number, nowMs: number): Promise<AttendanceWeek> {
    const { weekStart, fromMs, toMs } = shanghaiWeek(weekAtMs);
    const out: AttendanceWeek = { personNo, weekStart, expected: 0, attended: 0, late: 0, absent: 0 };
    for (const s of await this.meetings.sessionsOf(personNo, fromMs, toMs)) {
      if (s.recordedAtMs !== null) {
        out.expected += 1;
        out.attended += 1;
        if (s.recordedAtMs > s.startsAtMs + (s.lateAfterMs ?? lateAfterMsDefault)) out.late += 1;
      } else if (s.endsAtMs <= nowMs) {
        out.expected += 1;
        out.absent += 1;
      }
    }
    return out;
  }

  /**
   * Sends each student rostered in the week holding `weekAtMs` their summary as a message
   * (`attendance_week`). The event key names the week and the outbox keys it by person, so a second run
   * for the same week tells nobody twice. Answers how many people were sent a new message.
   */
  async sendWeekSummaries(weekAtMs: number, nowMs: number): Promise<number> {
    if (!this.messages) return 0;
    const { weekStart, fromMs, toMs } = shanghaiWeek(weekAtMs);
    let sent = 0;
    for (const personNo of await this.meetings.rosteredBetween(fromMs, toMs)) {
      const w = await this.week(personNo, weekAtMs, nowMs);
      if (w.expected === 0) continue;
      const result = await this.messages.send(personNo, {
        key: `attendance-week:${weekStart}`,
        kind: 'attendance_week',
        fields: [
          `${weekStart} 起一周考勤`,
          `应到${w.expected} 实到${w.attended}`,
          `迟到${w.late} 缺勤${w.absent}`,
        ],
        page: 'pages/records/index',
      });
      if (result.queued.length > 0) sent += 1;
    }
    return sent;
  }

  /** Monday 08:00 Asia/Shanghai: last week's summaries (one instance a tick; a rerun adds nothing). */
  startWeekSummaries(log: Logger, lock?: JobLock): void {
    this.jobs.push(
      schedule({
        name: 'attendance-week-summaries',
        cron: '0 0 8 * * 1',
        log,
        lock,
        run: async () => {
          const nowMs = Date.now();
          await this.sendWeekSummaries(nowMs - 7 * 86_400_000, nowMs);
        },
      }),
    );
  }

  async stopJobs(): Promise<void> {
    await Promise.all(this.jobs.splice(0).map((job) => job.stop()));
  }

  async create(input: z.output<typeof newMeetingSchema>): Promise<MeetingView> {
    const before = await this.meetings.get(input.id);
    let roster: string[] = [];
    if (input.roster.by === 'list') roster = input.roster.personNos;
    if (input.roster.by === 'department') {
      roster = await this.meetings.departmentPeople(input.roster.department, meetingRosterMax + 1);
      if (roster.length === 0) throw new CoreError('VALIDATION_FAILED', 'nobody is in that department');
      if (roster.length > meetingRosterMax)
        throw new CoreError('VALIDATION_FAILED', `a roster holds at most ${meetingRosterMax} people`);
    }
    await this.attendance.putSession({
      id: input.id,
      kind: input.kind,
      title: input.title,
      location: input.location,
      startsAtMs: input.startsAtMs,
      endsAtMs: input.endsAtMs,
      signInFromMs: input.startsAtMs - input.signInBeforeMs,
      signInUntilMs: input.endsAtMs,
      roster,
    });
    await this.meetings.put({
      sessionId: input.id,
      organiser: input.organiser,
      openRoster: input.roster.by === 'open',
      lateAfterMs: input.lateAfterMs,
      readers: input.readers,
      seats: input.seats,
    });
    // A reader taken off the meeting is told as well: it may serve nothing now.
    this.tell([...(before?.readers ?? []), ...input.readers]);
    return this.get(input.id);
  }

  async get(id: string): Promise<MeetingView> {
    const meeting = await this.meetings.get(id);
    if (!meeting) throw new CoreError('MEETING_NOT_FOUND', 'no such meeting');
    return meeting;
  }

  between(fromMs: number, toMs: number): Promise<MeetingView[]> {
    return this.meetings.between(fromMs, toMs);
  }

  /** The meeting a reader serves now, or null: what the reader is told, never left for it to guess. */
  async forReader(deviceId: string, nowMs: number): Promise<MeetingView | null> {
    return (await this.meetings.forReader(deviceId, nowMs)) ?? null;
  }

  /**
   * Late and absent notices to the roster's people, as the board stands at `nowMs`: one kept notice per
   * person and meeting (ids `meeting-late:` / `meeting-absent:`), so sending again tells nobody twice.
   */
  async sendNotices(id: string, nowMs: number): Promise<{ late: number; absent: number }> {
    const board = await this.board(id, nowMs);
    const what = `${board.meeting.title}（${formatMinute(board.meeting.startsAtMs)}）`;
    const notices = board.rows.flatMap((r) => {
      if (r.personId === null || (r.status !== 'late' && r.status !== 'absent')) return [];
      const late = r.status === 'late';
      return [
        {
          id: `meeting-${r.status}:${id}:${r.personNo}`,
          personId: r.personId,
          kind: late ? 'meeting-late' : 'meeting-absent',
          title: late ? '迟到提醒' : '缺席提醒',
          body: late ? `您在${what}签到迟到` : `您未在${what}签到`,
          data: { meetingId: id },
          createdAtMs: nowMs,
        },
      ];
    });
    await this.notices.insertMissing(notices);
    return { late: board.counts.late, absent: board.counts.absent };
  }

  /** The live board at `nowMs`: late is signed in after start + lateAfter; absent is not in by then. */
  async board(id: string, nowMs: number): Promise<MeetingBoard> {
    const meeting = await this.get(id);
    const lateFromMs = meeting.startsAtMs + meeting.lateAfterMs;
    const counts: Record<MeetingBoardStatus, number> = { signed_in: 0, late: 0, absent: 0, waiting: 0 };
    const rows = (await this.meetings.boardRows(id)).map((r) => {
      const status: MeetingBoardStatus =
        r.recordedAtMs !== null
          ? r.recordedAtMs <= lateFromMs
            ? 'signed_in'
            : 'late'
          : nowMs > lateFromMs
            ? 'absent'
            : 'waiting';
      counts[status] += 1;
      return {
        personNo: r.personNo,
        name: r.name,
        department: r.department,
        seat: r.seat,
        status,
        signedInAtMs: r.recordedAtMs,
        personId: r.personId,
      };
    });
    return { meeting, counts, rows };
  }
}
