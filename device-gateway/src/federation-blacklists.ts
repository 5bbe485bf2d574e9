// The other card centres' blacklists at this gateway (docs/federation.md § Blacklists, protocol § 7.29).
// A centre whose cards we take serves its own list over the federation link; our core relays it, and this
// gateway keeps one copy per centre at that centre's versions, polled every
// FEDERATION_BLACKLIST_POLL_INTERVAL_MS (1 s by default), so a card lost at its centre reaches our devices
// within about a second, as its own centre's devices get it. Each batch of changes goes at once to every
// signed-in device as CENTRE_BLACKLIST_DELTA; CENTRE_KEYS tells devices which centres there are, the keys
// their cards are signed with and the version of each list here. The same lists refuse those cards online.

import type { CoreClient } from '@campus-card/core/client';
import type { Logger } from '@campus-card/core/log';
import { GatewayBlacklist } from './blacklist.ts';
import type { FederationKeys } from './federation-keys.ts';
import {
  type BlacklistEntry,
  blacklistRefuses,
  type CentreBlacklistChunk,
  type CentreBlacklistDelta,
  type CentreBlacklistRequest,
  type CentreKeys,
  type CentreOfflinePolicy,
  campusKeysMax,
  centresMax,
  type Message,
} from './protocol/index.ts';

type Source = Pick<CoreClient, 'centreBlacklist' | 'centreBlacklistChanges'>;

interface CentreList {
  readonly list: GatewayBlacklist;
  loaded: boolean;
}

export class FederationBlacklists {
  private readonly lists = new Map<string, CentreList>();
  /** The centres and keys devices were last told, to push CENTRE_KEYS again only when they change. */
  private told = '';
  private poll: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly core: Source,
    private readonly keys: Pick<FederationKeys, 'centres' | 'policyOf'>,
    /** Sends a push to every signed-in device. */
    private readonly pushAll: (message: Message) => void,
    private readonly log: Logger,
  ) {}

  /** The card's entry on its centre's list, if it is on it. */
  entry(centreId: string, cardNo: string): BlacklistEntry | undefined {
    return this.lists.get(centreId)?.list.entry(cardNo);
  }

  /** Whether a code of this card and version, issued by that centre, is refused by its centre's list. */
  refuses(centreId: string, cardNo: string, cardVersion: number): boolean {
    return blacklistRefuses(this.entry(centreId, cardNo), cardVersion);
  }

  /** CENTRE_KEYS as of now: every other centre (at most 8), its keys (at most 4) and its list's version. */
  centreKeys(): CentreKeys {
    const centres = [...this.keys.centres()].slice(0, centresMax).map(([centreId, keys]) => ({
      centreId,
      blacklistVersion: this.lists.get(centreId)?.list.version ?? 0,
      keys: keys.slice(-campusKeysMax),
    }));
    return { kind: 'centre_keys', centres };
  }

  /**
   * CENTRE_OFFLINE_POLICY as of now: each other centre's offline policy for its cards here (docs/federation.md
   * § A unreachable), in CENTRE_KEYS's order; sent with it.
   */
  centreOfflinePolicy(): CentreOfflinePolicy {
    const centres = [...this.keys.centres().keys()].slice(0, centresMax).map((centreId) => {
      const policy = this.keys.policyOf(centreId);
      return { centreId, paymentMaxFen: policy.paymentMaxFen, cardDailyMaxFen: policy.cardCapFen };
    });
    return { kind: 'centre_offline_policy', centres };
  }

  /** Whether there is any other centre (a device of a centre that federates with none is sent nothing new). */
  get any(): boolean {
    return this.keys.centres().size > 0;
  }

  /** The answer to CENTRE_BLACKLIST_REQUEST: as BLACKLIST_REQUEST's, from that centre's list. */
  answer(request: CentreBlacklistRequest): CentreBlacklistChunk | CentreBlacklistDelta {
    const list = this.lists.get(request.centreId)?.list;
    if (list === undefined) {
      // A centre we no longer take (or do not know yet): its list is empty here.
      return {
        kind: 'centre_blacklist_chunk',
        centreId: request.centreId,
        version: 1,
        chunkIndex: 0,
        chunkCount: 1,
        entries: [],
      };
    }
    const answer = list.answer({ ...request, kind: 'blacklist_request' });
    if (answer.kind === 'blacklist_delta') {
      const { kind: _, ...delta } = answer;
      return { ...delta, kind: 'centre_blacklist_delta', centreId: request.centreId };
    }
    const { kind: _, ...chunk } = answer;
    return { ...chunk, kind: 'centre_blacklist_chunk', centreId: request.centreId };
  }

  start(intervalMs: number): void {
    this.poll = setInterval(() => {
      this.sync().catch((error: unknown) =>
        this.log.warn({ err: error }, 'federation blacklists not synced'),
      );
    }, intervalMs);
    this.poll.unref();
  }

  stop(): void {
    clearInterval(this.poll);
  }

  /** Follows the trust list's centres, catches every list up, and tells devices of a changed set of centres or keys. */
  sync(): Promise<void> {
    this.syncing ??= this.run().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async run(): Promise<void> {
    const centres = this.keys.centres();
    for (const id of [...this.lists.keys()]) if (!centres.has(id)) this.lists.delete(id);
    for (const id of centres.keys()) {
      if (this.lists.has(id)) continue;
      const list = new GatewayBlacklist(
        {
          blacklist: () => this.core.centreBlacklist(id),
          blacklistChanges: (since, limit) => this.core.centreBlacklistChanges(id, since, limit),
        },
        (delta) => this.pushAll({ ...delta, kind: 'centre_blacklist_delta', centreId: id }),
      );
      this.lists.set(id, { list, loaded: false });
    }
    // One centre that does not answer does not hold up the others; its list stays as it was.
    await Promise.all(
      [...this.lists].map(async ([id, entry]) => {
        try {
          if (entry.loaded) await entry.list.refresh();
          else {
            await entry.list.load();
            entry.loaded = true;
          }
        } catch (error) {
          this.log.warn({ err: error, centreId: id }, 'federation blacklist not refreshed');
        }
      }),
    );
    const message = this.centreKeys();
    const policy = this.centreOfflinePolicy();
    const told = JSON.stringify([
      message.centres.map((c) => [
        c.centreId,
        c.keys.map((k) => [k.kid, Buffer.from(k.publicKey).toString('hex'), k.retiredAtMs]),
        // A list loaded for the first time is news too: devices download it.
        this.lists.get(c.centreId)?.loaded === true,
      ]),
      policy.centres,
    ]);
    if (told !== this.told) {
      this.told = told;
      this.pushAll(message);
      this.pushAll(policy);
    }
  }
}
