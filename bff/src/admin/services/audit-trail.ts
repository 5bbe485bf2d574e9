import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEntry, CoreClient } from '@campus-card/core/client';
import type { Logger } from '@campus-card/core/log';
import type { AdminSession } from '../admin-sessions.ts';

/** Tries of one append; the action it records has already happened, so it is not given up lightly. */
const appendAttemptsMax = 4;

/**
 * What every admin action leaves behind: one row in the core's audit chain naming who (the admin's
 * id and username), what, whom and when. Details carry ids and amounts, never passwords or codes.
 */
export class AuditTrail {
  constructor(
    private readonly core: CoreClient,
    private readonly log?: Logger,
  ) {}

  /**
   * Appends after the action succeeded, retrying a failed append (the core away for a moment): a
   * row written twice after a lost answer is better than an action with none. If every try fails the
   * action and target are logged (ids only) for someone to append by hand, and the error goes on.
   */
  async record(
    admin: Pick<AdminSession, 'adminId' | 'username'>,
    action: string,
    targetType: string | null,
    targetId: string | null,
    detail: Record<string, unknown> = {},
  ): Promise<AuditEntry> {
    const entry = {
      actorType: 'admin' as const,
      actorId: admin.adminId || null,
      action,
      targetType,
      targetId,
      detail: { by: admin.username, ...detail },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.core.appendAudit(entry);
      } catch (error) {
        const status = (error as { status?: number }).status;
        const transient = status === undefined || status >= 500;
        if (!transient || attempt >= appendAttemptsMax) {
          this.log?.error(
            { action, targetType, targetId, actorId: entry.actorId, attempts: attempt },
            'an admin action could not be audited',
          );
          throw error;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  /**
   * The audit chain as the audit page searches it. "Who" is a username as people type it; the chain
   * stores the admin's id, so an unknown name finds nothing.
   */
  async search(q: {
    who?: string | undefined;
    action?: string | undefined;
    targetId?: string | undefined;
    fromMs?: number | undefined;
    toMs?: number | undefined;
    beforeSeq?: number | undefined;
  }) {
    const { who, ...rest } = q;
    const actorId =
      who === undefined ? undefined : (await this.core.admins()).items.find((a) => a.username === who)?.id;
    if (who !== undefined && actorId === undefined) return { items: [], next: null };
    return this.core.searchAudit({ ...rest, ...(actorId ? { actorId } : {}), limit: 50 });
  }
}
