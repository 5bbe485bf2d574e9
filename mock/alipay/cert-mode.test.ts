import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isStandInCertificate } from '@campus-card/core/alipay';
import { certSn, rootCertSn } from './certificates.ts';
import { type AlipayStandIn, startAlipayStandIn } from './server.ts';
import type { RsaKeyPair } from './signing.ts';
import { AlipayGateway, makeAppKeys, type Receiver, startReceiver, waitFor } from './test-support.ts';

// Public-key certificate mode (公钥证书模式, docs/alipay.md § Certificate mode): the stand-in makes a root
// CA, Alipay's public certificate and an app certificate per cert-mode app; the project's AlipayGateway
// gives them to the real alipay-sdk, which sends app_cert_sn and alipay_root_cert_sn and verifies answers
// and notifications with the key of Alipay's certificate.

const CERT_APP = '2021000100000011';
const OTHER_CERT_APP = '2021000100000012';

describe('Alipay certificate mode: the real alipay-sdk against the stand-in', () => {
  let keys: RsaKeyPair;
  let otherKeys: RsaKeyPair;
  let standIn: AlipayStandIn;
  let receiver: Receiver;

  const gatewayOf = (
    overrides: { appCert?: string; alipayPublicCert?: string; alipayRootCert?: string } = {},
  ) =>
    new AlipayGateway({
      appId: CERT_APP,
      privateKey: keys.privateKeyPem,
      certs: {
        appCert: overrides.appCert ?? standIn.certificates.appCertOf(CERT_APP) ?? '',
        alipayPublicCert: overrides.alipayPublicCert ?? standIn.certificates.alipayPublicCert,
        alipayRootCert: overrides.alipayRootCert ?? standIn.certificates.alipayRootCert,
      },
      gatewayUrl: standIn.gatewayUrl,
      timeoutMs: 2_000,
    });

  before(async () => {
    keys = makeAppKeys();
    otherKeys = makeAppKeys();
    standIn = await startAlipayStandIn({
      apps: [
        { appId: CERT_APP, appPublicKey: keys.publicKeyPem, sellerId: '2088000000000011', certMode: true },
        { appId: OTHER_CERT_APP, appPublicKey: otherKeys.publicKeyPem, certMode: true },
      ],
      retryScale: 0.0001,
    });
    const verifier = gatewayOf();
    receiver = await startReceiver((fields) => verifier.verifyNotification(fields));
  });
  after(async () => {
    await standIn.close();
    await receiver.close();
  });

  const create = (gateway: AlipayGateway, outTradeNo: string) =>
    gateway.exec('alipay.trade.create', {
      notify_url: receiver.url,
      bizContent: {
        out_trade_no: outTradeNo,
        total_amount: '8.80',
        subject: '校园卡充值',
        buyer_open_id: 'o-x',
      },
    });

  test('when the app is in cert mode, then the SDK names its certificates by the SNs the stand-in computes apart, the answers verify with the key of Alipay’s certificate, and so does a payment notification', async () => {
    const gateway = gatewayOf();
    const config = gateway.sdk.config as {
      appCertSn?: string;
      alipayRootCertSn?: string;
      alipayCertSn?: string;
    };
    assert.equal(config.appCertSn, certSn(standIn.certificates.appCertOf(CERT_APP) ?? ''));
    assert.equal(config.alipayRootCertSn, rootCertSn(standIn.certificates.alipayRootCert));
    assert.equal(config.alipayCertSn, certSn(standIn.certificates.alipayPublicCert));
    const outTradeNo = `C${randomBytes(8).toString('hex')}`;
    const created = await create(gateway, outTradeNo);
    assert.equal(created.kind, 'ok', JSON.stringify(created));
    const tradeNo = String((created as { data: Record<string, unknown> }).data.trade_no);
    assert.ok(standIn.pay(CERT_APP, { tradeNo }).ok);
    await waitFor(() => receiver.received.some((n) => n.fields.out_trade_no === outTradeNo));
    assert.equal(receiver.received.find((n) => n.fields.out_trade_no === outTradeNo)?.verified, true);
    const queried = await gateway.exec('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } });
    assert.equal((queried as { data: Record<string, unknown> }).data.trade_status, 'TRADE_SUCCESS');
  });

  test('when a request names a certificate not issued to the app, or another root, then the gateway refuses it with its code', async () => {
    const otherAppCert = standIn.certificates.appCertOf(OTHER_CERT_APP) ?? '';
    assert.deepEqual(
      await create(gatewayOf({ appCert: otherAppCert }), `C${randomBytes(8).toString('hex')}`),
      {
        kind: 'refused',
        code: '40002',
        subCode: 'isv.invalid-app-cert-sn',
        subMsg: '应用公钥证书序列号(app_cert_sn)不匹配',
      },
    );
    // A root file with one more root: Alipay's certificate still chains, but the SN is not the current root's.
    const elsewhere = await startAlipayStandIn({ apps: [] });
    try {
      const roots = `${elsewhere.certificates.alipayRootCert}${standIn.certificates.alipayRootCert}`;
      const refused = await create(
        gatewayOf({ alipayRootCert: roots }),
        `C${randomBytes(8).toString('hex')}`,
      );
      assert.equal((refused as { subCode?: string }).subCode, 'isv.invalid-alipay-root-cert-sn');
      // Alipay's certificate of another platform does not chain to this root: refused before any call.
      assert.throws(
        () => gatewayOf({ alipayPublicCert: elsewhere.certificates.alipayPublicCert }),
        /ALIPAY_PUBLIC_CERT is not issued by a certificate of ALIPAY_ROOT_CERT/,
      );
      // Another platform's certificate with its own root chains, but this stand-in's answers are signed
      // with a key that is not that certificate's: nothing in them is trusted.
      const mixed = gatewayOf({
        alipayPublicCert: elsewhere.certificates.alipayPublicCert,
        alipayRootCert: roots,
      });
      assert.deepEqual(await create(mixed, `C${randomBytes(8).toString('hex')}`), {
        kind: 'unavailable',
        reason: 'bad_signature',
      });
    } finally {
      await elsewhere.close();
    }
  });

  test("when an answer is signed with a key that is not Alipay's certificate's, then it is not trusted", async () => {
    standIn.faults.setGlobal({ badResponseSignature: true });
    try {
      assert.deepEqual(await create(gatewayOf(), `C${randomBytes(8).toString('hex')}`), {
        kind: 'unavailable',
        reason: 'bad_signature',
      });
    } finally {
      standIn.faults.clear();
    }
  });

  test('when a gateway is given both a key and certificates, or a certificate that is no PEM, then it refuses to start; every stand-in certificate is recognisable as one', () => {
    assert.throws(
      () =>
        new AlipayGateway({
          appId: CERT_APP,
          privateKey: keys.privateKeyPem,
          alipayPublicKey: standIn.alipayPublicKey,
          certs: {
            appCert: standIn.certificates.appCertOf(CERT_APP) ?? '',
            alipayPublicCert: standIn.certificates.alipayPublicCert,
            alipayRootCert: standIn.certificates.alipayRootCert,
          },
          gatewayUrl: standIn.gatewayUrl,
        }),
      /exactly one/,
    );
    assert.throws(
      () => gatewayOf({ appCert: 'not a certificate' }),
      /ALIPAY_APP_CERT holds no PEM certificate/,
    );
    for (const pem of [
      standIn.certificates.alipayRootCert,
      standIn.certificates.alipayPublicCert,
      standIn.certificates.appCertOf(CERT_APP) ?? '',
    ])
      assert.equal(isStandInCertificate(pem), true);
  });
});

describe('Alipay renews its public certificate (cert mode)', () => {
  let keys: RsaKeyPair;
  let standIn: AlipayStandIn;
  let receiver: Receiver;
  let gateway: AlipayGateway;
  let downloads = 0;

  before(async () => {
    keys = makeAppKeys();
    standIn = await startAlipayStandIn({
      apps: [
        { appId: CERT_APP, appPublicKey: keys.publicKeyPem, sellerId: '2088000000000011', certMode: true },
      ],
      retryScale: 0.0001,
    });
    gateway = new AlipayGateway({
      appId: CERT_APP,
      privateKey: keys.privateKeyPem,
      certs: {
        appCert: standIn.certificates.appCertOf(CERT_APP) ?? '',
        alipayPublicCert: standIn.certificates.alipayPublicCert,
        alipayRootCert: standIn.certificates.alipayRootCert,
      },
      gatewayUrl: standIn.gatewayUrl,
      timeoutMs: 2_000,
    });
    // Counts the certificate downloads the gateway makes through its SDK.
    const exec = gateway.sdk.exec.bind(gateway.sdk);
    gateway.sdk.exec = ((
      method: string,
      ...rest: Parameters<typeof exec> extends [string, ...infer R] ? R : never
    ) => {
      if (method === 'alipay.open.app.alipaycert.download') downloads += 1;
      return exec(method, ...rest);
    }) as typeof gateway.sdk.exec;
    receiver = await startReceiver((fields) => gateway.verifyNotification(fields));
  });
  after(async () => {
    await standIn.close();
    await receiver.close();
  });

  const create = (outTradeNo: string) =>
    gateway.exec('alipay.trade.create', {
      notify_url: receiver.url,
      bizContent: {
        out_trade_no: outTradeNo,
        total_amount: '8.80',
        subject: '校园卡充值',
        buyer_open_id: 'o-x',
      },
    });
  const paidAndNotified = async () => {
    const outTradeNo = `R${randomBytes(8).toString('hex')}`;
    const created = await create(outTradeNo);
    assert.ok(created.kind === 'ok', JSON.stringify(created));
    assert.ok(standIn.pay(CERT_APP, { tradeNo: String(created.data.trade_no) }).ok);
    await waitFor(() => receiver.received.some((n) => n.fields.out_trade_no === outTradeNo));
    return receiver.received.filter((n) => n.fields.out_trade_no === outTradeNo).map((n) => n.verified);
  };

  test('when Alipay renews its certificate, then the first answers naming the new SN have it downloaded once, checked against the root and used: those answers verify, and so do later answers and notifications', async () => {
    const first = gateway.alipayCertSn;
    assert.equal(first, certSn(standIn.certificates.alipayPublicCert));
    assert.deepEqual(await paidAndNotified(), [true]);

    const renewed = standIn.rotateAlipayCertificate();
    assert.notEqual(renewed.sn, first);
    const together = await Promise.all(
      Array.from({ length: 5 }, () => create(`R${randomBytes(8).toString('hex')}`)),
    );
    assert.deepEqual(
      together.map((r) => r.kind),
      ['ok', 'ok', 'ok', 'ok', 'ok'],
    );
    assert.equal(downloads, 1);
    assert.equal(gateway.alipayCertSn, renewed.sn);
    // From now on the new key verifies without another download, answers and notifications alike.
    assert.deepEqual(await paidAndNotified(), [true]);
    assert.equal(downloads, 1);
  });

  test('when a renewed certificate does not chain to the configured root, then nothing signed with its key is trusted and the certificate in force stays', async () => {
    const inForce = gateway.alipayCertSn;
    const forged = standIn.rotateAlipayCertificate({ foreignRoot: true });
    assert.deepEqual(await create(`R${randomBytes(8).toString('hex')}`), {
      kind: 'unavailable',
      reason: 'bad_signature',
    });
    assert.equal(gateway.alipayCertSn, inForce);
    assert.notEqual(forged.sn, inForce);
    // Alipay renews again, properly: trusted again.
    const renewed = standIn.rotateAlipayCertificate();
    assert.equal((await create(`R${randomBytes(8).toString('hex')}`)).kind, 'ok');
    assert.equal(gateway.alipayCertSn, renewed.sn);
  });
});
