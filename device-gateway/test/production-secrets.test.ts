import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { campusSigningKeyFromSecret } from '@campus-card/core/credential';
import { type ServiceStart, startServiceProcess } from '../../tests/spawn-service.ts';
import { devCampusKeys, loadConfig } from '../src/config.ts';

/** A real campus key's public half, as the card centre would configure it. */
function campusKey(kid: number): string {
  const key = campusSigningKeyFromSecret(kid, new Uint8Array(randomBytes(32)));
  return `${kid}:${Buffer.from(key.publicKey).toString('hex')}`;
}

const strong = (): Record<string, string> => ({
  NODE_ENV: 'production',
  GATEWAY_PORT: '0',
  // Nothing listens there: the gateway starts without the core and asks again later.
  CORE_URL: 'http://127.0.0.1:9',
  CORE_KEY_ID: 'gateway',
  CORE_SECRET: randomBytes(24).toString('base64url'),
  CAMPUS_KEYS: `${campusKey(3)},${campusKey(4)}`,
  LOG_LEVEL: 'info',
});

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

function startGatewayProcess(env: Record<string, string>): Promise<ServiceStart> {
  const entry = new URL('../src/server.ts', import.meta.url).pathname;
  return startServiceProcess(entry, env, 'device gateway listening');
}

test('#12.2 when the gateway starts in production with its defaults, then it exits naming CORE_SECRET and CAMPUS_KEYS', async () => {
  // Goal: the development campus key (its secret is in this repository) is never trusted at a real POS.
  const { code, output } = await startGatewayProcess({ NODE_ENV: 'production', GATEWAY_PORT: '0' });
  assert.ok(code !== null && code !== 0, output);
  assert.match(output, /CORE_SECRET is not set/);
  assert.match(output, /CAMPUS_KEYS is not set/);
});

test('#12.2 when the gateway starts in production with strong secrets and real campus keys, then it listens', async () => {
  // Goal: the refusal is about the secrets, not production as such.
  const { code, output } = await startGatewayProcess(strong());
  assert.equal(code, null, output);
});

test('#12.2 when the gateway would trust the development campus key, even beside a real one, then it refuses to start naming that kid', () => {
  // Goal: a certificate minted with the public development key cannot pay at any production terminal.
  for (const keys of [devCampusKeys, `${campusKey(3)},${devCampusKeys}`]) {
    const message = refusal({ ...strong(), CAMPUS_KEYS: keys });
    assert.match(
      message,
      /refuses to start in production: CAMPUS_KEYS \(kid 1\) is a development or example value/,
    );
    assert.ok(!message.includes(devCampusKeys.slice(2)), 'the key is not printed');
  }
  assert.match(refusal({ ...strong(), CAMPUS_KEYS: `5:${'00'.repeat(32)}` }), /CAMPUS_KEYS \(kid 5\) is/);
});

test('#12.2 when the gateway service secret is a default, short, repeated or patterned one, then it refuses to start naming CORE_SECRET, never the value', () => {
  // Goal: the key the gateway signs core calls with cannot be guessed from this repository or by brute force.
  for (const value of [
    'dev-secret-0123456789abcdef',
    'test-secret-0123456789abcdef',
    'Xq3vR8pLm2Zt9Kw4Nb7C',
    'q'.repeat(40),
    'abcdefghijklmnopqrstuvwxyz0123456789',
  ]) {
    const message = refusal({ ...strong(), CORE_SECRET: value });
    assert.match(message, /refuses to start in production: CORE_SECRET /, value.length.toString());
    assert.ok(!message.includes(value));
  }
  assert.equal(
    refusal({ ...strong(), NODE_ENV: 'development', CORE_SECRET: undefined, CAMPUS_KEYS: undefined }),
    'started',
  );
});
