import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CODE_TTL_MS, LoginCodes } from './login/codes.ts';
import { type LoginStandIn, startLoginStandIn } from './login/server.ts';

const APPID = 'wx0123456789abcdef';
const SECRET = 'test-app-secret';

async function code2session(
  baseUrl: string,
  jsCode: string,
  secret = SECRET,
): Promise<Record<string, unknown>> {
  const query = new URLSearchParams({
    appid: APPID,
    secret,
    js_code: jsCode,
    grant_type: 'authorization_code',
  });
  const response = await fetch(`${baseUrl}/sns/jscode2session?${query}`);
  assert.equal(response.status, 200);
  // The real endpoint answers text/plain; parsing the text is what our BFF must do too.
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return JSON.parse(await response.text()) as Record<string, unknown>;
}

describe('code2session stand-in', () => {
  let standIn: LoginStandIn;
  before(async () => {
    standIn = await startLoginStandIn({ apps: { [APPID]: SECRET } });
  });
  after(() => standIn.close());

  test('when a minted code is exchanged, then the chosen openid and a session key come back', async () => {
    // Goal: tests and the H5 demo can log in as a user of their choosing.
    const { code } = standIn.mintCode(APPID, { openid: 'o-student-1', unionid: 'u-1' });
    const session = await code2session(standIn.baseUrl, code);
    assert.equal(session.openid, 'o-student-1');
    assert.equal(session.unionid, 'u-1');
    assert.equal(typeof session.session_key, 'string');
  });

  test('when a code is minted over HTTP, then it logs in once', async () => {
    // Goal: the H5 demo, which cannot import functions, mints codes through the mock route.
    const minted = await fetch(`${standIn.baseUrl}/__mock/login-code`, {
      method: 'POST',
      body: JSON.stringify({ appid: APPID }),
    });
    const { code, openid } = (await minted.json()) as { code: string; openid: string };
    assert.equal((await code2session(standIn.baseUrl, code)).openid, openid);
  });

  test('when a code is used twice, then the second answer is 40163', async () => {
    // Goal: codes are single use, so a replayed code never opens a second session.
    const { code } = standIn.mintCode(APPID);
    await code2session(standIn.baseUrl, code);
    assert.deepEqual(await code2session(standIn.baseUrl, code), { errcode: 40163, errmsg: 'code been used' });
  });

  test('when a code was never issued, then the answer is 40029', async () => {
    // Goal: made-up codes are refused with WeChat's own error.
    assert.equal((await code2session(standIn.baseUrl, 'not-a-code')).errcode, 40029);
  });

  test('when the app secret is wrong, then no session is made', async () => {
    // Goal: the stand-in checks credentials, so a misconfigured BFF fails in tests as in production.
    const { code } = standIn.mintCode(APPID);
    assert.equal((await code2session(standIn.baseUrl, code, 'wrong')).errcode, 40125);
  });

  test('when WeChat is made busy, then the answer is -1 and the code still works afterwards', async () => {
    // Goal: our client's retry on -1 can be tested without losing the user's code.
    const { code, openid } = standIn.mintCode(APPID);
    standIn.failNext(1);
    assert.equal((await code2session(standIn.baseUrl, code)).errcode, -1);
    assert.equal((await code2session(standIn.baseUrl, code)).openid, openid);
  });
});

describe('login codes', () => {
  test('when five minutes have passed, then a code is invalid', () => {
    // Goal: codes live exactly as long as WeChat's.
    let nowMs = 1_000_000;
    const codes = new LoginCodes(() => nowMs);
    const code = codes.mint(APPID, { openid: 'o1' });
    nowMs += CODE_TTL_MS;
    assert.deepEqual(codes.redeem(APPID, code), { ok: false, reason: 'invalid' });
  });

  test('when more calls arrive than the limit allows, then the answer is 45011', async () => {
    // Goal: our client's handling of WeChat's rate limit can be exercised.
    const limited = await startLoginStandIn({
      apps: { [APPID]: SECRET },
      requestsPerSecondMax: 1,
      now: () => 5,
    });
    try {
      await code2session(limited.baseUrl, 'x');
      assert.equal((await code2session(limited.baseUrl, 'x')).errcode, 45011);
    } finally {
      await limited.close();
    }
  });
});
