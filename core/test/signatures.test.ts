import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openStudent, redisUrl, startTestCore, type TestCore, testServiceKey } from '@campus-card/tests/kit';
import { type RunningCore, startCore } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { signatureHeaders, signedHeaders } from '../src/http/signature.ts';
import { createLogger } from '../src/log.ts';

/** A request as a service sent it, headers and all, so a test can send it again byte for byte. */
interface Captured {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

function capture(method: string, path: string, body: unknown, timestampMs?: number): Captured {
  const payload = body === undefined ? '' : JSON.stringify(body);
  return {
    method,
    path,
    body: payload,
    headers: {
      'content-type': 'application/json',
      ...signedHeaders(testServiceKey, method, path, payload, timestampMs),
    },
  };
}

async function send(baseUrl: string, r: Captured): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${baseUrl}${r.path}`, {
    method: r.method,
    body: r.body || undefined,
    headers: r.headers,
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as { code?: string }) : {};
  return { status: response.status, ...(json.code ? { code: json.code } : {}) };
}

const admin = { type: 'admin' as const, id: 'admin-1' };

describe('signed requests to the core, one instance without Redis (sqlite)', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore('sqlite');
  });
  after(() => t.stop());

  test('#12.12 when a captured freeze request is sent again after the unfreeze, then REQUEST_REPLAYED and the card stays active', async () => {
    // Goal: a signature is accepted once; the in-process nonce cache refuses the second copy.
    const cardNo = await openStudent(t.client);
    const freeze = capture('POST', `/v1/cards/${cardNo}/status`, {
      action: 'freeze',
      actor: admin,
      reason: null,
    });
    assert.equal((await send(t.core.url, freeze)).status, 200);
    assert.equal((await t.client.getCard(cardNo)).status, 'frozen');
    await t.client.changeCard(cardNo, 'unfreeze', admin);
    assert.deepEqual(await send(t.core.url, freeze), { status: 401, code: 'REQUEST_REPLAYED' });
    assert.equal((await t.client.getCard(cardNo)).status, 'active');
  });

  test('#12.12 when the timestamp is over 60 s old or over 5 s ahead, then REQUEST_STALE; within the window it passes', async () => {
    // Goal: the window is one-sided: a minute back, a small skew forward.
    const cardNo = await openStudent(t.client);
    const path = `/v1/cards/${cardNo}`;
    assert.deepEqual(await send(t.core.url, capture('GET', path, undefined, Date.now() - 61_000)), {
      status: 401,
      code: 'REQUEST_STALE',
    });
    assert.deepEqual(await send(t.core.url, capture('GET', path, undefined, Date.now() + 10_000)), {
      status: 401,
      code: 'REQUEST_STALE',
    });
    assert.deepEqual(await send(t.core.url, capture('GET', path, undefined, Date.now() + 5 * 60_000)), {
      status: 401,
      code: 'REQUEST_STALE',
    });
    assert.equal((await send(t.core.url, capture('GET', path, undefined, Date.now() - 50_000))).status, 200);
    assert.equal((await send(t.core.url, capture('GET', path, undefined, Date.now() + 2_000))).status, 200);
  });

  test('#12.12 when the nonce is missing, malformed or changed after signing, then 401 and nothing runs', async () => {
    // Goal: the nonce is part of the signed string, so it cannot be swapped to pass the cache.
    const cardNo = await openStudent(t.client);
    const freeze = capture('POST', `/v1/cards/${cardNo}/status`, {
      action: 'freeze',
      actor: admin,
      reason: null,
    });
    const { [signatureHeaders.nonce]: _, ...withoutNonce } = freeze.headers;
    assert.deepEqual(await send(t.core.url, { ...freeze, headers: withoutNonce }), {
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    assert.deepEqual(
      await send(t.core.url, {
        ...freeze,
        headers: { ...freeze.headers, [signatureHeaders.nonce]: 'short' },
      }),
      { status: 401, code: 'UNAUTHENTICATED' },
    );
    assert.deepEqual(
      await send(t.core.url, {
        ...freeze,
        headers: { ...freeze.headers, [signatureHeaders.nonce]: 'AAAAAAAAAAAAAAAAAAAAAA' },
      }),
      { status: 401, code: 'UNAUTHENTICATED' },
    );
    assert.equal((await t.client.getCard(cardNo)).status, 'active');
  });

  test('#12.12 when 60 copies of one signed request arrive at once, then exactly one runs', async () => {
    // Goal: the claim is atomic: a burst of the same capture cannot slip several copies through.
    const cardNo = await openStudent(t.client);
    const freeze = capture('POST', `/v1/cards/${cardNo}/status`, {
      action: 'freeze',
      actor: admin,
      reason: null,
    });
    const answers = await Promise.all(Array.from({ length: 60 }, () => send(t.core.url, freeze)));
    assert.equal(answers.filter((a) => a.status === 200).length, 1);
    assert.equal(answers.filter((a) => a.code === 'REQUEST_REPLAYED').length, 59);
  });
});

describe('signed requests across two core instances sharing Redis (mysql)', () => {
  let t: TestCore;
  let second: RunningCore;
  const piiKey = randomBytes(32).toString('hex');
  before(async () => {
    t = await startTestCore('mysql', { REDIS_URL: redisUrl, PII_KEY: piiKey });
    const config = loadConfig({
      DATABASE_URL: t.databaseUrl,
      CORE_PORT: '0',
      CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
      PII_KEY: piiKey,
      LOG_LEVEL: 'silent',
      REDIS_URL: redisUrl,
      // A second instance of the same deployment: the same Redis namespace.
      REDIS_PREFIX: t.redisPrefix,
    });
    second = await startCore(config, createLogger('core-test-2', 'silent'));
  });
  after(async () => {
    await second.close();
    await t.stop();
  });

  test('#12.12 when a request accepted by one core is replayed to the other, then REQUEST_REPLAYED on every instance', async () => {
    // Goal: the seen-nonce cache is shared through Redis, so a second instance refuses the copy too.
    const cardNo = await openStudent(t.client);
    const freeze = capture('POST', `/v1/cards/${cardNo}/status`, {
      action: 'freeze',
      actor: admin,
      reason: null,
    });
    assert.equal((await send(t.core.url, freeze)).status, 200);
    await t.client.changeCard(cardNo, 'unfreeze', admin);
    assert.deepEqual(await send(second.url, freeze), { status: 401, code: 'REQUEST_REPLAYED' });
    assert.deepEqual(await send(t.core.url, freeze), { status: 401, code: 'REQUEST_REPLAYED' });
    assert.equal((await t.client.getCard(cardNo)).status, 'active');
  });

  test('#12.12 when 60 copies of one signed request hit both instances at once, then exactly one runs', async () => {
    // Goal: SET NX in Redis decides a cross-instance race.
    const cardNo = await openStudent(t.client);
    const freeze = capture('POST', `/v1/cards/${cardNo}/status`, {
      action: 'freeze',
      actor: admin,
      reason: null,
    });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => send(i % 2 === 0 ? t.core.url : second.url, freeze)),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, 1);
    assert.equal(answers.filter((a) => a.code === 'REQUEST_REPLAYED').length, 59);
  });
});
