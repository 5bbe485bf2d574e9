// 请假 (#17): the report form's check, so a refusal needs no round trip (the BFF and the core check again).
import type { AbsenceKind } from '@campus-card/core/contract';
import { absenceDaysMax, absenceReasonCharsMax } from '@campus-card/core/contract/limits';
import { shanghaiDateTimeMs } from '@campus-card/core/time';
import { absenceStrings as words } from '../absence-strings.ts';
import type { AbsenceReport } from '../services/absences.ts';

const hhmm = /^\d{2}:\d{2}$/;

/** The report from the form's fields, or the sentence that says what is wrong. */
export function absenceReportOf(
  form: Record<string, string>,
  kind: AbsenceKind,
  offCampus: boolean,
  requestId: string,
): AbsenceReport | string {
  const from = `${form.fromDay ?? ''} ${form.fromTime ?? ''}`;
  const to = `${form.toDay ?? ''} ${form.toTime ?? ''}`;
  const fromMs = shanghaiDateTimeMs(from);
  const toMs = shanghaiDateTimeMs(to);
  if (
    fromMs === undefined ||
    toMs === undefined ||
    !hhmm.test(form.fromTime ?? '') ||
    !hhmm.test(form.toTime ?? '')
  )
    return words.invalid.time;
  if (toMs <= fromMs) return words.invalid.order;
  if (toMs - fromMs > absenceDaysMax * 86_400_000) return words.invalid.tooLong;
  const reason = (form.reason ?? '').trim();
  if (!reason || reason.length > absenceReasonCharsMax) return words.invalid.reason;
  return { requestId, kind, from, to, reason, offCampus };
}
