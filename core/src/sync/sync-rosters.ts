import type { CourseKey, SourceReader, SourceSession } from './source-reader.ts';
import type { SyncCounts, SyncKind, SyncRepository } from './sync-repository.ts';
import type { RunHooks } from './sync-run-state.ts';

const signInBeforeMs = { class: 15 * 60_000, exam: 30 * 60_000 } as const;
const signInAfterMs = { class: 15 * 60_000, exam: 30 * 60_000 } as const;
const sessionIdLengthMax = 32;

/**
 * The roster story of an identity-sync run (docs/sync.md): class and exam sessions and who sits them,
 * from the academic-affairs database, for attendance.
 */
export class RosterSync {
  constructor(
    private readonly repo: SyncRepository,
    private readonly reader: SourceReader,
    private readonly overlapMs: number,
  ) {}

  /**
   * Recomputes the sessions and rosters of every course whose enrolments or timetable changed since
   * the watermark (every course on a full run, and every course the core still has sessions of).
   */
  async sync(kind: SyncKind, counts: SyncCounts, hooks: RunHooks): Promise<void> {
    const reader = this.reader;
    const stream = 'academic.rosters';
    const until = await reader.rosterStampMs();
    const since =
      kind === 'full' ? 0 : Math.max(0, (await this.repo.watermark(stream)).afterMs - this.overlapMs);
    const courses = new Map<string, CourseKey>();
    for (const c of await reader.changedCourses(since)) courses.set(`${c.term}/${c.courseCode}`, c);
    if (kind === 'full') {
      for (const c of await this.repo.allSyncedCourses()) courses.set(`${c.term}/${c.courseCode}`, c);
    }
    let done = 0;
    for (const course of courses.values()) {
      await this.syncCourse(course, counts, hooks);
      done += 1;
      if (done % 50 === 0) await hooks.progress(`rosters ${done}/${courses.size}`);
    }
    await this.repo.advanceWatermark(stream, { afterMs: until, afterId: 0 });
  }

  private async syncCourse(course: CourseKey, counts: SyncCounts, hooks: RunHooks): Promise<void> {
    const reader = this.reader;
    const source = await reader.courseRoster(course);
    const tooLong = source.sessions.filter((s) => s.id.length > sessionIdLengthMax);
    await hooks.report(
      tooLong.map((s) => ({
        stream: 'academic.sessions',
        rowId: s.code,
        personNo: null,
        code: 'BAD_SESSION_CODE' as const,
        reason: `session code longer than ${sessionIdLengthMax - 2} characters`,
      })),
    );
    const live = source.sessions.filter((s) => s.status !== 'cancelled' && s.id.length <= sessionIdLengthMax);
    const liveIds = new Set(live.map((s) => s.id));
    const existing = await this.repo.syncedSessions(course);
    const existingIds = new Set(existing);
    const stored = await this.repo.sessionRows(live.map((s) => s.id));
    const upsertSessions = live
      .map((s) => ({
        ...desiredSession(s, course),
        sourceUpdatedAtMs: s.updatedAtMs,
        exists: existingIds.has(s.id),
      }))
      .filter((s) => !s.exists || !sameSession(stored.get(s.id), s));
    const deleteSessions = existing.filter((id) => !liveIds.has(id));
    // The roster of sessions being removed is read too, so its rows count as removed.
    const current = new Set(
      (await this.repo.roster([...new Set([...liveIds, ...existing])])).map(
        (r) => `${r.sessionId}\u0000${r.personNo}`,
      ),
    );
    const desired = new Set<string>();
    for (const s of live) for (const no of source.personNos) desired.add(`${s.id}\u0000${no}`);
    const split = (key: string) => {
      const [sessionId, personNo] = key.split('\u0000') as [string, string];
      return { sessionId, personNo };
    };
    const addRoster = [...desired].filter((k) => !current.has(k)).map(split);
    const removeRoster = [...current].filter((k) => !desired.has(k)).map(split);
    await this.repo.applyCourse({ ...course, upsertSessions, deleteSessions, addRoster, removeRoster });
    counts.roster += upsertSessions.length + deleteSessions.length + addRoster.length + removeRoster.length;
  }
}

function desiredSession(s: SourceSession, course: CourseKey) {
  const title = `${s.courseName ?? course.courseCode}${s.kind === 'exam' ? ' 考试' : ''}`.slice(0, 128);
  return {
    id: s.id,
    kind: s.kind,
    title,
    location: s.room.slice(0, 64),
    startsAtMs: s.startsAtMs,
    endsAtMs: s.endsAtMs,
    signInFromMs: s.startsAtMs - signInBeforeMs[s.kind],
    signInUntilMs: s.startsAtMs + signInAfterMs[s.kind],
  };
}

function sameSession(
  row: Record<string, unknown> | undefined,
  s: ReturnType<typeof desiredSession>,
): boolean {
  return (
    row !== undefined &&
    row.kind === s.kind &&
    row.title === s.title &&
    row.location === s.location &&
    Number(row.starts_at_ms) === s.startsAtMs &&
    Number(row.ends_at_ms) === s.endsAtMs &&
    Number(row.sign_in_from_ms) === s.signInFromMs &&
    Number(row.sign_in_until_ms) === s.signInUntilMs
  );
}
