// The campus keys of the other card centres this centre federates with (docs/federation.md), loaded from
// the core's trust list beside the gateway's own CAMPUS_KEYS and reloaded on a poll: a key added or rotated
// is trusted, and a revoked one refused, without a restart. A code signed under a foreign key names its
// centre, so its payment is authorised there.

import type { CoreClient } from '@campus-card/core/client';
import type { TrustedKeys } from '@campus-card/core/contract';
import type { CampusKeyring, CampusPublicKey } from '@campus-card/core/credential';
import type { Logger } from '@campus-card/core/log';

type ForeignKey = CampusPublicKey & { readonly centreId: string; readonly validFromMs: number };

export class FederationKeys {
  private foreign = new Map<number, ForeignKey>();
  private policies = new Map<string, { paymentMaxFen: number; cardCapFen: number }>();
  private readonly own: ReadonlyMap<number, CampusPublicKey>;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly core: Pick<CoreClient, 'trustedKeys'>,
    ownKeys: readonly { readonly kid: number; readonly publicKey: Uint8Array }[],
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.own = new Map(ownKeys.map((k) => [k.kid, { kid: k.kid, publicKey: k.publicKey }]));
  }

  /** Own keys first; a foreign key only from its valid-from, and retired (still good for what it signed before) at its valid-to. */
  readonly keyring: CampusKeyring = {
    get: (kid) => {
      const own = this.own.get(kid);
      if (own !== undefined) return own;
      const key = this.foreign.get(kid);
      return key !== undefined && this.now() >= key.validFromMs ? key : undefined;
    },
  };

  /** The centre that issued the card a key signed for, when it is not this one. */
  centreOf(kid: number): string | undefined {
    return this.own.has(kid) ? undefined : this.foreign.get(kid)?.centreId;
  }

  /**
   * The other centres and the keys a device verifies their cards with offline (protocol § 7.29): those in
   * force now, retired ones with the time they retired. Ordered by centre and kid, so equal sets compare equal.
   */
  centres(): Map<string, { kid: number; publicKey: Uint8Array; retiredAtMs: number }[]> {
    const now = this.now();
    const byCentre = new Map<string, { kid: number; publicKey: Uint8Array; retiredAtMs: number }[]>();
    const keys = [...this.foreign.values()].sort(
      (x, y) => x.centreId.localeCompare(y.centreId) || x.kid - y.kid,
    );
    for (const k of keys) {
      if (now < k.validFromMs) continue;
      const list = byCentre.get(k.centreId) ?? [];
      list.push({ kid: k.kid, publicKey: k.publicKey, retiredAtMs: k.retiredAtMs ?? 0 });
      byCentre.set(k.centreId, list);
    }
    return byCentre;
  }

  /** Each other centre's offline policy for its cards at our devices (0, 0 when none was read). */
  policyOf(centreId: string): { paymentMaxFen: number; cardCapFen: number } {
    return this.policies.get(centreId) ?? { paymentMaxFen: 0, cardCapFen: 0 };
  }

  async load(): Promise<void> {
    this.replace(await this.core.trustedKeys());
  }

  start(intervalMs: number): void {
    this.poll = setInterval(() => {
      this.load().catch((error: unknown) => this.log.warn({ err: error }, 'federation keys not reloaded'));
    }, intervalMs);
    this.poll.unref();
  }

  stop(): void {
    clearInterval(this.poll);
  }

  private replace(trusted: TrustedKeys): void {
    const next = new Map<number, ForeignKey>();
    for (const k of trusted.keys) {
      // A kid of our own wins: the centres agree on disjoint kids, and a clash is a configuration mistake.
      if (this.own.has(k.kid) || !/^[0-9a-f]{64}$/.test(k.publicKeyHex)) {
        this.log.warn({ kid: k.kid, centreId: k.centreId }, 'federation key skipped');
        continue;
      }
      next.set(k.kid, {
        kid: k.kid,
        publicKey: new Uint8Array(Buffer.from(k.publicKeyHex, 'hex')),
        ...(k.validToMs === null ? {} : { retiredAtMs: k.validToMs }),
        centreId: k.centreId,
        validFromMs: k.validFromMs,
      });
    }
    this.foreign = next;
    // An older core sends no policies: every other centre's cards then stay online only at the devices.
    this.policies = new Map(
      (trusted.policies ?? []).map((p) => [
        p.centreId,
        { paymentMaxFen: p.paymentMaxFen, cardCapFen: p.cardCapFen },
      ]),
    );
  }
}
