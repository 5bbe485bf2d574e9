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
  /** Nights back at the dorm after its curfew within the last recentDays that make a warning. */
  lateReturnsMin: z.coerce.number().int().min(1).max(31).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
export type AttendanceWarningsQuery = z.infer<typeof attendanceWarningsQuery>;

export type AttendanceReason =
  /** `excused`: missed classes inside the streak's span that an approved absence (请假) covers, not counted. */
  | { code: 'absence_streak'; missed: number; excused?: number }
  | { code: 'falling'; recentRate: number; earlierRate: number; classRate: number }
  /** `days` without the days an approved absence covers; `excusedDays`: those left out. */
  | { code: 'not_seen'; days: number; excusedDays?: number }
  /** Back at the dorm after its curfew on `nights` nights of the last `days` (the passage domain's late returns). */
  | { code: 'late_returns'; nights: number; days: number; lastMs: number };

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

/** How the spending report groups students: by department (院系) or by grade (年级, the enrolment year). */
export const spendingGroupings = ['department', 'grade'] as const;
export type SpendingGrouping = (typeof spendingGroupings)[number];

/**
 * One group's spending in a month: its figures, or only that it is too small to show. `group` is the
 * department's name, or the enrolment year as text ('2024'); '' where the holder has none on record.
 */
export type SpendingGroup =
  | { group: string; suppressed: true }
  | {
      group: string;
      suppressed: false;
      students: number;
      meals: number;
      mealSpendFen: number;
      otherSpendFen: number;
      /** Meal and other spending per student, rounded down to the fen. */
      spendPerStudentFen: number;
    };

/** GET /v1/insight/spending-structure: a month's spending per department or grade, small groups suppressed. */
export interface SpendingStructureAnswer {
  month: string;
  by: SpendingGrouping;
  groupSizeMin: number;
  items: SpendingGroup[];
}

/** A group's spending per student and day on campus over one window (the subsidy report's before/after). */
export interface DailySpending {
  /** Days on campus summed over the group's students. */
  campusDays: number;
  /** Canteen meals per student-day on campus, two decimals. */
  mealsPerDay: number;
  /** Meal spend per student-day on campus, rounded down to the fen. */
  mealSpendPerDayFen: number;
  otherSpendPerDayFen: number;
}

/** One side of the subsidy report: the students who got a subsidy that month, or those who did not. */
export type SubsidyGroup =
  | { suppressed: true }
  | {
      suppressed: false;
      /** Students on campus in both windows (the ones compared). */
      students: number;
      before: DailySpending;
      after: DailySpending;
    };

/**
 * GET /v1/insight/subsidy-effect: whether a month's subsidies changed how the students who got them eat.
 * Each recipient is read over `windowDays` days before their first subsidy of the month and as many
 * from it; the students who got none over the same days around the month's first subsidy, as the
 * yardstick (what the season alone did). Groups under 10 students are suppressed.
 */
export interface SubsidyEffectAnswer {
  month: string;
  groupSizeMin: number;
  windowDays: number;
  /** The month's first subsidy day ('YYYY-MM-DD'), null when the month had none. */
  firstDay: string | null;
  /** Students who got a subsidy that month, and the fen they got (shown only from 10 students). */
  recipients: number | null;
  subsidyFen: number | null;
  subsidised: SubsidyGroup;
  others: SubsidyGroup;
}

/** Upper bounds (fen, exclusive) of the price bands of the merchant report; the last band is open. */
export const priceBandBoundsFen = [500, 1_000, 1_500, 2_000, 3_000, 5_000] as const;

/** One merchant's month: its payments and turnover, or only that fewer than 10 cards paid there. */
export type MerchantRank =
  | { merchantId: string; category: string; suppressed: true }
  | {
      merchantId: string;
      category: string;
      suppressed: false;
      payments: number;
      /** Accepted payments, before refunds. */
      amountFen: number;
      /** Distinct cards that paid there. */
      cards: number;
      /** Average payment, rounded down to the fen. */
      averageFen: number;
    };

/** GET /v1/insight/merchant-ranking: merchants by turnover and the payments per price band and category. */
export interface MerchantRankingAnswer {
  month: string;
  groupSizeMin: number;
  items: MerchantRank[];
  /**
   * Per merchant category, the payments in each band of priceBandBoundsFen (index i: under bound i;
   * the last index, from the last bound up); null where fewer than 10 cards paid in that band.
   */
  priceBands: { category: string; payments: (number | null)[] }[];
}

/** One device's month: operations taken, refused, and the refusals by code (codes under 10 cards folded). */
export interface DeviceFailures {
  deviceId: string;
  operations: number;
  refused: number;
  /** Refusals by the code answered, most first; a code refused to fewer than 10 cards is in `otherRefused`. */
  codes: { code: string; refused: number }[];
  otherRefused: number;
}

/**
 * GET /v1/insight/device-failures: each device's refusals in a month, the worst first, and when they
 * happen (weekday 0 = Monday × Shanghai hour); a cell whose refusals name 1–9 cards is null.
 */
export interface DeviceFailuresAnswer {
  month: string;
  groupSizeMin: number;
  items: DeviceFailures[];
  pattern: { weekday: number; hour: number; operations: number; refused: number | null }[];
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

/**
 * GET /v1/insight/canteen-day (core) and the backoffice's chart: one day's forecast per window and
 * 15-minute slot (96 numbers from 00:00 Shanghai) against the accepted payments made. The BFF adds the
 * canteen's and window's names.
 */
export interface CanteenDayAnswer {
  /** 'YYYY-MM-DD', Asia/Shanghai. */
  day: string;
  holiday: boolean;
  items: { window: string; canteen?: string; windowName?: string; forecast: number[]; actual: number[] }[];
}

/** How busy a canteen window is in a 15-minute slot (the app shows 空闲 / 适中 / 繁忙 / 拥挤). */
export type CanteenLoadLevel = 'quiet' | 'moderate' | 'busy' | 'crowded';

/**
 * A window's level from the payments expected in a slot against the window's capacity (payments per
 * 15 minutes it serves without a queue growing, set by the card centre): under `quietBelow` of it
 * quiet, under `moderateBelow` moderate, under the capacity busy, at or past it crowded.
 */
export const canteenLoadLevels = Object.freeze({ quietBelow: 0.4, moderateBelow: 0.75 });

/**
 * A window's capacity, payments per 15 minutes: the default where the card centre set none (a
 * payment every 15 s at one till), and the bounds a capacity set must keep.
 */
export const windowCapacityDefault = 60;
export const windowCapacityMin = 1;
export const windowCapacityMax = 1_000;

/** PUT /v1/window-capacities/:merchantId: a window's capacity, or null to go back to the default. */
export const windowCapacityBody = z.strictObject({
  paymentsPer15Min: z.number().int().min(windowCapacityMin).max(windowCapacityMax).nullable(),
  updatedBy: z.string().min(1).max(64),
});
export type WindowCapacityBody = z.output<typeof windowCapacityBody>;

/** A canteen window's capacity as set (windows not listed take windowCapacityDefault). */
export interface WindowCapacity {
  merchantId: string;
  paymentsPer15Min: number;
  updatedBy: string;
  updatedAtMs: number;
}

/**
 * One window's load in a slot: the level, the payments expected (rounded), the capacity it was
 * graded against and a 0–100 bar (100 at the capacity).
 */
export interface CanteenSlotLoad {
  level: CanteenLoadLevel;
  expected: number;
  capacity: number;
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
