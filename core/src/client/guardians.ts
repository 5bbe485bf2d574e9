import type { GuardianLink, LinkPatch } from '../contract/guardians.ts';
import { DomainClient, query } from './transport.ts';

/** Parents' links to their children. */
export class GuardiansClient extends DomainClient {
  /** Links a parent's WeChat account to a child (the caller has checked the child's consent). */
  linkGuardian(input: {
    parentOpenid: string;
    personNo: string;
  }): Promise<GuardianLink & { created: boolean }> {
    return this.transport.call('POST', '/v1/guardian-links', input);
  }
  /** The links of a parent account, or of a child, oldest first. */
  guardianLinks(of: { parentOpenid: string } | { personNo: string }): Promise<{ items: GuardianLink[] }> {
    return this.transport.call('GET', `/v1/guardian-links${query(of)}`);
  }
  /** Changes what a parent sees (the child's choice) or the parent's low-balance alert. */
  updateGuardianLink(id: string, patch: LinkPatch): Promise<GuardianLink> {
    return this.transport.call('PATCH', `/v1/guardian-links/${encodeURIComponent(id)}`, patch);
  }
  unlinkGuardian(id: string): Promise<{ removed: boolean }> {
    return this.transport.call('DELETE', `/v1/guardian-links/${encodeURIComponent(id)}`);
  }
}
