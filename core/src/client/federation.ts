import type { BlacklistChanges, BlacklistSnapshot } from '../contract/devices.ts';
import type {
  Centre,
  CentreKey,
  DecideResolution,
  ForeignPaymentRequest,
  Forward,
  LinkCheck,
  NewCentre,
  ProposeResolution,
  RevokeCentreKey,
  RotateCentreKey,
  RotateLinkSecret,
  Settlement,
  TrustedKeys,
} from '../contract/federation.ts';
import type { Answer } from '../contract/ledger.ts';
import { DomainClient } from './transport.ts';

/** Federation between card centres (docs/federation.md): the trust list and foreign cards' payments. */
export class FederationClient extends DomainClient {
  centres(): Promise<{ items: Centre[] }> {
    return this.transport.call('GET', '/v1/federation/centres');
  }
  addCentre(input: NewCentre): Promise<Centre> {
    return this.transport.call('POST', '/v1/federation/centres', input);
  }
  /** Suspends a centre (its link, keys and cards refused here) or makes it active again. */
  setCentreStatus(centreId: string, status: 'active' | 'suspended', adminId: string): Promise<Centre> {
    return this.transport.call('POST', `/v1/federation/centres/${encodeURIComponent(centreId)}/status`, {
      status,
      adminId,
    });
  }
  rotateCentreKey(centreId: string, input: RotateCentreKey): Promise<Centre> {
    return this.transport.call('POST', `/v1/federation/centres/${encodeURIComponent(centreId)}/keys`, input);
  }
  /** A new link secret with an overlap: it signs from signFromMs, the old one is accepted until retireOldAtMs. */
  rotateLinkSecret(centreId: string, input: RotateLinkSecret): Promise<Centre> {
    return this.transport.call(
      'POST',
      `/v1/federation/centres/${encodeURIComponent(centreId)}/link-secret`,
      input,
    );
  }
  /** Ends the overlap now: the old link secret is refused from here on. */
  retireLinkSecret(centreId: string, adminId: string): Promise<Centre> {
    return this.transport.call(
      'POST',
      `/v1/federation/centres/${encodeURIComponent(centreId)}/link-secret/retire`,
      { adminId },
    );
  }
  revokeCentreKey(kid: number, input: RevokeCentreKey): Promise<CentreKey> {
    return this.transport.call('POST', `/v1/federation/keys/${kid}/revoke`, input);
  }
  /** The other centres' campus keys a gateway trusts besides its own. */
  trustedKeys(): Promise<TrustedKeys> {
    return this.transport.call('GET', '/v1/federation/keys');
  }
  /** For the gateway: a trusted centre's whole blacklist (its versions), asked of it over the link. */
  centreBlacklist(centreId: string): Promise<BlacklistSnapshot> {
    return this.transport.call('GET', `/v1/federation/centres/${encodeURIComponent(centreId)}/blacklist`);
  }
  /** For the gateway: a trusted centre's blacklist changes above `since`. */
  centreBlacklistChanges(centreId: string, since: number, limit?: number): Promise<BlacklistChanges> {
    return this.transport.call(
      'GET',
      `/v1/federation/centres/${encodeURIComponent(centreId)}/blacklist/changes?since=${since}${limit === undefined ? '' : `&limit=${limit}`}`,
    );
  }
  /** A card of another centre paying here, authorised at its centre; idempotent by id. */
  payForeign(request: ForeignPaymentRequest): Promise<Answer> {
    return this.transport.call('POST', '/v1/federation/payments', request);
  }
  /** Whether the link to a centre is up now, and its round trip (a signed ping over it). */
  checkCentreLink(centreId: string): Promise<LinkCheck> {
    return this.transport.call('POST', `/v1/federation/centres/${encodeURIComponent(centreId)}/link-check`);
  }
  /** The last link check of each centre checked by this core. */
  linkChecks(): Promise<{ items: LinkCheck[] }> {
    return this.transport.call('GET', '/v1/federation/link-checks');
  }
  /** Other centres' cards taken under their offline policies, by state (pending: not yet answered). */
  forwards(status: Forward['status'] = 'pending'): Promise<{ items: Forward[] }> {
    return this.transport.call('GET', `/v1/federation/forwards?status=${status}`);
  }
  /** Compares a day's files with the centre's (both directions) and keeps the differences as exceptions. */
  reconcileCentreDay(centreId: string, day: string): Promise<Settlement> {
    return this.transport.call('POST', `${settlementPath(centreId, day)}/reconcile`);
  }
  centreSettlement(centreId: string, day: string): Promise<Settlement> {
    return this.transport.call('GET', settlementPath(centreId, day));
  }
  /** A maker's resolution of one of the day's exceptions (accept their line, or write it off). */
  proposeResolution(centreId: string, day: string, input: ProposeResolution): Promise<Settlement> {
    return this.transport.call('POST', `${settlementPath(centreId, day)}/exceptions/propose`, input);
  }
  /** A second admin approves a proposed resolution (the exception settled) or rejects it (open again). */
  decideResolution(centreId: string, day: string, input: DecideResolution): Promise<Settlement> {
    return this.transport.call('POST', `${settlementPath(centreId, day)}/exceptions/decide`, input);
  }
  /** The day's net, paid between the centres, into the ledger; refused while the day has exceptions. */
  recordCentreNet(centreId: string, day: string, adminId: string): Promise<Settlement> {
    return this.transport.call('POST', `${settlementPath(centreId, day)}/net`, { adminId });
  }
}

const settlementPath = (centreId: string, day: string) =>
  `/v1/federation/centres/${encodeURIComponent(centreId)}/settlements/${encodeURIComponent(day)}`;
