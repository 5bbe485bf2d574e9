/**
 * Campus insight on the wire (docs/analytics.md): the backoffice's queries and answers for the
 * detectors. The detectors themselves live in core/src/insight; the backoffice imports these types
 * type-only.
 */
import { z } from 'zod';

const ratio = z.coerce.number().gt(0).max(1);

/** GET /v1/insight/attendance-warnings: a department's students to look at now. */
export const attendanceWarningsQuery = z.object({
  /** The counsellor's department; the BFF sets it from the admin's account, never from the query. */
  department: z.string().trim().min(1).max(64).optional(),
  streakMin: z.coerce.number().int().min(2).max(50).optional(),
  fallingRatioMax: ratio.optional(),
  silentDaysMin: z.coerce.number().int().min(1).max(60).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
export type AttendanceWarningsQuery = z.infer<typeof attendanceWarningsQuery>;

export type AttendanceReason =
  | { code: 'absence_streak'; missed: number }
  | { code: 'falling'; recentRate: number; earlierRate: number; classRate: number }
  | { code: 'not_seen'; days: number };

/** One student a counsellor should look at, with the evidence. */
export interface AttendanceWarning {
  personNo: string;
  cardNo: string;
  department: string | null;
  reasons: AttendanceReason[];
  /** Up to ten of the latest missed class sessions, newest first. */
  missed: { sessionId: string; title: string; startsAtMs: number }[];
  lastSeenMs: number | null;
}

export interface AttendanceWarningsAnswer {
  asOfMs: number;
  department: string | null;
  thresholds: Record<string, number>;
  total: number;
  items: AttendanceWarning[];
}

export interface HiddenNeedThresholds {
  /** Days on campus in the month below which a student is not assessed (away, not needy). */
  campusDaysMin: number;
  /** Meals per day on campus at most this share of the cohort's median. */
  mealsRatioMax: number;
  /** Spend per meal at most this share of the cohort's median. */
  spendRatioMax: number;
  /** Students a cohort needs (assessed that month) to be its own yardstick (k-anonymity too). */
  cohortSizeMin: number;
  /** Meals per campus day this share or less of the student's own earlier months reads as falling. */
  fallingRatioMax: number;
}

export type HiddenNeedReason =
  | { code: 'few_meals'; mealsPerDay: number; cohortMealsPerDay: number }
  | { code: 'cheap_meals'; spendPerMealFen: number; cohortSpendPerMealFen: number }
  | { code: 'falling'; mealsPerDay: number; ownEarlierMealsPerDay: number }
  | { code: 'little_other_spending'; otherSpendFen: number; cohortOtherSpendFen: number };

export interface HiddenNeedCandidate {
  cardNo: string;
  month: string;
  /** Higher is more pressing: how far below the cohort meals and price are, plus a fall against the student's own past. */
  score: number;
  campusDays: number;
  meals: number;
  mealSpendFen: number;
  /** The cohort compared with: the department, or '*' (every student) when the department is too small. */
  cohort: string;
  reasons: HiddenNeedReason[];
}

/**
 * The smallest group an aggregate insight answer shows figures for (k-anonymity): a smaller group is
 * named but its figures are withheld, shown as 少于 10 人，不显示.
 */
export const groupSizeMin = 10;

/** One department's spending in a month: its figures, or only that it is too small to show. */
export type SpendingGroup =
  | { department: string; suppressed: true }
  | {
      department: string;
      suppressed: false;
      students: number;
      meals: number;
      mealSpendFen: number;
      otherSpendFen: number;
      /** Meal and other spending per student, rounded down to the fen. */
      spendPerStudentFen: number;
    };

/** GET /v1/insight/spending-structure: a month's spending per department, small groups suppressed. */
export interface SpendingStructureAnswer {
  month: string;
  groupSizeMin: number;
  items: SpendingGroup[];
}

/**
 * What the insight store holds about one student (GET /v1/insight/people/:cardNo, the mini-program's
 * 我的数据): their monthly figures, their class attendance lately, whether a hidden-need or attendance
 * flag exists (yes or no, never the office's internals), and how long the store keeps it.
 */
export interface PersonInsight {
  cardNo: string;
  months: { month: string; campusDays: number; meals: number; mealSpendFen: number; otherSpendFen: number }[];
  /** Class sessions rostered and attended in the last `days` days. */
  attendance: { days: number; sessions: number; attended: number };
  flags: { hiddenNeed: boolean; attendanceWarning: boolean };
  /** INSIGHT_RETENTION_DAYS: rows older than this are deleted; 0 keeps everything. */
  retentionDays: number;
}

/** How busy a canteen window is in a 15-minute slot (the app shows 空闲 / 适中 / 繁忙). */
export type CanteenLoadLevel = 'quiet' | 'moderate' | 'busy';

/**
 * Payments per 15 minutes at one window that make each level: under `quietBelow` quiet, from
 * `busyFrom` busy (a queue forms at about one payment every 18 s), moderate between.
 */
export const canteenLoadLevels = Object.freeze({ quietBelow: 20, busyFrom: 50 });

/** One window's load in a slot: the level, the payments expected (rounded), and a 0–100 bar (100 at busyFrom). */
export interface CanteenSlotLoad {
  level: CanteenLoadLevel;
  expected: number;
  bar: number;
}

/**
 * GET /api/v1/canteen-load (BFF, the app's canteen card): each canteen window now and in 30 minutes,
 * aggregated payments only, no person. Empty where campus insight is off.
 */
export interface CanteenLoadAnswer {
  atMs: number;
  items: {
    /** The canteen's name, and the window's ('' where the canteen has no windows of its own). */
    canteen: string;
    window: string;
    now: CanteenSlotLoad;
    in30: CanteenSlotLoad;
  }[];
}
