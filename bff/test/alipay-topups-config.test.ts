import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { shanghaiToday } from '../../core/src/time.ts';
import { startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair } from '../../mock/alipay/signing.ts';
import { fenToYuan, outRequestNoOf, yuanToFen } from '../src/services/alipay-pay.ts';
import type { TopUpView } from '../src/services/top-ups/top-up-service.ts';
import { ALIPAY_APP_ID, eventually, freePort, SELLER_ID } from './alipay-topups-support.ts';
import { openPerson } from './students.ts';
import { startWorld } from './support.ts';

/** How the BFF is set up for Alipay top-ups: its wire conversions, and servers with Alipay alone or without it. */
describe('Alipay top-ups: conversions and configuration', () => {
  test('refund ids become distinct out_request_no values of letters, digits and _', () => {
    assert.equal(outRequestNoOf('adm-abc'), 'adm_2Dabc');
    assert.notEqual(outRequestNoOf('adm-abc'), outRequestNoOf('adm_2Dabc'));
    assert.match(outRequestNoOf(`apr-${'-'.repeat(60)}`), /^h[0-9a-f]{63}$/);
    for (const id of ['adm-x', 'a|b*c@d', 'x'.repeat(64)])
      assert.match(outRequestNoOf(id), /^[A-Za-z0-9_]{1,64}$/);
  });

  test('yuan strings convert to fen exactly, without floats', () => {
    assert.equal(yuanToFen('0.29'), 29);
    assert.equal(yuanToFen('12.5'), 1250);
    assert.equal(yuanToFen('1000.07'), 100_007);
    for (const bad of ['12.505', '-1.00', '1e3', ' 1.00', '01.00', '1.', '', '0x10'])
      assert.equal(yuanToFen(bad), undefined, bad);
    assert.equal(fenToYuan(29), '0.29');
    assert.equal(fenToYuan(100_007), '1000.07');
  });

  test('when Alipay is not configured, then its notify route answers fail (503) so Alipay keeps the notification', async () => {
    const bare = await startWorld({});
    try {
      const notify = await fetch(`${bare.bff.url}/api/v1/pay/alipay/notify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'trade_no=1',
      });
      assert.equal(notify.status, 503);
      assert.equal(await notify.text(), 'fail');
    } finally {
      await bare.stop();
    }
  });

  test('when only Alipay is configured, then an Alipay student tops up and is credited once, the poller and reconciliation run, and WeChat Pay answers UNAVAILABLE', async () => {
    const appKeys = makeRsaKeyPair();
    const alipay = await startAlipayStandIn({
      apps: [
        { appId: ALIPAY_APP_ID, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id', sellerId: SELLER_ID },
      ],
      billsSameDay: true,
    });
    const port = await freePort();
    const world = await startWorld({
      BFF_PORT: String(port),
      TOP_UP_POLL_INTERVAL_MS: '0',
      TOP_UP_POLL_AFTER_MS: '0',
      ALIPAY_APP_ID,
      ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem,
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_SELLER_ID: SELLER_ID,
      ALIPAY_NOTIFY_URL: `http://127.0.0.1:${port}/api/v1/pay/alipay/notify`,
    });
    try {
      assert.equal(world.bff.bff.config.topUps, undefined, 'no WeChat Pay merchant');
      const minted = alipay.mintAuthCode(ALIPAY_APP_ID);
      const session = await world.request<{ accessToken: string }>('POST', '/api/v1/session/alipay', {
        body: { code: minted.code },
      });
      const person = await openPerson(world);
      await world.request('POST', '/api/v1/binding', {
        token: session.body.accessToken,
        body: { personNo: person.personNo, name: person.name, secret: person.secret },
      });
      const limits = await world.request<{ minAmount: number }>('GET', '/api/v1/top-ups/limits', {
        token: session.body.accessToken,
      });
      assert.equal(limits.status, 200);
      assert.deepEqual((limits.body as { channels?: string[] }).channels, ['alipay']);
      const created = await world.request<TopUpView>('POST', '/api/v1/top-ups', {
        token: session.body.accessToken,
        body: { amount: 1_500, channel: 'alipay' },
        headers: { 'idempotency-key': `key-${randomBytes(8).toString('hex')}` },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(created.body.alipay?.tradeNO);
      assert.ok(alipay.pay(ALIPAY_APP_ID, { tradeNo: created.body.alipay.tradeNO }).ok);
      await eventually(
        async () => (await world.core.client.topUpOrder(created.body.id)).status === 'credited',
      );
      assert.equal((await world.core.client.getCard(person.cardNo)).balance.main, 1_500);
      const report = await world.bff.bff.topUps?.pollOnce();
      assert.equal(report?.failed, 0, JSON.stringify(report));
      const mismatches = await world.bff.bff.topUps?.reconcile(shanghaiToday());
      assert.deepEqual(
        mismatches?.filter((m) => m.outTradeNo === created.body.id),
        [],
      );
      // A WeChat account asking for WeChat Pay, and WeChat's notify route: not configured here.
      const wechatUser = world.login.mintCode('wx0123456789abcdef', {});
      const wx = await world.request<{ accessToken: string }>('POST', '/api/v1/session', {
        body: { code: wechatUser.code },
      });
      const other = await openPerson(world);
      await world.request('POST', '/api/v1/binding', {
        token: wx.body.accessToken,
        body: { personNo: other.personNo, name: other.name, secret: other.secret },
      });
      const refused = await world.request<{ code: string }>('POST', '/api/v1/top-ups', {
        token: wx.body.accessToken,
        body: { amount: 1_500 },
      });
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'UNAVAILABLE');
      const notify = await fetch(`${world.bff.url}/api/v1/pay/notify`, { method: 'POST', body: '{}' });
      assert.equal(notify.status, 503);
    } finally {
      await world.stop();
      await alipay.close();
    }
  });
  test('when Alipay is configured in certificate mode, then a student signs in, tops up and is credited once, a refund goes through, and the day reconciles with no difference', async () => {
    const appKeys = makeRsaKeyPair();
    const alipay = await startAlipayStandIn({
      apps: [
        {
          appId: ALIPAY_APP_ID,
          appPublicKey: appKeys.publicKeyPem,
          idMode: 'open_id',
          sellerId: SELLER_ID,
          certMode: true,
        },
      ],
      billsSameDay: true,
    });
    const port = await freePort();
    const world = await startWorld({
      BFF_PORT: String(port),
      TOP_UP_POLL_INTERVAL_MS: '0',
      TOP_UP_POLL_AFTER_MS: '0',
      ADJUSTMENT_APPROVAL_ABOVE: '100000000',
      ALIPAY_APP_ID,
      ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem,
      ALIPAY_APP_CERT: alipay.certificates.appCertOf(ALIPAY_APP_ID) ?? '',
      ALIPAY_PUBLIC_CERT: alipay.certificates.alipayPublicCert,
      ALIPAY_ROOT_CERT: alipay.certificates.alipayRootCert,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_SELLER_ID: SELLER_ID,
      ALIPAY_NOTIFY_URL: `http://127.0.0.1:${port}/api/v1/pay/alipay/notify`,
    });
    try {
      assert.equal(world.bff.bff.config.alipay?.alipayPublicKey, undefined, 'certificate mode, no bare key');
      const minted = alipay.mintAuthCode(ALIPAY_APP_ID);
      const session = await world.request<{ accessToken: string }>('POST', '/api/v1/session/alipay', {
        body: { code: minted.code },
      });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const person = await openPerson(world);
      await world.request('POST', '/api/v1/binding', {
        token: session.body.accessToken,
        body: { personNo: person.personNo, name: person.name, secret: person.secret },
      });
      const created = await world.request<TopUpView>('POST', '/api/v1/top-ups', {
        token: session.body.accessToken,
        body: { amount: 2_000, channel: 'alipay' },
        headers: { 'idempotency-key': `key-${randomBytes(8).toString('hex')}` },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(created.body.alipay?.tradeNO);
      assert.ok(alipay.pay(ALIPAY_APP_ID, { tradeNo: created.body.alipay.tradeNO }).ok);
      // The notification is verified with the key of Alipay's certificate.
      await eventually(
        async () => (await world.core.client.topUpOrder(created.body.id)).status === 'credited',
      );
      assert.equal((await world.core.client.getCard(person.cardNo)).balance.main, 2_000);
      const refund = await world.bff.bff.topUps?.refund(created.body.id, {
        refundId: `cert${randomBytes(6).toString('hex')}`,
        amount: 500,
        reason: '退款',
      });
      assert.equal(refund?.status, 'succeeded');
      const mismatches = await world.bff.bff.topUps?.reconcile(shanghaiToday());
      assert.deepEqual(
        mismatches?.filter((m) => m.outTradeNo === created.body.id),
        [],
      );
    } finally {
      await world.stop();
      await alipay.close();
    }
  });
});
