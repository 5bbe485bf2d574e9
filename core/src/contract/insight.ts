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
