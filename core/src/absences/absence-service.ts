import {
  type Absence,
  type AbsenceListQuery,
  absenceAheadDaysMax,
  absencePastDaysMax,
  type CancelAbsence,
  type DecideAbsence,
  type NewAbsence,
} from '../contract/absences.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { AbsenceRepository } from './absence-repository.ts';

const dayMs = 86_400_000;

/**
 * 请假 (#17): a student reports an absence for their card's holder; the counsellor of the student's
 * department approves or rejects it; the student cancels it while it waits. Each change is one
 * conditional UPDATE from pending, so a decision and a cancel at once cannot both win; the same
 * decision again (a retried click) answers the decided absence, a different one ABSENCE_DECIDED.
 */
export class AbsenceService {
  constructor(
    private readonly absences: AbsenceRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async report(input: NewAbsence): Promise<Absence> {
    const holder = await this.absences.holder(input.cardNo);
    if (!holder) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    const earlier = await this.absences.byRequest(holder.personId, input.requestId);
    if (earlier) return earlier;
    if (holder.type !== 'student') throw new CoreError('ABSENCE_FORBIDDEN', 'only students report absences');
    const nowMs = this.now();
    if (input.from < nowMs - absencePastDaysMax * dayMs || input.from > nowMs + absenceAheadDaysMax * dayMs)
      throw new CoreError(
        'ABSENCE_OUT_OF_RANGE',
        `an absence starts at most ${absencePastDaysMax} days back and ${absenceAheadDaysMax} days ahead`,
        { pastDaysMax: absencePastDaysMax, aheadDaysMax: absenceAheadDaysMax },
      );
    const id = newId(nowMs);
    const inserted = await this.absences.insert(
      {
        id,
        personId: holder.personId,
        personNo: holder.personNo,
        cardNo: input.cardNo,
        department: holder.department,
        requestId: input.requestId,
        kind: input.kind,
        reason: input.reason,
        offCampus: input.offCampus,
        fromMs: input.from,
        toMs: input.to,
      },
      nowMs,
    );
    const stored = inserted
      ? await this.absences.byId(id)
      : await this.absences.byRequest(holder.personId, input.requestId);
    if (!stored) throw new Error(`absence ${id} vanished after its insert`);
    return stored;
  }

  /** A card's list is its holder's; a department's what its counsellor sees. */
  async list(query: AbsenceListQuery): Promise<Absence[]> {
    const { cardNo, ...rest } = query;
    if (!cardNo) return this.absences.list(rest);
    const holder = await this.absences.holder(cardNo);
    if (!holder) throw new CoreError('CARD_NOT_FOUND', 'no such card');
    return this.absences.list({ ...rest, personId: holder.personId });
  }

  async get(id: string): Promise<Absence> {
    const absence = await this.absences.byId(id);
    if (!absence) throw new CoreError('ABSENCE_NOT_FOUND', 'no such absence');
    return absence;
  }

  /** The holder of the card cancels their own pending absence; another person's reads as missing. */
  async cancel(id: string, input: CancelAbsence): Promise<Absence> {
    const holder = await this.absences.holder(input.cardNo);
    const absence = await this.absences.byId(id);
    if (!holder || !absence || absence.personNo !== holder.personNo)
      throw new CoreError('ABSENCE_NOT_FOUND', 'no such absence');
    if (!(await this.absences.cancel(id, holder.personId, this.now()))) {
      const current = await this.get(id);
      if (current.status !== 'cancelled')
        throw new CoreError('ABSENCE_DECIDED', `the absence is already ${current.status}`, {
          status: current.status,
        });
    }
    return this.get(id);
  }

  async decide(id: string, input: DecideAbsence): Promise<Absence> {
    const absence = await this.get(id);
    if (input.department !== null && absence.department !== input.department)
      throw new CoreError('ABSENCE_FORBIDDEN', "the absence is not one of this counsellor's students");
    if (input.decision === 'rejected' && !input.note)
      throw new CoreError('VALIDATION_FAILED', 'a rejection gives its reason');
    if (!(await this.absences.decide(id, input.decision, input.note ?? null, input.decidedBy, this.now()))) {
      const current = await this.get(id);
      if (current.status !== input.decision)
        throw new CoreError('ABSENCE_DECIDED', `the absence is already ${current.status}`, {
          status: current.status,
        });
    }
    return this.get(id);
  }
}
