import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ServiceStart, startServiceProcess } from '../../tests/spawn-service.ts';
import { loadConfig } from '../src/config.ts';
import { VideoLinks } from '../src/content/video-links.ts';

const secret = () => randomBytes(24).toString('base64url');

/** What a real deployment sets: every secret its own and random. */
const strong = (): Record<string, string> => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-bff-secrets-'));
  return {
    NODE_ENV: 'production',
    BFF_PORT: '0',
    CORE_KEY_ID: 'bff',
    CORE_KEY_SECRET: secret(),
    JWT_SECRET: secret(),
    VIDEO_LINK_SECRET: secret(),
    CAMPUS_SIGNING_KEY: `7:${randomBytes(32).toString('hex')}`,
    WECHAT_APPID: 'wx0123456789abcdef',
    WECHAT_APP_SECRET: randomBytes(16).toString('hex'),
    CONTENT_DIR: join(dir, 'content'),
    UPLOAD_DIR: join(dir, 'uploads'),
    LOG_LEVEL: 'info',
  };
};

/** The merchant settings of a production BFF with top-ups on (PEM bodies are not judged here). */
const merchant = (): Record<string, string> => ({
  WECHAT_PAY_MCHID: '1900000109',
  WECHAT_PAY_MERCHANT_CERT: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  WECHAT_PAY_MERCHANT_KEY: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
  WECHAT_PAY_API_V3_KEY: randomBytes(16).toString('hex'),
  WECHAT_PAY_NOTIFY_URL: 'https://card.example.edu.cn/api/v1/pay/notify',
});

/** Each way a text secret can be unfit; the refusal must name the variable and never show the value. */
const weakTexts: Record<string, string | undefined> = {
  unset: undefined,
  "the demo's JWT secret": 'demo-jwt-secret-change-me-0123456789abcdef',
  "the demo's app secret": 'demo-app-secret',
  'too short': 'Xq3vR8pLm2Zt9Kw4Nb7C',
  'one character repeated': 'z'.repeat(48),
  'a repeating pattern': 'secretsecretsecretsecretsecretsecret',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

test('when the BFF runs in production, then the H5 app is told not to offer the demo one-tap sign-in', () => {
  // The demo sign-in asks the WeChat stand-in on the demo web origin for a login code; in production the
  // H5 app signs in through the campus sign-on only (docs/sso.md), so the button must not be there.
  assert.equal(loadConfig(strong()).h5DemoSignIn, false);
  const { NODE_ENV: _production, ...development } = strong();
  assert.equal(loadConfig(development).h5DemoSignIn, true);
});

function startBffProcess(env: Record<string, string>): Promise<ServiceStart> {
  return startServiceProcess(new URL('../src/server.ts', import.meta.url).pathname, env, 'bff listening');
}

test('#12.2 when the BFF starts in production with only the development campus key, then it exits naming CAMPUS_SIGNING_KEY', async () => {
  // Goal: the campus key whose secret is published (32 × 0x01) never signs phone certificates in production.
  const env = strong();
  delete (env as Record<string, string | undefined>).CAMPUS_SIGNING_KEY;
  const unset = await startBffProcess(env);
  assert.ok(unset.code !== null && unset.code !== 0, unset.output);
  assert.match(unset.output, /CAMPUS_SIGNING_KEY is not set/);
  const published = await startBffProcess({ ...strong(), CAMPUS_SIGNING_KEY: `1:${'01'.repeat(32)}` });
  assert.ok(published.code !== null && published.code !== 0, published.output);
  assert.match(published.output, /CAMPUS_SIGNING_KEY is a development or example value/);
  assert.ok(!published.output.includes('01'.repeat(32)), 'the key is not printed');
});

test('#12.2 when the BFF starts in production with strong, distinct secrets, then it listens', async () => {
  // Goal: the refusal is about the secrets, not production as such.
  const { code, output } = await startBffProcess(strong());
  assert.equal(code, null, output);
  assert.equal(refusal({ ...strong(), ...merchant() }), 'started');
});

test('#12.2 when any BFF secret is published, short, repeated or patterned, then the BFF refuses to start naming it, never the value', () => {
  // Goal: every secret of the BFF (and the WeChat Pay APIv3 key when top-ups are on) is judged by the same rule.
  const names = [
    'CORE_KEY_SECRET',
    'JWT_SECRET',
    'VIDEO_LINK_SECRET',
    'WECHAT_APP_SECRET',
    'WECHAT_PAY_API_V3_KEY',
  ];
  for (const name of names)
    for (const [how, value] of Object.entries(weakTexts)) {
      const message = refusal({ ...strong(), ...merchant(), [name]: value });
      assert.match(message, new RegExp(`refuses to start in production: ${name} `), `${name} ${how}`);
      if (value) assert.ok(!message.includes(value), `${name} ${how}: the message shows the secret`);
    }
  assert.match(
    refusal({ ...strong(), ...merchant(), WECHAT_PAY_API_V3_KEY: 'DEMOAPIV3KEY0123456789ABCDEFGHIJ' }),
    /WECHAT_PAY_API_V3_KEY is a development or example value/,
  );
  for (const key of [`1:${'00'.repeat(32)}`, `2:${'5a'.repeat(32)}`])
    assert.match(refusal({ ...strong(), CAMPUS_SIGNING_KEY: key }), /CAMPUS_SIGNING_KEY (is|has|contains)/);
});

test('#12.2 when access tokens and video links would share one key, then the production BFF refuses to start', () => {
  // Goal: a leaked video-link key cannot mint access tokens, nor the other way round.
  const env = strong();
  assert.match(
    refusal({ ...env, VIDEO_LINK_SECRET: env.JWT_SECRET }),
    /JWT_SECRET and VIDEO_LINK_SECRET are the same secret/,
  );
  assert.match(
    refusal({ ...env, CORE_KEY_SECRET: env.JWT_SECRET }),
    /CORE_KEY_SECRET and JWT_SECRET are the same/,
  );
});

test('#12.2 when VIDEO_LINK_SECRET is unset outside production, then video links are signed with a key derived apart from JWT_SECRET', () => {
  // Goal: development keeps starting with JWT_SECRET alone, and even then the two purposes use different keys.
  const jwtSecret = secret();
  const config = loadConfig({
    CORE_KEY_ID: 'bff',
    CORE_KEY_SECRET: secret(),
    JWT_SECRET: jwtSecret,
    WECHAT_APPID: 'wx1',
    WECHAT_APP_SECRET: 'x',
  });
  assert.notEqual(config.videoLinkSecret, jwtSecret);
  const link = new VideoLinks(config.videoLinkSecret).make('L1', 0);
  const [exp, sig] = [/exp=(\d+)/.exec(link)?.[1] ?? '', /sig=([\w-]+)/.exec(link)?.[1] ?? ''];
  assert.ok(new VideoLinks(config.videoLinkSecret).valid('L1', exp, sig, 0));
  assert.ok(!new VideoLinks(jwtSecret).valid('L1', exp, sig, 0), 'the JWT secret does not sign video links');
});
