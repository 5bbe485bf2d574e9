// The federation link over TLS (docs/federation.md § The link): the PIN travels on it, so between real
// centres it is https, and a centre can pin the CA (or the one certificate) its peers must present. A test
// CA and a server certificate for 127.0.0.1 are made with the openssl command line for this run; A's core
// is reached through an https server holding that certificate. B's core with the CA pinned pays with A's
// card over it; a B core pinning another CA refuses to talk to it (no answer, nothing debited at A); and a
// production link never calls a plain-http URL.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreError } from '../../core/src/errors.ts';
import { FederationLinks } from '../../core/src/federation/federation-links.ts';
import { directLink, type FederatedCentre, type Federation, startFederation } from '../kit/federation.ts';
import { openStudent, opId, startTestCore } from '../kit/index.ts';

/** A CA and a certificate it signed for 127.0.0.1, as PEM. */
function testCa(dir: string, name: string): { ca: string; key: string; cert: string } {
  const at = (file: string) => join(dir, `${name}-${file}`);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('ext.cnf'),
    '-out',
    at('server.pem'),
  );
  return {
    ca: readFileSync(at('ca.pem'), 'utf8'),
    key: readFileSync(at('server.key'), 'utf8'),
    cert: readFileSync(at('server.pem'), 'utf8'),
  };
}

/** An https server in front of a core's plain listener, as a centre's TLS terminator would be. */
async function tlsFront(
  target: string,
  tls: { key: string; cert: string },
): Promise<{ url: string; server: Server }> {
  const server = createServer(tls, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && (name.startsWith('x-') || name === 'content-type'))
        headers[name] = value;
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

describe('federation: the link over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fed-tls-'));
  const good = testCa(dir, 'a');
  const other = testCa(dir, 'other');
  let federation: Federation;
  let a: FederatedCentre;
  let b: FederatedCentre;
  let merchantB: string;

  before(async () => {
    // A is reached through an https front holding a certificate of the test CA; B pins that CA.
    federation = await startFederation([
      {
        id: 'CA',
        name: '甲大学',
        front: async (coreUrl) => {
          const front = await tlsFront(coreUrl, good);
          return directLink(front.url, async () => {
            front.server.close();
          });
        },
      },
      { id: 'CB', name: '乙大学', env: { FEDERATION_LINK_CA: good.ca } },
    ]);
    a = federation.get('CA');
    b = federation.get('CB');
    merchantB = (await b.client.createMerchant({ name: '乙大学一食堂', category: 'canteen' })).id;
  });

  after(async () => {
    await federation?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("when B pins A's CA and A's link is https, then A's card pays at B over it", async () => {
    const cardNo = await openStudent(a.client);
    await a.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
    const answer = await b.client.payForeign({
      id: opId('dev'),
      centreId: 'CA',
      cardNo,
      merchantId: merchantB,
      amount: 250,
    });
    assert.equal(answer.status, 'ok');
    assert.equal((await a.client.getCard(cardNo)).balance.main, 750);
  });

  test("when a B core pins another CA, then it does not talk to A's server: unavailable, nothing debited at A", async () => {
    const pinnedElsewhere = await startTestCore('mysql', {
      CENTRE_ID: 'CB',
      DATABASE_URL: b.databaseUrl,
      PII_KEY: b.piiKey,
      FEDERATION_LINK_CA: other.ca,
    });
    try {
      const cardNo = await openStudent(a.client);
      await a.client.topUp({ id: opId(), cardNo, amount: 1_000, channel: 'cash' });
      await assert.rejects(
        pinnedElsewhere.client.payForeign({
          id: opId('dev'),
          centreId: 'CA',
          cardNo,
          merchantId: merchantB,
          amount: 250,
        }),
        (error: unknown) => error instanceof CoreError && error.code === 'FEDERATION_UNAVAILABLE',
      );
      assert.equal((await a.client.getCard(cardNo)).balance.main, 1_000);
    } finally {
      await pinnedElsewhere.stop();
    }
  });

  test('when the link must be TLS (production), then a plain-http URL is never called', async () => {
    const links = new FederationLinks({ ownCentreId: 'CB', timeoutMs: 1_000, tlsRequired: true });
    try {
      await assert.rejects(
        links.call(
          { id: 'CA', linkUrl: a.core.url, linkSecret: 'x'.repeat(32) },
          'GET',
          '/federation/v1/blacklist',
        ),
        (error: unknown) => error instanceof CoreError && error.code === 'FEDERATION_UNAVAILABLE',
      );
    } finally {
      await links.close();
    }
  });
});
