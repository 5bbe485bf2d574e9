import { type Approval, type CoreClient, CoreError } from '@campus-card/core/client';
import { formatDay, shanghaiDay } from '@campus-card/core/time';
import { BffError } from '../../errors.ts';
import type { Kv } from '../../kv/kv.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

/**
 * The stable code of a refusal that will not change on a retry (the ledger's or the card's answer,
 * a 4xx); undefined for one that might (the core unavailable or overloaded, a network error).
 */
function definiteRefusal(error: unknown): string | undefined {
  if (!(error instanceof BffError) && !(error instanceof CoreError)) return undefined;
  if (error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 429)
    return undefined;
  return /^[A-Z_]{1,64}$/.test(error.code) ? error.code : undefined;
}

/** How long a request's route (now or approval) and an admin's daily total are remembered. */
const routeMemoryMs = 3 * 86_400_000;

/** What an approved proposal does, per kind: it runs under the approval's id, so it happens once. */
export type Execute = (approval: Approval) => Promise<unknown>;

/**
 * Maker–checker for money actions (adjustments, top-up refunds). An action above the threshold waits
 * for a second admin; so does any once the admin's own actions of its kind that Asia/Shanghai day
 * would pass it, so splitting 20,000 into three of 9,000 does not slip past the checker. The core
 * keeps the proposals and decides each once, never by its maker.
 */
export class Approvals {
  readonly #executors = new Map<Approval['kind'], Execute>();

  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
    private readonly kv: Kv,
    private readonly approvalAboveFen: number,
  ) {}

  /** How approved proposals of a kind are carried out. */
  handle(kind: Approval['kind'], execute: Execute): void {
    this.#executors.set(kind, execute);
  }

  /**
   * Now or wait for approval: decided once per request (a retry gets the same answer), by the
   * amount and by what this admin did directly today. The daily total is one atomic counter per
   * admin and kind, so two requests at once cannot both slip under the threshold.
   */
  async route(
    admin: AdminSession,
    kind: Approval['kind'],
    requestId: string,
    amount: number,
    aboveFen = this.approvalAboveFen,
  ) {
    if (Math.abs(amount) > aboveFen) return 'approval';
    const key = `maker-route:${kind}:${admin.adminId}:${requestId}`;
    const known = await this.kv.get(key);
    if (known === 'now' || known === 'approval') return known;
    const day = formatDay(shanghaiDay(Date.now()));
    const total = await this.kv.increment(
      `maker-day:${kind}:${admin.adminId}:${day}`,
      routeMemoryMs,
      Math.abs(amount),
    );
    const route = total > aboveFen ? 'approval' : 'now';
    if (await this.kv.setIfAbsent(key, route, routeMemoryMs)) return route;
    return (await this.kv.get(key)) === 'approval' ? 'approval' : 'now';
  }

  /** Proposes (once per maker and request id) and audits it as `<kind>.propose`. */
  async propose(
    admin: AdminSession,
    proposal: Pick<Approval, 'kind' | 'payload' | 'amount' | 'reason' | 'targetId'> & { requestId: string },
    audited: Record<string, unknown>,
  ): Promise<Approval> {
    const { requestId, ...fields } = proposal;
    const approval = await this.core.proposeApproval({ ...fields, makerId: admin.adminId, key: requestId });
    await this.audit.record(
      admin,
      `${proposal.kind}.propose`,
      proposal.kind === 'adjustment' || proposal.kind === 'cash_top_up'
        ? 'card'
        : proposal.kind === 'device_config'
          ? 'device'
          : 'top_up',
      proposal.targetId,
      {
        approvalId: approval.id,
        ...audited,
      },
    );
    return approval;
  }

  /**
   * A second admin decides. Approving claims the approval (approving), carries the proposal out
   * under the approval's own ledger id (its own namespace, apr-…, which no request id can produce),
   * and only then marks it approved; an action refused for good (a ledger or card refusal) marks it
   * failed with the refusal's code and answers the refusal. A retry after a lost answer or a crash
   * in between carries it out again under the same id, which posts once.
   */
  async decide(admin: AdminSession, approvalId: string, decision: 'approved' | 'rejected') {
    const decided = await this.core.decideApproval(approvalId, admin.adminId, decision);
    if (decided.changed)
      await this.audit.record(
        admin,
        `${decided.kind}.${decision === 'approved' ? 'approve' : 'reject'}`,
        'approval',
        approvalId,
        {
          targetId: decided.targetId,
          amount: decided.amount,
          makerId: decided.makerId,
        },
      );
    if (decision === 'rejected' || decided.status === 'failed') return { approval: decided };
    const execute = this.#executors.get(decided.kind);
    if (!execute) throw new Error(`no executor for approvals of kind ${decided.kind}`);
    let operation: unknown;
    try {
      operation = await execute(decided);
    } catch (error) {
      const refusal = definiteRefusal(error);
      // Anything else (the core unavailable, a lost answer) leaves it approving for a retry.
      if (refusal === undefined || decided.status !== 'approving') throw error;
      await this.core.settleApproval(approvalId, admin.adminId, refusal);
      await this.audit.record(admin, `${decided.kind}.fail`, 'approval', approvalId, {
        targetId: decided.targetId,
        amount: decided.amount,
        code: refusal,
      });
      throw error;
    }
    const approval =
      decided.status === 'approving'
        ? await this.core.settleApproval(approvalId, admin.adminId, null)
        : decided;
    return { approval, operation };
  }

  /** Approvals newest first, with the maker's and checker's usernames for people to read. */
  async list(status: Approval['status'] | undefined) {
    const [page, admins] = await Promise.all([
      this.core.approvals({ limit: 100, ...(status ? { status } : {}) }),
      this.core.admins(),
    ]);
    const nameOf = new Map(admins.items.map((a) => [a.id, a.username]));
    return {
      items: page.items.map((a) => ({
        ...a,
        makerName: nameOf.get(a.makerId) ?? null,
        checkerName: a.checkerId === null ? null : (nameOf.get(a.checkerId) ?? null),
      })),
    };
  }
}
