// The address the SMS provider pushes texts sent back to (POST /api/v1/sms/replies/<SMS_REPLY_TOKEN>) is
// authorised only by its token, and a 退订 there opts a guardian out of every SMS: in production the token
// is judged like every other secret (published, short, patterned → refused, naming it, never its value).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'started';
}

test('when the SMS reply token is strong or unset (the address off), then the BFF starts in production', () => {
  assert.doesNotMatch(refusal({ ...strong(), SMS_REPLY_TOKEN: secret() }), /SMS_REPLY_TOKEN/);
  // README: 24 characters at least.
  assert.doesNotMatch(
    refusal({ ...strong(), SMS_REPLY_TOKEN: randomBytes(18).toString('base64url') }),
    /SMS_REPLY_TOKEN/,
  );
  assert.doesNotMatch(refusal(strong()), /SMS_REPLY_TOKEN/);
});

test('when the SMS reply token is short, patterned or shared with another secret, then the BFF refuses to start naming it, never the value', () => {
  const env = strong();
  for (const token of [
    'tuiding',
    'r'.repeat(40),
    'abcdabcdabcdabcdabcdabcdabcdabcdabcd',
    env.JWT_SECRET as string,
  ]) {
    const message = refusal({ ...env, SMS_REPLY_TOKEN: token });
    assert.match(message, /refuses to start in production: .*SMS_REPLY_TOKEN/, token.slice(0, 4));
    assert.ok(!message.includes(token), 'the message shows the token');
  }
});
