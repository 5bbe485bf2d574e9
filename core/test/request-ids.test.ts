import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { migratedDatabase, testServiceKey } from '@campus-card/tests/kit';
import { type RunningCore, startCore } from '../src/app.ts';
import { CoreClient } from '../src/client/index.ts';
import { loadConfig } from '../src/config.ts';
import { withRequestId } from '../src/http/request-id.ts';
import { signedHeaders } from '../src/http/signature.ts';
import { createLogger } from '../src/log.ts';

/** The core's log lines as JSON objects, kept in memory (debug level: one line per request answered). */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger('core-test', 'debug', stream), lines };
}

describe('request ids in the core', () => {
  let database: { url: string; drop(): Promise<void> };
  let core: RunningCore;
  let client: CoreClient;
  const captured = capturingLogger();
  before(async () => {
    database = await migratedDatabase('sqlite');
    const config = loadConfig({
      DATABASE_URL: database.url,
      CORE_PORT: '0',
      CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
      PII_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'debug',
    });
    core = await startCore(config, captured.log);
    client = new CoreClient({ url: core.url, ...testServiceKey });
  });
  after(async () => {
    await client.close();
    await core.close();
    await database.drop();
  });

  const answered = (requestId: string) =>
    captured.lines.filter((line) => line.msg === 'request answered' && line.requestId === requestId);

  test('when a caller (the BFF, the gateway) makes a core call while serving a request, then the call carries that request id and the core logs its line under it', async () => {
    const refused = await withRequestId('bff-trace.7_A', () => client.getCard('99999999')).then(
      () => assert.fail('an unknown card was found'),
      (error: { code?: string }) => error,
    );
    assert.equal(refused.code, 'CARD_NOT_FOUND');
    const lines = answered('bff-trace.7_A');
    assert.equal(lines.length, 1, JSON.stringify(captured.lines.slice(-3)));
    assert.equal(lines[0]?.route, '/v1/cards/:cardNo');
    assert.equal(lines[0]?.status, 404);
    assert.ok(!JSON.stringify(lines[0]).includes('99999999'), 'the raw path (a card number) is not logged');
  });

  const get = async (path: string, requestId: string) => {
    const response = await fetch(`${core.url}${path}`, {
      headers: { ...signedHeaders(testServiceKey, 'GET', path, ''), 'x-request-id': requestId },
    });
    return {
      header: response.headers.get('x-request-id'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  test('when a refusal is answered, then its body and header carry the request id support looks the log lines up by', async () => {
    const reply = await get('/v1/cards/99999998', 'support-ticket-1');
    assert.equal(reply.header, 'support-ticket-1');
    assert.deepEqual(
      { code: reply.body.code, requestId: reply.body.requestId },
      { code: 'CARD_NOT_FOUND', requestId: 'support-ticket-1' },
    );
  });

  test('when the offered id is too long or has other characters, then it is replaced by a fresh one, not trimmed or logged', async () => {
    for (const bad of ['x'.repeat(65), 'two words', 'semi;colon', 'a/b']) {
      const reply = await get('/v1/cards/99999997', bad);
      assert.notEqual(reply.header, bad);
      assert.match(String(reply.header), /^[0-9a-f-]{36}$/);
      assert.equal(reply.body.requestId, reply.header);
      assert.equal(answered(String(reply.header)).length, 1);
    }
    assert.ok(!captured.lines.some((line) => String(line.requestId).includes(' ')));
  });
});
