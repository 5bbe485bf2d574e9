// Production refuses the SMS AccessKey secrets this repository publishes (the demo's, the tests'), and
// weak ones, whenever the SMS channel is on; the refusal names SMS_ACCESS_KEY_SECRET, never the value.
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
  CENTRE_ID: 'NJU01',
  MESSAGES_CHANNELS: 'sms',
  SMS_ACCESS_KEY_ID: 'LTAI5tProductionKeyId',
  // An AccessKey secret as Alibaba Cloud issues them: 30 letters and digits.
  SMS_ACCESS_KEY_SECRET: randomBytes(30).toString('base64url').slice(0, 30),
  SMS_SIGN_NAME: '某大学校园卡',
  MESSAGE_TEMPLATES: JSON.stringify({
    sms: { card_status: { code: 'SMS_480000001', keys: ['who', 'what'] } },
  }),
});

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

test('when the SMS channel is on in production with a strong AccessKey secret, then the core starts', () => {
  assert.equal(refusal(strong()), 'started');
});

test('when the SMS AccessKey secret is the demo one, a test one, unset or weak, then the core refuses to start naming it, never the value', () => {
  const weak: Record<string, string | undefined> = {
    unset: undefined,
    'the demo secret (mock/demo/system.ts)': 'demo-sms-access-key-secret',
    'a test secret (core/test/messages-running.test.ts)': 'sms-core-secret',
    'a test secret (core/test/sms-sender.test.ts)': 'sms-sender-test-secret',
    'a placeholder': 'your-sms-secret-change-me-0123456789',
    'one character repeated': 'x'.repeat(30),
  };
  for (const [how, value] of Object.entries(weak)) {
    const message = refusal({ ...strong(), SMS_ACCESS_KEY_SECRET: value });
    assert.match(message, /refuses to start in production: SMS_ACCESS_KEY_SECRET /, how);
    if (value) assert.ok(!message.includes(value), `${how}: the message shows the secret`);
  }
});

test('when SMS is off, then its secret is not asked for', () => {
  const { SMS_ACCESS_KEY_SECRET: _unused, ...env } = strong();
  assert.equal(refusal({ ...env, MESSAGES_CHANNELS: '' }), 'started');
});

test('when SMS_URL has a path or is not http(s), then the core refuses it (the SDK posts to the host root)', () => {
  for (const url of [
    'https://dysmsapi.aliyuncs.com/sms',
    'https://dysmsapi.aliyuncs.com/?x=1',
    'ftp://dysmsapi.aliyuncs.com',
  ]) {
    assert.match(refusal({ ...strong(), SMS_URL: url }), /smsUrl/, url);
  }
  for (const url of [
    'https://dysmsapi.aliyuncs.com',
    'https://dysmsapi.aliyuncs.com/',
    'http://127.0.0.1:7090',
  ])
    assert.equal(refusal({ ...strong(), SMS_URL: url }), 'started', url);
});
