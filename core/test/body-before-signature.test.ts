// Goal: the core checks what a signed request carries in its headers (a known key id, a timestamp in
// the window, a nonce and a signature of the right shape) before it reads any body, so a caller
// without a service key cannot make it hold a subsidy import's megabytes: the refusal comes while
// the body is still being sent, and the connection is closed instead of read to its end.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCore, type TestCore, testServiceKey } from '@campus-card/tests/kit';
import { signedHeaders } from '../src/http/signature.ts';
import { statusBeforeBody } from './body-probe.ts';

const sixMb = 6 * 1024 * 1024;

describe('core: the signature headers before the body (sqlite)', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('sqlite');
  });
  after(() => t.stop());

  test('#12.13 class: when an unsigned, wrongly keyed or stale 6 MB subsidy import is sent to the core, then 401 comes back before the body is sent, and the connection is closed', async () => {
    const path = '/v1/subsidy-batches';
    const unsigned = await statusBeforeBody(t.core.url, path, sixMb);
    assert.deepEqual(unsigned, { status: 401, connection: 'close', code: 'UNAUTHENTICATED' });
    const body = 'x'.repeat(16);
    const foreign = await statusBeforeBody(
      t.core.url,
      path,
      sixMb,
      signedHeaders({ keyId: 'stranger', secret: 's'.repeat(40) }, 'POST', path, body),
    );
    assert.deepEqual(foreign, { status: 401, connection: 'close', code: 'UNAUTHENTICATED' });
    const stale = await statusBeforeBody(
      t.core.url,
      `${path}/preview`,
      sixMb,
      signedHeaders(testServiceKey, 'POST', `${path}/preview`, body, Date.now() - 120_000),
    );
    assert.deepEqual(stale, { status: 401, connection: 'close', code: 'REQUEST_STALE' });
    // A signed request still reaches its route.
    const preview = await t.client.previewSubsidyBatch({ csv: '学号,金额\nnobody,1.00\n' });
    assert.equal(preview.rowCount, 1);
  });

  test('#12.13 class: when 40 unsigned 6 MB bodies are held open at once, then every one is refused at once and the core does not grow by their bodies', async () => {
    const before = process.memoryUsage().rss;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        statusBeforeBody(
          t.core.url,
          i % 2 === 0 ? '/v1/subsidy-batches' : '/v1/subsidy-batches/preview',
          sixMb,
          i % 4 === 1 ? { 'x-cc-key-id': 'nobody', 'x-cc-timestamp': String(Date.now()) } : {},
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
});
