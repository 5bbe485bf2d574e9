import type { CoreClient } from '@campus-card/core/client';
import type { Absence, AbsenceStatus } from '@campus-card/core/contract';
import { BffError } from '../../errors.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';
import { holderNames } from './holder-names.ts';

export interface AbsenceRow extends Absence {
  holderName: string | null;
}

/**
 * 请假 as a counsellor (辅导员) sees it (#17): the absences their own department's students reported,
 * with the students' names, and the decision — approve, or reject with a reason — audited once (a
 * retry that changes nothing is not audited again). Scoped as the attendance warnings are: the
 * account's department whatever the request says; a counsellor account without one sees nothing; an
 * account of no department that is not a counsellor (the super admin) sees every department.
 */
export class AbsenceAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  async list(admin: AdminSession, status: AbsenceStatus | undefined): Promise<{ items: AbsenceRow[] }> {
    const department = this.department(admin);
    const { items } = await this.core.absences({
      ...(status ? { status } : {}),
      ...(department ? { department } : {}),
    });
    return { items: await this.named(items) };
  }

  async decide(
    admin: AdminSession,
    id: string,
    body: { decision: 'approved' | 'rejected'; note?: string | undefined },
  ): Promise<AbsenceRow> {
    const department = this.department(admin);
    const before = await this.core.absence(id);
    if (department !== null && before.department !== department)
      throw new BffError('FORBIDDEN', "the absence is not one of this counsellor's students");
    const decided = await this.core.decideAbsence(id, {
      decision: body.decision,
      department,
      decidedBy: admin.adminId,
      ...(body.note ? { note: body.note } : {}),
    });
    if (before.status !== decided.status)
      await this.audit.record(
        admin,
        `absence.${body.decision === 'approved' ? 'approve' : 'reject'}`,
        'absence',
        id,
        {
          personNo: decided.personNo,
          kind: decided.kind,
          fromMs: decided.fromMs,
          toMs: decided.toMs,
          ...(body.note ? { note: body.note } : {}),
        },
      );
    return (await this.named([decided]))[0] as AbsenceRow;
  }

  /** The account's department; a counsellor without one is refused rather than shown everyone. */
  private department(admin: AdminSession): string | null {
    if (admin.department === null && admin.role === 'counsellor')
      throw new BffError('FORBIDDEN', 'a counsellor sees their own department, and this account has none');
    return admin.department;
  }

  private async named(items: readonly Absence[]): Promise<AbsenceRow[]> {
    const holders = await holderNames(
      this.core,
      items.map((a) => a.cardNo),
    );
    return items.map((a) => ({ ...a, holderName: holders.get(a.cardNo) ?? null }));
  }
}
