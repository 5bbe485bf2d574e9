import type {
  AdminAccount,
  AdminChange,
  Approval,
  NewAdminInput,
  PendingHold,
  PersonHit,
  Proposal,
} from '../contract/admin.ts';
import { DomainClient, query } from './transport.ts';

/** Backoffice accounts, sign-in checks, approvals (maker–checker) and lookups. */
export class AdminClient extends DomainClient {
  // Backoffice (the BFF's admin API): accounts, login checks, the audit chain, approvals, lookups.
  createAdmin(input: NewAdminInput): Promise<AdminAccount & { totpSecret?: string; totpUri?: string }> {
    return this.transport.call('POST', '/v1/admin/accounts', input);
  }
  admins(): Promise<{ items: AdminAccount[] }> {
    return this.transport.call('GET', '/v1/admin/accounts');
  }
  admin(id: string): Promise<AdminAccount> {
    return this.transport.call('GET', `/v1/admin/accounts/${encodeURIComponent(id)}`);
  }
  unlockAdmin(id: string): Promise<AdminAccount> {
    return this.transport.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/unlock`, {});
  }
  /** Disable or enable, move role or department, set a password, or turn the second factor off. */
  changeAdmin(id: string, change: AdminChange): Promise<AdminAccount> {
    return this.transport.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/changes`, change);
  }
  /** A new second factor for an account without one, answered once; live after confirmAdminTotp. */
  enrolAdminTotp(id: string): Promise<{ totpSecret: string; totpUri: string }> {
    return this.transport.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/totp-enrolment`, {});
  }
  confirmAdminTotp(id: string, code: string): Promise<AdminAccount> {
    return this.transport.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/totp-confirmation`, {
      code,
    });
  }
  /** The password step: the account, or ADMIN_LOGIN_FAILED / ADMIN_LOCKED_OUT. */
  checkAdminPassword(username: string, password: string): Promise<AdminAccount> {
    return this.transport.call('POST', '/v1/admin/login', { username, password });
  }
  checkAdminTotp(id: string, code: string): Promise<AdminAccount> {
    return this.transport.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/totp-check`, { code });
  }
  /** Proposes an action for a second admin's approval; the same key proposes once. */
  proposeApproval(input: Proposal): Promise<Approval> {
    return this.transport.call('POST', '/v1/admin/approvals', input);
  }
  approvals(q: { status?: Approval['status']; limit?: number } = {}): Promise<{ items: Approval[] }> {
    return this.transport.call('GET', `/v1/admin/approvals${query(q)}`);
  }
  approval(id: string): Promise<Approval> {
    return this.transport.call('GET', `/v1/admin/approvals/${encodeURIComponent(id)}`);
  }
  decideApproval(
    id: string,
    checkerId: string,
    decision: 'approved' | 'rejected',
  ): Promise<Approval & { changed: boolean }> {
    return this.transport.call('POST', `/v1/admin/approvals/${encodeURIComponent(id)}/decision`, {
      checkerId,
      decision,
    });
  }
  /** How an approving approval's action went: null when carried out, else the refusal's code. */
  settleApproval(id: string, checkerId: string, failure: string | null): Promise<Approval> {
    return this.transport.call('POST', `/v1/admin/approvals/${encodeURIComponent(id)}/outcome`, {
      checkerId,
      failure,
    });
  }
  searchPeople(q: { q: string; department?: string; limit?: number }): Promise<{ items: PersonHit[] }> {
    return this.transport.call('GET', `/v1/admin/people${query(q)}`);
  }
  pendingHolds(cardNo: string): Promise<{ items: PendingHold[] }> {
    return this.transport.call('GET', `/v1/admin/cards/${cardNo}/holds`);
  }
  walletAccounts(cardNo: string): Promise<{ main: string; subsidy: string }> {
    return this.transport.call('GET', `/v1/admin/cards/${cardNo}/accounts`);
  }
}
