/**
 * 请假 (#17): a student reports an absence; their counsellor (辅导员, the student's department)
 * approves or rejects it with a reason; the student may cancel it while it waits. Approved absences
 * reach the insight store: attendance warnings leave their days out, and card payments on campus
 * during an approved off-campus absence are evidence of a stolen card. Nothing here imports from node.
 */
import { z } from 'zod';
import { shanghaiDateTimeMs } from '../time.ts';
import { cardNo, requestId, rowId } from './fields.ts';
import { absenceAheadDaysMax, absenceDaysMax, absencePastDaysMax, absenceReasonCharsMax } from './limits.ts';

/** 事假, 病假, 公假. */
export const absenceKinds = ['personal', 'sick', 'official'] as const;
export type AbsenceKind = (typeof absenceKinds)[number];
export const absenceKindLabels: Readonly<Record<AbsenceKind, string>> = Object.freeze({
  personal: '事假',
  sick: '病假',
  official: '公假',
});

/** pending → approved or rejected (the counsellor), or cancelled (the student, while pending). */
export const absenceStatuses = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type AbsenceStatus = (typeof absenceStatuses)[number];
export const absenceStatusLabels: Readonly<Record<AbsenceStatus, string>> = Object.freeze({
  pending: '待审批',
  approved: '已批准',
  rejected: '未批准',
  cancelled: '已撤销',
});

export { absenceAheadDaysMax, absenceDaysMax, absencePastDaysMax, absenceReasonCharsMax };

const dayMs = 86_400_000;

/** 'YYYY-MM-DD HH:mm' on the Shanghai clock, whatever the caller's zone. */
const shanghaiTime = z.string().transform((text, ctx) => {
  const ms = shanghaiDateTimeMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a time is YYYY-MM-DD HH:mm (Asia/Shanghai)' });
    return z.NEVER;
  }
  return ms;
});

const reason = z.string().trim().min(1).max(absenceReasonCharsMax);

/** A student's report; the same person and request id answer the first report again. */
export const newAbsenceSchema = z
  .strictObject({
    requestId,
    cardNo,
    kind: z.enum(absenceKinds),
    from: shanghaiTime,
    to: shanghaiTime,
    reason,
    offCampus: z.boolean().default(false),
  })
  .refine((a) => a.to > a.from, { message: 'the absence ends after it starts', path: ['to'] })
  .refine((a) => a.to - a.from <= absenceDaysMax * dayMs, {
    message: `an absence covers at most ${absenceDaysMax} days`,
    path: ['to'],
  });
export type NewAbsence = z.output<typeof newAbsenceSchema>;

/** The student cancels their own pending report. */
export const cancelAbsenceSchema = z.strictObject({ cardNo });
export type CancelAbsence = z.output<typeof cancelAbsenceSchema>;

/**
 * The counsellor's decision. `department` is the deciding account's department (null: an account
 * that sees every department); an absence of another department is ABSENCE_FORBIDDEN.
 */
export const decideAbsenceSchema = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  note: reason.optional(),
  decidedBy: z.string().min(1).max(64),
  department: z.string().min(1).max(64).nullable(),
});
export type DecideAbsence = z.output<typeof decideAbsenceSchema>;

export const absenceListQuerySchema = z.object({
  status: z.enum(absenceStatuses).optional(),
  cardNo: cardNo.optional(),
  department: z.string().min(1).max(64).optional(),
});
export type AbsenceListQuery = z.output<typeof absenceListQuerySchema>;

export const absenceId = rowId;

export interface Absence {
  id: string;
  personNo: string;
  cardNo: string;
  department: string | null;
  kind: AbsenceKind;
  reason: string;
  offCampus: boolean;
  fromMs: number;
  toMs: number;
  status: AbsenceStatus;
  /** The counsellor's reason (required to reject) or note. */
  decisionNote: string | null;
  decidedBy: string | null;
  /** When it was approved, rejected or cancelled. */
  decidedAtMs: number | null;
  createdAtMs: number;
}
