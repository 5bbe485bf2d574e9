import { createHash } from 'node:crypto';
import type { Notice } from '../contract/notices.ts';
import { dayBoundsMs, formatDay, shanghaiDay } from '../time.ts';
import type { InsightStore } from './insight-store.ts';
import type { LedgerSource } from './ledger-source.ts';

export const weeklySummaryKind = 'insight_attendance_week';

/** '11月30日' of a Shanghai day number. */
function monthDay(day: number): string {
  const [, month, date] = formatDay(day).split('-');
  return `${Number(month)}月${Number(date)}日`;
}

/** Monday (a Shanghai day number) of the week the day falls in: day 0, 1970-01-01, was a Thursday. */
const mondayOf = (day: number) => day - ((day + 3) % 7);

/**
 * The weekly summary to the student (docs/analytics.md, attendance warnings): for the last whole
 * Asia/Shanghai week (Monday–Sunday), each student with a class on their roster or a late return to
 * the dorm gets an in-app notice with their classes attended of those rostered and the nights back
 * after the curfew. One notice per student and week (its id is made from both), so a rerun writes
 * none twice; sent once per week per process (after each extract run, the first run of a new week).
 */
export class WeeklyAttendanceSummary {
  #sentWeek: number | undefined;

  constructor(
    private readonly store: Pick<InsightStore, 'rosterFacts' | 'lastSeen'>,
    private readonly ledger: Pick<LedgerSource, 'lateReturns' | 'activeCardHolders'>,
    private readonly notices: { insertMissing(notices: readonly Notice[]): Promise<void> },
  ) {}

  /** Sends last week's summaries unless this process already did; answers the notices written. */
  async run(nowMs: number = Date.now()): Promise<Notice[]> {
    const monday = mondayOf(shanghaiDay(nowMs)) - 7;
    if (this.#sentWeek === monday) return [];
    const fromMs = dayBoundsMs(monday).startMs;
    const toMs = dayBoundsMs(monday + 7).startMs;
    const classes = new Map<string, { rostered: number; attended: number }>();
    for (const f of await this.store.rosterFacts(fromMs, toMs)) {
      if (f.startsAtMs < fromMs || f.startsAtMs >= toMs) continue;
      const c = classes.get(f.personNo) ?? { rostered: 0, attended: 0 };
      c.rostered += 1;
      if (f.attended) c.attended += 1;
      classes.set(f.personNo, c);
    }
    const nights = new Map<string, Set<number>>();
    for (const r of await this.ledger.lateReturns(fromMs, toMs))
      nights.set(r.personNo, (nights.get(r.personNo) ?? new Set()).add(r.day));
    const students = (await this.store.lastSeen(fromMs, toMs)).filter(
      (s) => classes.has(s.personNo) || nights.has(s.personNo),
    );
    const holders = await this.ledger.activeCardHolders(students.map((s) => s.cardNo));
    const week = `${monthDay(monday)}—${monthDay(monday + 6)}`;
    const notices: Notice[] = [];
    for (const s of students) {
      const personId = holders.get(s.cardNo);
      if (personId === undefined) continue;
      const c = classes.get(s.personNo);
      const late = nights.get(s.personNo)?.size ?? 0;
      const parts = [
        c
          ? `上周（${week}）您的课表上有 ${c.rostered} 节课，签到 ${c.attended} 节（出勤率 ${Math.round((c.attended / c.rostered) * 100)}%）。`
          : `上周（${week}）您的课表上没有课。`,
        late > 0 ? `有 ${late} 晚在宿舍门禁时间后回宿舍。` : '',
      ];
      const key = `${weeklySummaryKind}\n${s.personNo}\n${monday}`;
      notices.push({
        id: `W${createHash('sha256').update(key).digest('hex').slice(0, 25)}`,
        personId,
        kind: weeklySummaryKind,
        title: '上周考勤小结',
        body: parts.join(''),
        data: {
          week: formatDay(monday),
          rostered: c?.rostered ?? 0,
          attended: c?.attended ?? 0,
          lateNights: late,
        },
        createdAtMs: nowMs,
      });
    }
    await this.notices.insertMissing(notices);
    this.#sentWeek = monday;
    return notices;
  }
}
