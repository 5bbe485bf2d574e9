import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type AlipayStandIn, startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair, type RsaKeyPair } from '../../mock/alipay/signing.ts';
import { loadConfig } from '../src/config.ts';
import { openPerson } from './students.ts';
import { startWorld, type TestWorld, testAppId } from './support.ts';

const ALIPAY_APP_ID = '2021000100000001';

interface SessionReply {
  accessToken: string;
  refreshToken: string;
  bound: boolean;
  code?: string;
}

describe('Alipay login against the open-platform stand-in through the real alipay-sdk', () => {
  let appKeys: RsaKeyPair;
  let alipay: AlipayStandIn;
  let world: TestWorld;

  before(async () => {
    appKeys = makeRsaKeyPair();
    alipay = await startAlipayStandIn({
      apps: [{ appId: ALIPAY_APP_ID, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id' }],
    });
    world = await startWorld({
      ALIPAY_APP_ID,
      // As an operator writes a PEM into one environment line.
      ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem.replaceAll('\n', '\\n'),
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_TIMEOUT_MS: '2000',
    });
  });

  after(async () => {
    await world.stop();
    await alipay.close();
  });

  const signIn = (code: string) =>
    world.request<SessionReply>('POST', '/api/v1/session/alipay', { body: { code } });

  test('when a person signs in with an Alipay auth code and binds, then the card shows and the session says bound', async () => {
    // Goal: the Alipay login ends in the same session, binding and card as WeChat's.
    alipay.faults.clear();
    const minted = alipay.mintAuthCode(ALIPAY_APP_ID);
    const reply = await signIn(minted.code);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.bound, false);
    const who = await world.request('GET', '/api/v1/session', { token: reply.body.accessToken });
    assert.equal(who.body.openid, `ali-${minted.openId}`, 'the Alipay id under its own namespace');
    const person = await openPerson(world);
    const bound = await world.request('POST', '/api/v1/binding', {
      token: reply.body.accessToken,
      body: { personNo: person.personNo, name: person.name, secret: person.secret },
    });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    const card = await world.request<{ cardNo: string }>('GET', '/api/v1/card', {
      token: reply.body.accessToken,
    });
    assert.equal(card.status, 200, JSON.stringify(card.body));
    assert.equal(card.body.cardNo, person.cardNo);
    // Signing in again from the same app finds the same account, already bound.
    const again = await signIn(alipay.mintAuthCode(ALIPAY_APP_ID, { userId: minted.userId }).code);
    assert.equal(again.status, 200);
    assert.equal(again.body.bound, true);
  });

  test('when an auth code is used twice, then the second sign-in is LOGIN_FAILED and opens no session', async () => {
    alipay.faults.clear();
    const { code } = alipay.mintAuthCode(ALIPAY_APP_ID);
    assert.equal((await signIn(code)).status, 200);
    const replay = await signIn(code);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'LOGIN_FAILED');
    assert.equal(replay.body.accessToken, undefined);
  });

  test("when the gateway answer is signed with a key that is not Alipay's, then the sign-in is refused with ALIPAY_UNAVAILABLE", async () => {
    // Goal: an impostor or tampered oauth.token answer never names who signs in.
    const { code } = alipay.mintAuthCode(ALIPAY_APP_ID);
    alipay.faults.setGlobal({ badResponseSignature: true });
    try {
      const forged = await signIn(code);
      assert.equal(forged.status, 503);
      assert.equal(forged.body.code, 'ALIPAY_UNAVAILABLE');
      assert.equal(forged.body.accessToken, undefined);
      // A forged "bad code" refusal is not believed either: it is no LOGIN_FAILED.
      const forgedRefusal = await signIn(code);
      assert.equal(forgedRefusal.body.code, 'ALIPAY_UNAVAILABLE');
    } finally {
      alipay.faults.clear();
    }
  });

  test('when the Alipay gateway is down, then the sign-in answers ALIPAY_UNAVAILABLE', async () => {
    const { code } = alipay.mintAuthCode(ALIPAY_APP_ID);
    alipay.faults.setGlobal({ gatewayDown: true });
    try {
      const reply = await signIn(code);
      assert.equal(reply.status, 503);
      assert.equal(reply.body.code, 'ALIPAY_UNAVAILABLE');
    } finally {
      alipay.faults.clear();
    }
    // The code was never spent: the same code signs in once the gateway is back.
    assert.equal((await signIn(code)).status, 200);
  });

  test('when a WeChat login answers an openid in the Alipay namespace, then it is refused and opens no session', async () => {
    // Goal: no WeChat answer (or the demo's made-up openids) can sign in as an Alipay account.
    const { code } = world.login.mintCode(testAppId, { openid: `ali-0${randomBytes(20).toString('hex')}` });
    const reply = await world.request<SessionReply>('POST', '/api/v1/session', { body: { code } });
    assert.equal(reply.status, 503);
    assert.equal(reply.body.code, 'WECHAT_UNAVAILABLE');
  });

  test('when 50 sign-ins race with one auth code, then exactly one opens a session and the rest are LOGIN_FAILED', async () => {
    // Goal: a code intercepted and replayed in a burst signs in nobody but its first user.
    alipay.faults.clear();
    const { code } = alipay.mintAuthCode(ALIPAY_APP_ID);
    const replies = await Promise.all(Array.from({ length: 50 }, () => signIn(code)));
    assert.equal(replies.filter((r) => r.status === 200).length, 1);
    assert.equal(replies.filter((r) => r.body.code === 'LOGIN_FAILED').length, 49);
  });

  test('when the body is not a code, then VALIDATION_FAILED', async () => {
    const reply = await world.request('POST', '/api/v1/session/alipay', { body: { code: '' } });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.code, 'VALIDATION_FAILED');
  });
});

describe('Alipay configuration', () => {
  const base = {
    CORE_KEY_ID: 'bff',
    CORE_KEY_SECRET: 'x'.repeat(32),
    JWT_SECRET: 'y'.repeat(32),
    WECHAT_APPID: 'wx',
    WECHAT_APP_SECRET: 's',
  };

  test('when ALIPAY_APP_ID is unset, then Alipay login is off', () => {
    assert.equal(loadConfig(base).alipay, undefined);
  });

  test('when ALIPAY_APP_ID is set without keys, then the start is refused naming the variables, not their values', () => {
    assert.throws(
      () => loadConfig({ ...base, ALIPAY_APP_ID: ALIPAY_APP_ID }),
      /ALIPAY privateKey.*alipayPublicKey/s,
    );
  });

  test('when production points Alipay at plain http or has no app key, then the start is refused', () => {
    const keys = makeRsaKeyPair();
    const production = {
      NODE_ENV: 'production',
      CORE_KEY_ID: 'bff',
      CORE_KEY_SECRET: randomBytes(24).toString('base64url'),
      JWT_SECRET: randomBytes(24).toString('base64url'),
      VIDEO_LINK_SECRET: randomBytes(24).toString('base64url'),
      CAMPUS_SIGNING_KEY: `7:${randomBytes(32).toString('hex')}`,
      WECHAT_APPID: 'wx0123456789abcdef',
      WECHAT_APP_SECRET: randomBytes(16).toString('hex'),
      ALIPAY_APP_ID,
      ALIPAY_PUBLIC_KEY: keys.publicKeyPem,
    };
    assert.throws(() => loadConfig(production), /ALIPAY_PRIVATE_KEY is not set/);
    assert.throws(
      () =>
        loadConfig({
          ...production,
          ALIPAY_PRIVATE_KEY: keys.privateKeyPem,
          ALIPAY_GATEWAY_URL: 'http://127.0.0.1:1/gateway.do',
        }),
      /ALIPAY_GATEWAY_URL must be https/,
    );
    const ok = loadConfig({ ...production, ALIPAY_PRIVATE_KEY: keys.privateKeyPem });
    assert.equal(ok.alipay?.gatewayUrl, 'https://openapi.alipay.com/gateway.do');
  });
  test("when certificate mode is configured, then the certificates are taken; a key with them, half of them, or the stand-in's in production are refused at start", async () => {
    const keys = makeRsaKeyPair();
    const standIn = await startAlipayStandIn({
      apps: [{ appId: ALIPAY_APP_ID, appPublicKey: keys.publicKeyPem, certMode: true }],
    });
    try {
      const certs = {
        ALIPAY_APP_CERT: (standIn.certificates.appCertOf(ALIPAY_APP_ID) ?? '').replaceAll('\n', '\\n'),
        ALIPAY_PUBLIC_CERT: standIn.certificates.alipayPublicCert,
        ALIPAY_ROOT_CERT: standIn.certificates.alipayRootCert,
      };
      const withCerts = { ...base, ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY: keys.privateKeyPem, ...certs };
      const taken = loadConfig(withCerts).alipay;
      assert.equal(taken?.alipayPublicKey, undefined);
      assert.equal(taken?.certs?.appCert, standIn.certificates.appCertOf(ALIPAY_APP_ID), 'written with \\n');
      assert.throws(
        () => loadConfig({ ...withCerts, ALIPAY_PUBLIC_KEY: standIn.alipayPublicKey }),
        /ALIPAY_PUBLIC_KEY \(key mode\) or ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT \(certificate mode\), one of the two/,
      );
      assert.throws(
        () => loadConfig({ ...withCerts, ALIPAY_ROOT_CERT: '' }),
        /certificate mode needs ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT/,
      );
      assert.throws(
        () => loadConfig({ ...withCerts, ALIPAY_PUBLIC_CERT: 'not a certificate' }),
        /ALIPAY certs.alipayPublicCert: a PEM certificate/,
      );
      const production = {
        NODE_ENV: 'production',
        CORE_KEY_ID: 'bff',
        CORE_KEY_SECRET: randomBytes(24).toString('base64url'),
        JWT_SECRET: randomBytes(24).toString('base64url'),
        VIDEO_LINK_SECRET: randomBytes(24).toString('base64url'),
        CAMPUS_SIGNING_KEY: `7:${randomBytes(32).toString('hex')}`,
        WECHAT_APPID: 'wx0123456789abcdef',
        WECHAT_APP_SECRET: randomBytes(16).toString('hex'),
        ALIPAY_APP_ID,
        ALIPAY_PRIVATE_KEY: keys.privateKeyPem,
        ...certs,
      };
      assert.throws(
        () => loadConfig(production),
        /ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT, ALIPAY_ROOT_CERT are the local Alipay stand-in's certificates/,
      );
    } finally {
      await standIn.close();
    }
  });
});
