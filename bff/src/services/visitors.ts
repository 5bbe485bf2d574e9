import type { CoreClient } from '@campus-card/core/client';
import type { NewVisit, VisitView } from '@campus-card/core/contract';
import { type CampusSigningKey, issueVisitorPass, visitorPassToText } from '@campus-card/core/credential';
import type { BindingService } from './bindings.ts';

/**
 * Visitors on the mini-program side (docs/visitors-meetings-bus.md): a bound host invites, lists and
 * cancels; the visitor, with no account, opens the link and gets the pass signed here with the campus
 * issuing key that signs phone certificates. The ID tail passes through for the digest only.
 */
export class Visitors {
  constructor(
    private readonly core: CoreClient,
    private readonly bindings: BindingService,
    private readonly key: CampusSigningKey,
  ) {}

  async invite(openid: string, input: Omit<NewVisit, 'hostCardNo'>) {
    const binding = await this.bindings.require(openid);
    return this.core.registerVisit({ ...input, hostCardNo: binding.cardNo });
  }

  /** The places a host may offer, as the security office named them. */
  async places(openid: string): Promise<{ items: { id: string; name: string }[] }> {
    await this.bindings.require(openid);
    return { items: (await this.core.visitorPolicy()).offeredPlaces };
  }

  async mine(openid: string) {
    const binding = await this.bindings.require(openid);
    return this.core.hostVisits(binding.cardNo);
  }

  async cancel(openid: string, visitId: string): Promise<VisitView> {
    const binding = await this.bindings.require(openid);
    return this.core.cancelVisit(visitId, binding.cardNo);
  }

  /** What the link shows, and the pass text once the visit is approved (null before). */
  async pass(token: string): Promise<{ visit: VisitView; passText: string | null; serverTimeMs: number }> {
    const { visit } = await this.core.visitByLink(token);
    if (visit.status !== 'approved') return { visit, passText: null, serverTimeMs: Date.now() };
    const grant = await this.core.visitPassGrant(token);
    const bytes = issueVisitorPass(this.key, {
      passId: grant.visit.passId,
      validFromMs: grant.visit.validFromMs,
      validUntilMs: grant.visit.validUntilMs,
      idTail: grant.idTail,
      places: grant.visit.places,
    });
    return { visit: grant.visit, passText: visitorPassToText(bytes), serverTimeMs: Date.now() };
  }
}
