import type {
  NewVisit,
  VisitorPolicyInput,
  VisitPassageInput,
  VisitPassageResult,
  VisitPassageView,
  VisitPassGrant,
  VisitView,
} from '../contract/visitors.ts';
import type { VisitorPolicy } from '../visitors/visit-repository.ts';
import { DomainClient, query } from './transport.ts';

/** Visitors (docs/visitors-meetings-bus.md): hosts' invitations, the visitor's link, gates, the security office. */
export class VisitorsClient extends DomainClient {
  /** Registers a visit; the same host and request id answer the first visit (created false). */
  registerVisit(
    input: Omit<NewVisit, 'idTail'> & { idTail: string },
  ): Promise<{ visit: VisitView; linkToken: string; created: boolean }> {
    return this.transport.call('POST', '/v1/visits', input);
  }
  hostVisits(hostCardNo: string): Promise<{ items: (VisitView & { linkToken: string })[] }> {
    return this.transport.call('GET', `/v1/visits${query({ hostCardNo })}`);
  }
  visit(id: string): Promise<VisitView> {
    return this.transport.call('GET', `/v1/visits/${encodeURIComponent(id)}`);
  }
  visitPassages(id: string): Promise<{ items: VisitPassageView[] }> {
    return this.transport.call('GET', `/v1/visits/${encodeURIComponent(id)}/passages`);
  }
  pendingVisits(): Promise<{ items: VisitView[] }> {
    return this.transport.call('GET', '/v1/visits/pending');
  }
  visitorsOnCampus(): Promise<{ items: VisitView[] }> {
    return this.transport.call('GET', '/v1/visits/on-campus');
  }
  decideVisit(id: string, decision: 'approve' | 'refuse', decidedBy: string): Promise<VisitView> {
    return this.transport.call('POST', `/v1/visits/${encodeURIComponent(id)}/decision`, {
      decision,
      decidedBy,
    });
  }
  cancelVisit(id: string, hostCardNo: string): Promise<VisitView> {
    return this.transport.call('POST', `/v1/visits/${encodeURIComponent(id)}/cancel`, { hostCardNo });
  }
  /** What a visitor's link shows (no account: the token is the right). */
  visitByLink(token: string): Promise<{ visit: VisitView }> {
    return this.transport.call('GET', `/v1/visit-links/${encodeURIComponent(token)}`);
  }
  /** An approved visit and the ID tail for the pass's digest; VISIT_NOT_APPROVED otherwise. */
  visitPassGrant(token: string): Promise<VisitPassGrant> {
    return this.transport.call('POST', `/v1/visit-links/${encodeURIComponent(token)}/pass-grant`);
  }
  recordVisitPassage(input: VisitPassageInput): Promise<VisitPassageResult> {
    return this.transport.call('POST', '/v1/visit-passages', input);
  }
  visitorPolicy(): Promise<VisitorPolicy> {
    return this.transport.call('GET', '/v1/visitor-policy');
  }
  setVisitorPolicy(policy: VisitorPolicyInput): Promise<VisitorPolicy> {
    return this.transport.call('PUT', '/v1/visitor-policy', policy);
  }
}
