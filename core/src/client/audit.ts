import type { AuditEntry, AuditEntryInput, AuditQuery, AuditVerifyReport } from '../contract/audit.ts';
import { DomainClient, query } from './transport.ts';

/** The backoffice's hash-chained audit log. */
export class AuditClient extends DomainClient {
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry> {
    return this.transport.call('POST', '/v1/admin/audit', entry);
  }
  searchAudit(
    q: Partial<AuditQuery> = {},
  ): Promise<{ items: AuditEntry[]; next: { beforeSeq: number } | null }> {
    return this.transport.call('GET', `/v1/admin/audit${query(q)}`);
  }
  verifyAudit(): Promise<AuditVerifyReport> {
    return this.transport.call('GET', '/v1/admin/audit/verify');
  }
}
