import {
  type BlacklistChanges,
  type BlacklistSnapshot,
  blacklistChanges,
  blacklistSnapshot,
  changesPerPageMax,
} from '../contract/devices.ts';
import type { BlacklistService } from '../devices/blacklist-service.ts';
import { CoreError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { FederationLinks } from './federation-links.ts';
import type { TrustList } from './trust-list.ts';

/** The paths of a centre's blacklist on its federation link: the whole list, and the changes above a version. */
export const linkBlacklistPath = '/federation/v1/blacklist';

/**
 * Cards of one centre lost, frozen or cancelled there reach the devices of the centres that take them
 * (docs/federation.md § Blacklists). The card's centre serves its own list over the link, as it serves its
 * gateways; the device's centre relays it to its gateways unchanged (the card centre's versions), and each
 * gateway pushes it to its devices as that centre's list (protocol § 7.29). Card numbers repeat across
 * centres, so another centre's list is never merged into ours.
 */
export class FederationBlacklists {
  constructor(
    private readonly own: BlacklistService,
    private readonly trust: TrustList,
    private readonly links: FederationLinks,
    private readonly log: Logger,
  ) {}

  /** At the card's centre, for a trusted centre: our list, as our gateways get it. */
  ownSnapshot(): Promise<BlacklistSnapshot> {
    return this.own.snapshot();
  }

  ownChanges(since: number, limit?: number): Promise<BlacklistChanges> {
    return this.own.changesSince(since, limit);
  }

  /** At the device's centre, for our gateways: a trusted centre's whole list, asked over the link. */
  async snapshotOf(centreId: string): Promise<BlacklistSnapshot> {
    const snapshot = blacklistSnapshot.parse(await this.ask(centreId, linkBlacklistPath));
    return checkedCardNos(centreId, snapshot, snapshot.entries);
  }

  /** A trusted centre's changes above `since`, asked over the link. */
  async changesOf(centreId: string, since: number, limit = changesPerPageMax): Promise<BlacklistChanges> {
    const changes = blacklistChanges.parse(
      await this.ask(centreId, `${linkBlacklistPath}/changes?since=${since}&limit=${limit}`),
    );
    return checkedCardNos(centreId, changes, changes.changes);
  }

  private async ask(centreId: string, path: string): Promise<unknown> {
    const centre = await this.trust.activeCentre(centreId);
    try {
      return await this.links.call<unknown>(centre, 'GET', path);
    } catch (error) {
      this.log.warn(
        { centreId, code: error instanceof CoreError ? error.code : undefined },
        'federation link did not answer a blacklist request',
      );
      throw new CoreError('FEDERATION_UNAVAILABLE', `centre ${centreId} did not answer`);
    }
  }
}

/**
 * Another centre's list goes to our devices as it is, so a card number a device cannot hold (protocol § 2:
 * 1–20 digits) refuses the whole answer: dropping one entry would let a lost card pay.
 */
function checkedCardNos<T>(centreId: string, answer: T, rows: readonly { cardNo: string }[]): T {
  if (rows.every((r) => /^[0-9]{1,20}$/.test(r.cardNo))) return answer;
  throw new CoreError('FEDERATION_UNAVAILABLE', `centre ${centreId} sent a card number a device cannot hold`);
}
