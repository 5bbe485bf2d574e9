/**
 * Federated centres for tests (docs/federation.md): N complete centres on one machine, each its own core on
 * its own database (MariaDB or SQLite), its own campus issuing key (kid 2001, 2002, … as the centres agree,
 * outside the development kid 1) and PII key, every pair trusting each other with a link secret of its
 * own. Each centre is reached by the others through a link switch in front of its core: `pass` forwards,
 * `lose` lets the centre answer but cuts the caller off before the answer arrives (a timeout after it
 * applied the request), `down` refuses every connection (the centre unreachable).
 */

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type CampusSigningKey, campusSigningKeyFromSecret } from '../../core/src/credential/index.ts';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { startTestCore, type TestCore } from './core.ts';

export type LinkMode = 'pass' | 'lose' | 'down';

export interface LinkSwitch {
  url: string;
  mode: LinkMode;
  close(): Promise<void>;
}

export interface CentreSpec {
  id: string;
  name: string;
  dialect?: 'mysql' | 'sqlite';
  /** The core's further settings (FEDERATION_OFFLINE_PAYMENT_MAX_FEN …). */
  env?: Record<string, string>;
  /**
   * A core already started as this centre (CENTRE_ID set), e.g. the core of a world with a BFF: it is
   * federated as it is, and left for its starter to stop.
   */
  core?: TestCore;
  /** What the others reach it through, instead of a switch (an https front, say). */
  front?: (coreUrl: string) => Promise<LinkSwitch>;
}

export interface FederatedCentre extends TestCore {
  id: string;
  name: string;
  kid: number;
  /** Its campus issuing key: its cards' phones are signed with it. */
  campusKey: CampusSigningKey;
  /** CAMPUS_KEYS of its own gateways: its own key. */
  campusKeysEnv: string;
  /** Its PII_KEY (which seals its link secrets), for a second core on its database; '' for an adopted core. */
  piiKey: string;
  /** What every other centre calls it through. */
  link: LinkSwitch;
}

export interface Federation {
  centres: FederatedCentre[];
  get(id: string): FederatedCentre;
  /** ledger:check of every centre: the breaks, by centre (none when all balance). */
  ledgerBreaks(): Promise<Record<string, unknown[]>>;
  stop(): Promise<void>;
}

export const centreKidBase = 2001;
export const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Starts the centres and puts every one on every other's trust list (link through its switch, its key). */
export async function startFederation(
  specs: readonly CentreSpec[],
  /** switches: false links the cores directly (a benchmark must not measure the switch's extra hop). */
  options: { switches?: boolean } = {},
): Promise<Federation> {
  const centres: FederatedCentre[] = [];
  try {
    for (const [index, spec] of specs.entries()) {
      const kid = centreKidBase + index;
      const campusKey = campusSigningKeyFromSecret(kid, new Uint8Array(randomBytes(32)));
      const piiKey = randomBytes(32).toString('hex');
      const core =
        spec.core ??
        (await startTestCore(spec.dialect ?? 'mysql', {
          CENTRE_ID: spec.id,
          CENTRE_NAME: spec.name,
          PII_KEY: piiKey,
          // The job would forward and read policies on its own clock; tests drive both by hand.
          FEDERATION_FORWARD_INTERVAL_MS: '600000',
          ...spec.env,
        }));
      const link =
        spec.front !== undefined
          ? await spec.front(core.core.url)
          : options.switches === false
            ? directLink(core.core.url)
            : await linkSwitch(core.core.url);
      const adopted = spec.core !== undefined;
      centres.push({
        ...core,
        id: spec.id,
        name: spec.name,
        kid,
        campusKey,
        campusKeysEnv: `${kid}:${hexOf(campusKey.publicKey)}`,
        piiKey: adopted ? '' : piiKey,
        link,
        async stop() {
          if (!adopted) await core.stop();
          await link.close();
        },
      });
    }
    for (const [i, one] of centres.entries()) {
      for (const [j, other] of centres.entries()) {
        if (i >= j) continue;
        // One secret per pair, both sides.
        const linkSecret = randomBytes(24).toString('base64url');
        for (const [here, there] of [
          [one, other],
          [other, one],
        ] as const) {
          await here.client.addCentre({
            id: there.id,
            name: there.name,
            linkUrl: there.link.url,
            linkSecret,
            keys: [{ kid: there.kid, publicKeyHex: hexOf(there.campusKey.publicKey), validFromMs: 0 }],
            adminId: `admin-${here.id.toLowerCase()}`,
          });
        }
      }
    }
  } catch (error) {
    await Promise.all(centres.map((c) => c.stop().catch(() => {})));
    throw error;
  }
  return {
    centres,
    get(id) {
      const centre = centres.find((c) => c.id === id);
      if (centre === undefined) throw new Error(`no centre ${id}`);
      return centre;
    },
    async ledgerBreaks() {
      const breaks: Record<string, unknown[]> = {};
      for (const c of centres) breaks[c.id] = (await checkLedger(c.core.db)).breaks;
      return breaks;
    },
    async stop() {
      for (const c of [...centres].reverse()) await c.stop();
    },
  };
}

/** A link straight to a URL (a core, or a front in front of it): always `pass`. */
export function directLink(url: string, close: () => Promise<void> = async () => {}): LinkSwitch {
  return {
    url,
    get mode(): LinkMode {
      return 'pass';
    },
    set mode(_next: LinkMode) {
      throw new Error('a direct link has no switch');
    },
    close,
  };
}

/** A switch in front of a core (see the file's head). */
export async function linkSwitch(target: string): Promise<LinkSwitch> {
  let mode: LinkMode = 'pass';
  const server: Server = createServer(async (req, res) => {
    if (mode === 'down') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && (name.startsWith('x-') || name === 'content-type'))
        headers[name] = value;
    try {
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = await answer.text();
      if (mode === 'lose') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    get mode() {
      return mode;
    },
    set mode(next: LinkMode) {
      mode = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
