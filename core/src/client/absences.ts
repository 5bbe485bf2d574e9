import type { z } from 'zod';
import type {
  Absence,
  AbsenceListQuery,
  CancelAbsence,
  DecideAbsence,
  newAbsenceSchema,
} from '../contract/absences.ts';
import { DomainClient, query } from './transport.ts';

/** 请假 (#17): a student's absence reports and their counsellor's decisions. */
export class AbsencesClient extends DomainClient {
  /** Reports an absence (ABSENCE_OUT_OF_RANGE, ABSENCE_FORBIDDEN refuse it); times on the Shanghai clock. */
  reportAbsence(input: z.input<typeof newAbsenceSchema>): Promise<Absence> {
    return this.transport.call('POST', '/v1/absences', input);
  }
  absences(filter: AbsenceListQuery = {}): Promise<{ items: Absence[] }> {
    return this.transport.call('GET', `/v1/absences${query(filter)}`);
  }
  absence(id: string): Promise<Absence> {
    return this.transport.call('GET', `/v1/absences/${encodeURIComponent(id)}`);
  }
  cancelAbsence(id: string, input: CancelAbsence): Promise<Absence> {
    return this.transport.call('POST', `/v1/absences/${encodeURIComponent(id)}/cancel`, input);
  }
  /** Approves or rejects (ABSENCE_FORBIDDEN outside the department, ABSENCE_DECIDED once decided). */
  decideAbsence(id: string, input: DecideAbsence): Promise<Absence> {
    return this.transport.call('POST', `/v1/absences/${encodeURIComponent(id)}/decide`, input);
  }
}
