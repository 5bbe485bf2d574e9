// Goal (#12.2 class, later sweep): the secrets added after the first round — the Alipay app private key and
// each OIDC provider's client secret — are judged like every other secret when the BFF starts in production:
// unset, published, short, repeated or patterned, or the same as another secret → refused, naming the
// variable and never the value; strong ones start.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const secret = () => randomBytes(24).toString('base64url');

const strong = (): Record<string, string> => ({
  NODE_ENV: 'production',
  CORE_KEY_ID: 'bff',
  CORE_KEY_SECRET: secret(),
  JWT_SECRET: secret(),
  VIDEO_LINK_SECRET: secret(),
  CAMPUS_SIGNING_KEY: `7:${randomBytes(32).toString('hex')}`,
  WECHAT_APPID: 'wx0123456789abcdef',
  WECHAT_APP_SECRET: randomBytes(16).toString('hex'),
});

const pem = (kind: 'private' | 'public', key: ReturnType<typeof generateKeyPairSync>) =>
  (kind === 'private'
    ? key.privateKey.export({ type: 'pkcs8', format: 'pem' })
    : key.publicKey.export({ type: 'spki', format: 'pem' })
  ).toString();

/** Alipay on, with a fresh RSA key pair as a real app would have. */
function alipay(): Record<string, string> {
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ALIPAY_APP_ID: '2021000000000001',
    ALIPAY_PRIVATE_KEY: pem('private', app),
    ALIPAY_PUBLIC_KEY: pem('public', platform),
    ALIPAY_GATEWAY_URL: 'https://openapi.alipay.com/gateway.do',
  };
}

/** One OIDC provider over https. */
const sso = (): Record<string, string> => ({
  SSO_PROVIDERS: JSON.stringify([
    { id: 'campus', kind: 'oidc', url: 'https://id.example.edu.cn', personClaim: 'sub', clientId: 'card' },
  ]),
  SSO_CAMPUS_CLIENT_SECRET: secret(),
  SSO_PUBLIC_URL: 'https://card.example.edu.cn',
  SSO_APP_URL: 'https://card.example.edu.cn/h5/',
});

const weakTexts: Record<string, string | undefined> = {
  unset: undefined,
  "the demo's JWT secret": 'demo-jwt-secret-change-me-0123456789abcdef',
  'too short': 'Xq3vR8pLm2Zt9Kw4Nb7C',
  'one character repeated': 'z'.repeat(48),
  'a repeating pattern': 'secretsecretsecretsecretsecretsecret',
  'a placeholder': 'please-change-me-before-going-live-2026',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

test('#12.2 class: when the BFF starts in production with Alipay and single sign-on on and strong secrets, then it starts', () => {
  assert.equal(refusal({ ...strong(), ...alipay(), ...sso() }), 'started');
});

test('#12.2 class: when the Alipay private key or an OIDC client secret is unset, published, short, repeated or patterned, then the BFF refuses to start naming it, never the value', () => {
  for (const name of ['ALIPAY_PRIVATE_KEY', 'SSO_CAMPUS_CLIENT_SECRET'])
    for (const [how, value] of Object.entries(weakTexts)) {
      const message = refusal({ ...strong(), ...alipay(), ...sso(), [name]: value });
      assert.match(message, new RegExp(`refuses to start in production: ${name} `), `${name} ${how}`);
      if (value) assert.ok(!message.includes(value), `${name} ${how}: the message shows the secret`);
    }
});

test('#12.2 class: when an OIDC client secret is the JWT secret, then the BFF refuses to start naming both', () => {
  const env = { ...strong(), ...alipay(), ...sso() };
  const message = refusal({ ...env, SSO_CAMPUS_CLIENT_SECRET: env.JWT_SECRET });
  assert.match(message, /JWT_SECRET and SSO_CAMPUS_CLIENT_SECRET are the same secret/);
});
