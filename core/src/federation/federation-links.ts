import { Transport } from '../client/transport.ts';
import { CoreError } from '../errors.ts';

/** A trusted centre as the link needs it: where its core is and the secret both sides sign with. */
export interface LinkedCentre {
  id: string;
  linkUrl: string;
  linkSecret: string;
}

/**
 * Our side of the federation links: one signed transport per trusted centre (key id: our centre id),
 * made again when the centre's secret changes. The same signature as the core's service requests.
 */
export class FederationLinks {
  private readonly links = new Map<string, { secret: string; url: string; transport: Transport }>();

  constructor(
    private readonly options: {
      ownCentreId: string;
      timeoutMs: number;
      /** PEM the https peers' certificates must chain to (a pinned CA or certificate); else the system CAs. */
      ca?: string;
      /** Production: a plain-http link is never called (the PIN travels on it). */
      tlsRequired?: boolean;
    },
  ) {}

  async call<T>(centre: LinkedCentre, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return this.transport(centre).call<T>(method, path, body);
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.transport.close()));
  }

  private transport(centre: LinkedCentre): Transport {
    if (this.options.tlsRequired === true && !centre.linkUrl.startsWith('https:'))
      throw new CoreError('FEDERATION_UNAVAILABLE', `the link to ${centre.id} is not https`);
    const known = this.links.get(centre.id);
    if (known?.secret === centre.linkSecret && known.url === centre.linkUrl) return known.transport;
    known?.transport.close().catch(() => {});
    const transport = new Transport({
      url: centre.linkUrl,
      keyId: this.options.ownCentreId,
      secret: centre.linkSecret,
      connectionsMax: 32,
      requestTimeoutMs: this.options.timeoutMs,
      ...(this.options.ca === undefined ? {} : { ca: this.options.ca }),
    });
    this.links.set(centre.id, { secret: centre.linkSecret, url: centre.linkUrl, transport });
    return transport;
  }
}
