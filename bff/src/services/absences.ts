import type { CoreClient } from '@campus-card/core/client';
import type { Absence, AbsenceKind } from '@campus-card/core/contract';
import type { BindingService } from './bindings.ts';

/** 请假 for a bound student: report an absence, follow its state, cancel it while it waits. */
export class Absences {
  constructor(
    private readonly core: CoreClient,
    private readonly bindings: BindingService,
  ) {}

  async report(
    openid: string,
    input: {
      requestId: string;
      kind: AbsenceKind;
      from: string;
      to: string;
      reason: string;
      offCampus: boolean;
    },
  ): Promise<Absence> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.reportAbsence({ ...input, cardNo });
  }

  /** The caller's absences, newest first. */
  async mine(openid: string): Promise<{ items: Absence[] }> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.absences({ cardNo });
  }

  /** Another student's absence id reads as missing (the core checks the card's holder). */
  async cancel(openid: string, id: string): Promise<Absence> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.cancelAbsence(id, { cardNo });
  }
}
