import type { PersonInsight } from '../contract/insight.ts';
import { CoreError } from '../errors.ts';
import { addMonthsToKey, monthKeyOf } from '../time.ts';
import { attendanceWarnings } from './attendance-warnings.ts';
import { hiddenNeedCandidates } from './hidden-need.ts';
import type { InsightStore } from './insight-store.ts';

const dayMs = 86_400_000;
const attendanceDays = 28;

/**
 * What the store holds about one student card (the student's own 我的数据): the monthly figures the
 * detectors use, the last four weeks' class attendance, and whether a hidden-need candidacy (this
 * month, the office's default thresholds) or an attendance warning exists now. Yes or no only: the
 * reasons and the thresholds stay with the offices that act on them.
 */
export async function personInsight(
  store: InsightStore,
  cardNo: string,
  nowMs: number,
  retentionDays: number,
): Promise<PersonInsight> {
  const holder = await store.holder(cardNo);
  if (holder === undefined) throw new CoreError('NOT_FOUND', 'the insight store holds nothing for this card');
  const month = monthKeyOf(nowMs);
  const figures = await store.monthFigures(addMonthsToKey(month, -12), month, cardNo);
  const facts = (await store.rosterFacts(nowMs - attendanceDays * dayMs, nowMs)).filter(
    (f) => f.personNo === holder.personNo,
  );
  const hiddenNeed = (await hiddenNeedCandidates(store, month)).some((c) => c.cardNo === cardNo);
  const warnings = await attendanceWarnings(store, nowMs, holder.department);
  return {
    cardNo,
    months: figures.map((f) => ({
      month: f.month,
      campusDays: f.campusDays,
      meals: f.meals,
      mealSpendFen: f.mealSpend,
      otherSpendFen: f.otherSpend,
    })),
    attendance: {
      days: attendanceDays,
      sessions: facts.length,
      attended: facts.filter((f) => f.attended).length,
    },
    flags: {
      hiddenNeed,
      attendanceWarning: warnings.items.some((w) => w.personNo === holder.personNo),
    },
    retentionDays,
  };
}
