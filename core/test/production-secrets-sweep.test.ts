// Goal (#12.2 class, later sweep): the core's secrets added after the first round — the dorm meter system's,
// the network billing system's and the bank front end's — are judged like the service keys and the PII key
// when the core starts in production with that integration on: their development defaults, weak values and
// a value shared with another secret are refused, naming the variable and never the value.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const secret = () => randomBytes(24).toString('base64url');

const strong = (): Record<string, string> => ({
  NODE_ENV: 'production',
  CORE_SERVICE_KEYS: `bff:${secret()},gateway:${secret()}`,
  PII_KEY: randomBytes(32).toString('hex'),
  PHOTO_KEY: randomBytes(32).toString('hex'),
  // A production centre names itself (federation: a default id would collide between centres).
  CENTRE_ID: 'NJU01',
  UTILITY_URL: 'https://meters.example.edu.cn',
  UTILITY_SECRET: secret(),
  NETWORK_URL: 'https://net.example.edu.cn',
  NETWORK_SECRET: secret(),
  BANK_URL: 'https://bank.example.com',
  BANK_SECRET: secret(),
});

/** The development defaults in core/src/config.ts, and other ways a secret is unfit. */
const weakTexts: Record<string, string | undefined> = {
  unset: undefined,
  'the utility development default': 'utility-dev-secret-0123456789',
  'the network development default': 'network-dev-secret-0123456789',
  'the bank development default': 'dev-bank-secret-change-me',
  'a longer development-looking default': 'utility-dev-secret-0123456789-utility-dev',
  'one character repeated': 'q'.repeat(40),
  'a repeating pattern': 'abcabcabcabcabcabcabcabcabcabcabcabc',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

test('#12.2 class: when the core starts in production with the meter, network and bank integrations on and strong secrets, then it starts', () => {
  assert.equal(refusal(strong()), 'started');
});

test('#12.2 class: when the meter, network or bank secret is a development default, unset or weak, then the core refuses to start naming it, never the value', () => {
  for (const name of ['UTILITY_SECRET', 'NETWORK_SECRET', 'BANK_SECRET'])
    for (const [how, value] of Object.entries(weakTexts)) {
      const message = refusal({ ...strong(), [name]: value });
      assert.match(message, new RegExp(`refuses to start in production: ${name} `), `${name} ${how}`);
      if (value) assert.ok(!message.includes(value), `${name} ${how}: the message shows the secret`);
    }
});

test('#12.2 class: when the bank secret is the network secret, then the core refuses to start naming both', () => {
  const env = strong();
  assert.match(
    refusal({ ...env, BANK_SECRET: env.NETWORK_SECRET }),
    /NETWORK_SECRET and BANK_SECRET are the same secret/,
  );
});
