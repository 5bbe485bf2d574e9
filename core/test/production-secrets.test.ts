import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ServiceStart, startServiceProcess } from '../../tests/spawn-service.ts';
import { loadConfig } from '../src/config.ts';
import { secretWeakness } from '../src/secrets.ts';

const strong = () => ({
  NODE_ENV: 'production',
  CORE_SERVICE_KEYS: `bff:${randomBytes(24).toString('base64url')},gateway:${randomBytes(24).toString('base64url')}`,
  PII_KEY: randomBytes(32).toString('hex'),
  PHOTO_KEY: randomBytes(32).toString('hex'),
  // A production centre names itself (federation: a default id would collide between centres).
  CENTRE_ID: 'NJU01',
});

/** Each way a secret can be unfit, as the value it would have; the refusal must name the variable, not this. */
const weakTexts: Record<string, string | undefined> = {
  unset: undefined,
  'the development default': 'dev-core-secret-change-me',
  "the tests' key": 'test-secret-0123456789abcdef',
  'too short': 'Xq3vR8pLm2Zt9Kw4Nb7C',
  'one character repeated': 'k'.repeat(40),
  'a repeating pattern': '0123456789abcdef0123456789abcdef',
  'a placeholder': 'please-change-me-before-going-live-2026',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

/** Runs core/src/server.ts as production would, and answers how it ended (or that it listened). */
function startCoreProcess(env: Record<string, string>): Promise<ServiceStart> {
  const entry = new URL('../src/server.ts', import.meta.url).pathname;
  const database = `sqlite:${join(mkdtempSync(join(tmpdir(), 'cc-secrets-')), 'core.sqlite')}`;
  return startServiceProcess(entry, { DATABASE_URL: database, CORE_PORT: '0', ...env }, 'core listening');
}

test('#12.2 when the core starts in production with no secrets set, then it exits naming CORE_SERVICE_KEYS and PII_KEY', async () => {
  // Goal: the development defaults (public in this repository) never serve production.
  const { code, output } = await startCoreProcess({ NODE_ENV: 'production' });
  assert.notEqual(code, 0);
  assert.notEqual(code, null, 'the core did not start listening');
  assert.match(output, /CORE_SERVICE_KEYS is not set/);
  assert.match(output, /PII_KEY is not set/);
  assert.match(output, /PHOTO_KEY is not set/);
  assert.doesNotMatch(output, /dev-core-secret/);
});

test('#12.2 when the core starts in production with strong secrets, then it listens', async () => {
  // Goal: the refusal is about the secrets, not production as such.
  const { code, output } = await startCoreProcess(strong());
  assert.equal(code, null, output);
  assert.equal(refusal(strong()), 'started');
});

test('#12.2 when a core service key is a development, short, repeated or patterned secret, then the core refuses to start naming the key, never the value', () => {
  // Goal: every way a service key can be guessed is refused, one at a time, next to a strong one.
  for (const [how, value] of Object.entries(weakTexts)) {
    const env = {
      ...strong(),
      CORE_SERVICE_KEYS: `bff:${randomBytes(24).toString('base64url')},gw:${value ?? ''}`,
    };
    const message = refusal(env);
    assert.match(message, /refuses to start in production: CORE_SERVICE_KEYS \(key "gw"\)/, how);
    if (value) assert.ok(!message.includes(value), `${how}: the message shows the secret`);
  }
  const twice = randomBytes(24).toString('base64url');
  assert.match(
    refusal({ ...strong(), CORE_SERVICE_KEYS: `bff:${twice},gateway:${twice}` }),
    /CORE_SERVICE_KEYS \(key "bff"\) and CORE_SERVICE_KEYS \(key "gateway"\) are the same secret/,
  );
});

test('#12.2 when PII_KEY is the development key, one byte repeated or a counting sequence, then the core refuses to start naming PII_KEY', () => {
  // Goal: the key that seals ID numbers and device keys at rest cannot be a guessable one.
  const counting = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex');
  for (const value of ['00'.repeat(32), 'ab'.repeat(32), counting, `${'00'.repeat(31)}01`]) {
    const message = refusal({ ...strong(), PII_KEY: value });
    assert.match(message, /PII_KEY (is|contains|has)/);
    assert.ok(!message.includes(value));
  }
});

test('#12.2 when the same weak secrets are used outside production, then the core still starts (development and tests)', () => {
  // Goal: the refusal is production's; development keeps its defaults.
  assert.equal(refusal({ NODE_ENV: 'development' }), 'started');
  assert.equal(refusal({}), 'started');
});

test('#12.2 when strong random secrets of every usual form are judged, then none is refused', () => {
  // Goal: the rule does not refuse real keys (hex, base64, alphanumeric), so operators are not pushed to weaker ones.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 2_000; i++) {
    assert.equal(secretWeakness(randomBytes(16).toString('hex')), undefined);
    assert.equal(secretWeakness(randomBytes(32).toString('base64')), undefined);
    assert.equal(secretWeakness(randomBytes(32).toString('hex'), { hex: true }), undefined);
    const alnum = [...randomBytes(32)].map((b) => alphabet[b % alphabet.length]).join('');
    assert.equal(secretWeakness(alnum), undefined);
  }
});
