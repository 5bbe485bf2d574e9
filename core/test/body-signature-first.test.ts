// Goal: a request naming a real service key id with a fresh timestamp but a forged signature gets no body
// byte read: the body's hash travels in its own header and the core checks the HMAC over it before the
// body. A request without that header (signed by hand) is read only up to 64 KiB before the signature
// check; past that it is 413 before buffering. A body that is not the one hashed is refused after reading.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCore, type TestCore, testServiceKey } from '@campus-card/tests/kit';
import { signatureHeaders, signedHeaders } from '../src/http/signature.ts';
import { statusBeforeBody } from './body-probe.ts';

/** Sends a whole body with these headers; answers status and code. */
async function send(url: string, path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, code: ((await response.json()) as { code?: string }).code };
}

const sixMb = 6 * 1024 * 1024;

describe('core: the signature before the body (sqlite)', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('sqlite');
  });
  after(() => t.stop());

  test('#12.13 class: when a 6 MB subsidy import names the real service key id with a fresh timestamp but a forged signature, then 401 comes back before the body is sent and the connection is closed', async () => {
    const path = '/v1/subsidy-batches';
    const forged = signedHeaders(
      { keyId: testServiceKey.keyId, secret: 'not-the-secret-'.repeat(3) },
      'POST',
      path,
      'x',
    );
    assert.deepEqual(await statusBeforeBody(t.core.url, path, sixMb, forged), {
      status: 401,
      connection: 'close',
      code: 'UNAUTHENTICATED',
    });
    // The real key's signature over another body's hash is a forgery too for this hash header.
    const real = signedHeaders(testServiceKey, 'POST', path, 'x');
    const swapped = { ...real, [signatureHeaders.contentHash]: 'a'.repeat(64) };
    assert.equal((await statusBeforeBody(t.core.url, path, sixMb, swapped)).status, 401);
    // A signed import of the real size still goes through (the BFF's client sends the hash).
    const preview = await t.client.previewSubsidyBatch({ csv: '学号,金额\nnobody,1.00\n' });
    assert.equal(preview.rowCount, 1);
  });

  test('#12.13 class: when a request signed without the hash header announces more than 64 KiB, then it is 413 before the body is read, and a small one still passes', async () => {
    const path = '/v1/subsidy-batches/preview';
    const { [signatureHeaders.contentHash]: _, ...noHash } = signedHeaders(testServiceKey, 'POST', path, 'x');
    const big = await statusBeforeBody(t.core.url, path, 2 * 1024 * 1024, noHash);
    assert.deepEqual(big, { status: 413, connection: 'close', code: 'PAYLOAD_TOO_LARGE' });
    const body = JSON.stringify({ source: { csv: '学号,金额\nnobody,1.00\n' } });
    const { [signatureHeaders.contentHash]: __, ...small } = signedHeaders(
      testServiceKey,
      'POST',
      path,
      body,
    );
    assert.equal((await send(t.core.url, path, body, small)).status, 200);
  });

  test('#12.13 class: when the body sent is not the one whose hash was signed, then 401 and nothing runs', async () => {
    const path = '/v1/subsidy-batches/preview';
    const signedFor = JSON.stringify({ source: { csv: '学号,金额\nnobody,1.00\n' } });
    const headers = signedHeaders(testServiceKey, 'POST', path, signedFor);
    const other = JSON.stringify({ source: { csv: '学号,金额\nsomebody,9.00\n' } });
    assert.deepEqual(await send(t.core.url, path, other, headers), { status: 401, code: 'UNAUTHENTICATED' });
  });
});
