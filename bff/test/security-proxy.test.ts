import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { logIn, openPerson } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

// Which address a request is counted under. The BFF is reached here directly from 127.0.0.1; a client
// writing X-Forwarded-For must not choose its own address unless its peer is a configured proxy.

describe('the counted client address and X-Forwarded-For', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld({ TRUSTED_PROXY_HOPS: '1', RATE_IP_PER_MIN: '1000' });
  });
  after(() => world.stop());

  /** Rate limits count per clock minute: start a sequence well inside one, so it is not split. */
  const insideOneMinute = async () => {
    const intoMinuteMs = Date.now() % 60_000;
    if (intoMinuteMs > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoMinuteMs));
  };
  const spoofed = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
  const withEnv = (env: Record<string, string>) =>
    startBff(
      loadConfig({
        ...world.env,
        REDIS_PREFIX: `${world.env.REDIS_PREFIX}${Object.keys(env).join('')}:`,
        ...env,
      }),
    );

  test('#12.11 when a client reaches the BFF directly with a new X-Forwarded-For on every request (one trusted hop set, no trusted proxy), then all count as its socket address and the limit holds', async () => {
    const bff = await withEnv({ RATE_IP_PER_MIN: '5' });
    try {
      const statuses: number[] = [];
      await insideOneMinute();
      for (let i = 0; i < 8; i += 1)
        statuses.push((await world.request('GET', '/api/v1/health', { bff, headers: spoofed(i) })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    } finally {
      await bff.close();
    }
  });

  test('#12.11 when the peer is not in TRUSTED_PROXIES, then the header is ignored; when it is, the address the proxy saw counts', async () => {
    const elsewhere = await withEnv({ TRUSTED_PROXIES: '10.0.0.0/8,192.0.2.7', RATE_IP_PER_MIN: '5' });
    const proxied = await withEnv({ TRUSTED_PROXIES: '127.0.0.1/32,::1', RATE_IP_PER_MIN: '5' });
    try {
      const call = async (bff: typeof proxied, i: number) =>
        (
          await world.request('GET', '/api/v1/health', {
            bff,
            headers: { 'x-forwarded-for': `198.51.100.9, 203.0.113.${i}` },
          })
        ).status;
      await insideOneMinute();
      const ignored: number[] = [];
      for (let i = 0; i < 7; i += 1) ignored.push(await call(elsewhere, i));
      assert.deepEqual(ignored, [200, 200, 200, 200, 200, 429, 429], 'untrusted peer: one address');
      const trusted: number[] = [];
      for (let i = 0; i < 7; i += 1) trusted.push(await call(proxied, i));
      assert.deepEqual(trusted, [200, 200, 200, 200, 200, 200, 200], 'each client its own address');
      // The address the proxy appended counts, not what the client wrote to its left.
      const same: number[] = [];
      for (let i = 0; i < 7; i += 1)
        same.push(
          (
            await world.request('GET', '/api/v1/health', {
              bff: proxied,
              headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.200` },
            })
          ).status,
        );
      assert.deepEqual(same, [200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await elsewhere.close();
      await proxied.close();
    }
  });

  test('#12.11 when wrong identity answers come directly with spoofed addresses, then the per-address bind lock still counts them together', async () => {
    // The same kv prefix as the world, whose sessions the students signed in to.
    const bff = await startBff(loadConfig({ ...world.env, BIND_ADDRESS_FAILURES_MAX: '3' }));
    try {
      const codes: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const person = await openPerson(world);
        const user = await logIn(world);
        const reply = await world.request('POST', '/api/v1/binding', {
          bff,
          token: user.accessToken,
          headers: spoofed(100 + i),
          body: { personNo: person.personNo, name: person.name, secret: '000000' },
        });
        codes.push(reply.body.code as string);
      }
      assert.deepEqual(codes, ['IDENTITY_MISMATCH', 'IDENTITY_MISMATCH', 'LOCKED_OUT', 'LOCKED_OUT']);
    } finally {
      await bff.close();
    }
  });

  test('#12.11 when TRUSTED_PROXIES names something that is not an address or CIDR, then the BFF refuses to start', () => {
    for (const bad of ['proxy.example', '10.0.0.0/33', '300.1.1.1', '::1/129'])
      assert.throws(
        () => loadConfig({ ...world.env, TRUSTED_PROXIES: bad }),
        /TRUSTED_PROXIES|trustedProxies/,
      );
    assert.deepEqual(loadConfig({ ...world.env, TRUSTED_PROXIES: ' 10.0.0.1 , fd00::/8 ' }).trustedProxies, [
      '10.0.0.1',
      'fd00::/8',
    ]);
  });
});
