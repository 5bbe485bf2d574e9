import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type AlipayStandIn, startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair, type RsaKeyPair } from '../../mock/alipay/signing.ts';
import { loadConfig } from '../src/config.ts';
import type { MessageRepository } from '../src/messages/message-repository.ts';
import { messageSenders } from '../src/wiring/messages.ts';

// The core's Alipay template messages in public-key certificate mode (docs/alipay.md § Certificate
// mode): the same three variables as the BFF's, instead of ALIPAY_PUBLIC_KEY.

const APP_ID = '2021000100000031';

describe('Alipay template messages in certificate mode', () => {
  let keys: RsaKeyPair;
  let standIn: AlipayStandIn;
  let certs: Record<string, string>;
  before(async () => {
    keys = makeRsaKeyPair();
    standIn = await startAlipayStandIn({
      apps: [{ appId: APP_ID, appPublicKey: keys.publicKeyPem, certMode: true }],
    });
    certs = {
      ALIPAY_APP_CERT: standIn.certificates.appCertOf(APP_ID) ?? '',
      ALIPAY_PUBLIC_CERT: standIn.certificates.alipayPublicCert.replaceAll('\n', '\\n'),
      ALIPAY_ROOT_CERT: standIn.certificates.alipayRootCert,
    };
  });
  after(() => standIn.close());

  const env = (extra: Record<string, string> = {}) =>
    ({
      MESSAGES_CHANNELS: 'alipay',
      ALIPAY_APP_ID: APP_ID,
      ALIPAY_PRIVATE_KEY: keys.privateKeyPem,
      ALIPAY_GATEWAY_URL: standIn.gatewayUrl,
      ...extra,
    }) as NodeJS.ProcessEnv;

  test('when the certificates are configured, then a template message goes out through them, the answer verified with the key of Alipay’s certificate', async () => {
    const config = loadConfig(env(certs));
    assert.equal(config.alipayPublicKey, undefined);
    const sender = messageSenders(config, {} as MessageRepository).alipay;
    const to = `o${randomBytes(8).toString('hex')}`;
    assert.deepEqual(await sender?.send(to, 'hold_released', { fields: ['a', '¥3.20', 'c'] }, 'm-1'), {
      outcome: 'sent',
    });
    assert.equal(standIn.templateMessages.filter((m) => m.toUser === to).length, 1);
  });

  test('when alipay is on with neither the key nor all three certificates, or in production with the stand-in’s, then the core refuses to start', () => {
    assert.throws(
      () => loadConfig(env({ ALIPAY_APP_CERT: certs.ALIPAY_APP_CERT ?? '' })),
      /MESSAGES_CHANNELS needs ALIPAY_PUBLIC_KEY \(or ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT and ALIPAY_ROOT_CERT\)/,
    );
    const secret = () => randomBytes(24).toString('base64url');
    assert.throws(
      () =>
        loadConfig(
          env({
            ...certs,
            NODE_ENV: 'production',
            CORE_SERVICE_KEYS: `bff:${secret()},gateway:${secret()}`,
            PII_KEY: randomBytes(32).toString('hex'),
            PHOTO_KEY: randomBytes(32).toString('hex'),
            CENTRE_ID: 'NJU01',
            MESSAGE_TEMPLATES: JSON.stringify({
              alipay: { hold_released: { id: 'tpl-1', keys: ['a', 'b', 'c'] } },
            }),
          }),
        ),
      /ALIPAY_APP_CERT, ALIPAY_PUBLIC_CERT, ALIPAY_ROOT_CERT are the local Alipay stand-in's certificates/,
    );
  });
});
