import type { LinkCheck } from '../contract/federation.ts';
import { CoreError } from '../errors.ts';
import type { FederationLinks } from './federation-links.ts';
import type { TrustList } from './trust-list.ts';

export const linkPingPath = '/federation/v1/ping';

/**
 * Is the link to a centre up now (docs/federation.md § Backoffice): a signed request over it, answered by
 * the other core with its id, and the round trip it took. The last check of each centre is kept (in this
 * core instance) for the page.
 */
export class LinkChecks {
  private readonly last = new Map<string, LinkCheck>();

  constructor(
    private readonly trust: TrustList,
    private readonly links: FederationLinks,
    private readonly ownCentreId: string,
  ) {}

  /** Our answer to a centre's ping. */
  answer(): { centreId: string; atMs: number } {
    return { centreId: this.ownCentreId, atMs: Date.now() };
  }

  async check(centreId: string): Promise<LinkCheck> {
    const centre = await this.trust.activeCentre(centreId);
    const startedMs = Date.now();
    let result: LinkCheck;
    try {
      const answer = await this.links.call<{ centreId?: unknown }>(centre, 'GET', linkPingPath);
      // An answer from another centre than the one the link names is no answer from it.
      result =
        answer.centreId === centreId
          ? { centreId, up: true, roundTripMs: Date.now() - startedMs, checkedAtMs: startedMs, code: null }
          : { centreId, up: false, roundTripMs: null, checkedAtMs: startedMs, code: 'WRONG_CENTRE' };
    } catch (error) {
      result = {
        centreId,
        up: false,
        roundTripMs: null,
        checkedAtMs: startedMs,
        code: error instanceof CoreError ? error.code : 'FEDERATION_UNAVAILABLE',
      };
    }
    this.last.set(centreId, result);
    return result;
  }

  /** The last check of every centre checked here. */
  list(): LinkCheck[] {
    return [...this.last.values()];
  }
}
