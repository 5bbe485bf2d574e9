// Goal: the admin API checks the session before it reads a body, so a caller without one cannot make
// the BFF hold a subsidy file's 6 MB (or any body): the refusal comes while the body is still being
// sent, and the connection is closed instead of read to its end.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { adminToken, openCard, requestId } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

/**
 * Sends the headers of a body of bytesTotal and only its first 64 KiB, and answers the status that
 * came back while the rest was never sent (undefined when none came within waitMs).
 */
function statusBeforeBody(
  url: string,
  path: string,
  bytesTotal: number,
  headers: Record<string, string> = {},
  waitMs = 3000,
): Promise<{ status: number | undefined; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(bytesTotal), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: undefined, connection: undefined });
    }, waitMs);
    req.on('response', (response) => {
      clearTimeout(timer);
      response.resume();
      resolve({ status: response.statusCode, connection: response.headers.connection });
      req.destroy();
    });
    req.on('error', (error) => {
      // The server closing its side after answering may surface here first; the answer decides.
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.write(Buffer.alloc(64 * 1024, 0x20));
  });
}

describe('admin API: the session before the body', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
    await world.core.client.createAdmin({
      username: 'finance',
      displayName: '财务',
      role: 'finance',
      password: 'finance-password-2026',
    });
  });
  after(() => world.stop());

  test('#12.13 when a 6 MB subsidy file is sent without a session, then 401 comes back before the body is sent, and the connection is closed', async () => {
    const refused = await statusBeforeBody(
      world.bff.url,
      '/api/admin/v1/subsidy-batches',
      6 * 1024 * 1024 - 1,
    );
    assert.equal(refused.status, 401);
    assert.equal(refused.connection, 'close');
    const revoked = await statusBeforeBody(
      world.bff.url,
      '/api/admin/v1/subsidy-batches/preview',
      6_000_000,
      {
        authorization: `Bearer ${'x'.repeat(43)}`,
      },
    );
    assert.equal(revoked.status, 401);
  });

  test('#12.13 when 40 unsigned 6 MB uploads are held open at once, then every one is refused at once and the BFF does not grow by their bodies', async () => {
    const before = process.memoryUsage().rss;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        statusBeforeBody(
          world.bff.url,
          i % 2 === 0 ? '/api/admin/v1/subsidy-batches' : '/api/admin/v1/adjustments',
          6 * 1024 * 1024 - 1,
        ),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(40).fill(401),
    );
    // 40 × 6 MB would be 240 MB buffered; what is held is the first 64 KiB each at most.
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024);
  });

  test('#12.13 when a signed-in admin sends a body, then it is still read and checked as before', async () => {
    const token = await adminToken(world, 'finance', 'finance-password-2026');
    const cardNo = await openCard(world, '计算机学院');
    const reply = await world.request<{ status: string }>('POST', '/api/admin/v1/subsidy-batches/preview', {
      token,
      body: { source: { csv: `学号,金额\nnobody-${requestId()},1.00\n` } },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const tooBig = await world.request<{ code: string }>('POST', '/api/admin/v1/adjustments', {
      token,
      body: { requestId: requestId(), cardNo, wallet: 'main', amount: 1, reason: 'x'.repeat(300_000) },
    });
    assert.equal(tooBig.body.code, 'PAYLOAD_TOO_LARGE');
  });
});
