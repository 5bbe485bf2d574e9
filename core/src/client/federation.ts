import type {
  Centre,
  CentreKey,
  ForeignPaymentRequest,
  NewCentre,
  RevokeCentreKey,
  RotateCentreKey,
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
  rotateCentreKey(centreId: string, input: RotateCentreKey): Promise<Centre> {
    return this.transport.call('POST', `/v1/federation/centres/${encodeURIComponent(centreId)}/keys`, input);
  }
  revokeCentreKey(kid: number, input: RevokeCentreKey): Promise<CentreKey> {
    return this.transport.call('POST', `/v1/federation/keys/${kid}/revoke`, input);
  }
  /** The other centres' campus keys a gateway trusts besides its own. */
  trustedKeys(): Promise<TrustedKeys> {
    return this.transport.call('GET', '/v1/federation/keys');
  }
  /** A card of another centre paying here, authorised at its centre; idempotent by id. */
  payForeign(request: ForeignPaymentRequest): Promise<Answer> {
    return this.transport.call('POST', '/v1/federation/payments', request);
  }
}
