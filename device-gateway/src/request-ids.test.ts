// Issue #20: the gateway carries each frame's request id to the core explicitly (handlers/context.ts
// depsFor, client/transport.ts withCall) instead of through AsyncLocalStorage, whose promise hooks
// cost every promise of the process. The id must still reach the core on every call a handler makes, also
// after the handler has awaited something, and a batch of payments carries the first one's id.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreClient } from '@campus-card/core/client';
import { currentRequestId } from '@campus-card/core/http';
import { depsFor, type HandlerDeps, type RequestContext } from './handlers/context.ts';

describe('request ids from the gateway to the core', () => {
  const seen: { path: string; requestId: string | undefined }[] = [];
  let server: Server;
  let core: CoreClient;
  before(async () => {
    server = createServer((request, response) => {
      seen.push({
        path: request.url ?? '',
        requestId: request.headers['x-request-id'] as string | undefined,
      });
      request.resume();
      request.on('end', () => {
        if (request.url === '/v1/operations/batch') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ answers: [{ status: 'ok' }, { status: 'ok' }] }));
          return;
        }
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: 'CARD_NOT_FOUND', message: 'no such card' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    core = new CoreClient({ url: `http://127.0.0.1:${port}`, keyId: 'test', secret: 'test-secret' });
  });
  after(async () => {
    await core.close();
    server.close();
  });

  const contextOf = (sequence: number) =>
    ({ requestId: `gw-1001-${sequence}`, deviceId: 1001, sequence }) as unknown as RequestContext;

  test('when a handler calls the core after awaiting, then the call carries its frame id and no AsyncLocalStorage id is set', async () => {
    const deps = depsFor({ core } as HandlerDeps, contextOf(7));
    await sleep(1);
    assert.equal(currentRequestId(), undefined);
    await assert.rejects(deps.core.getCard('20000001'), { code: 'CARD_NOT_FOUND' });
    assert.deepEqual(seen.at(-1), { path: '/v1/cards/20000001', requestId: 'gw-1001-7' });
    // The plain client, outside any frame, sends none.
    await assert.rejects(core.getCard('20000002'), { code: 'CARD_NOT_FOUND' });
    assert.deepEqual(seen.at(-1), { path: '/v1/cards/20000002', requestId: undefined });
  });

  test('when two frames pay in the same tick, then one batch request carries the first frame id', async () => {
    const before = seen.length;
    const payment = (id: string) => ({
      id,
      cardNo: '20000001',
      merchantId: 'M1',
      deviceId: '1001',
      amount: 1,
      cardVersion: 1,
    });
    await Promise.all([
      depsFor({ core } as HandlerDeps, contextOf(8)).core.pay(payment('dev:1001:8')),
      depsFor({ core } as HandlerDeps, contextOf(9)).core.pay(payment('dev:1001:9')),
    ]);
    assert.deepEqual(seen.slice(before), [{ path: '/v1/operations/batch', requestId: 'gw-1001-8' }]);
  });
});
