// 请假 (#17): the student's absence reports; the card is the session's, never named here.
import type { Absence, AbsenceKind } from '@campus-card/core/contract';
import type { ApiClient } from './request.ts';

export type { Absence };

export interface AbsenceReport {
  requestId: string;
  kind: AbsenceKind;
  /** 'YYYY-MM-DD HH:mm' on the Shanghai clock. */
  from: string;
  to: string;
  reason: string;
  offCampus: boolean;
}

export function reportAbsence(api: ApiClient, report: AbsenceReport): Promise<Absence> {
  return api.request('POST', '/absences', report);
}

export function myAbsences(api: ApiClient): Promise<{ items: Absence[] }> {
  return api.request('GET', '/absences');
}

export function cancelAbsence(api: ApiClient, id: string): Promise<Absence> {
  return api.request('POST', `/absences/${encodeURIComponent(id)}/cancel`);
}
