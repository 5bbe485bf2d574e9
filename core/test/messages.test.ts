import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type AlipayStandIn, startAlipayStandIn } from '../../mock/alipay/server.ts';
import { APP_ID as ALIPAY_APP_ID, makeAppKeys } from '../../mock/alipay/test-support.ts';
import { startSmsStandIn } from '../../mock/sms/server.ts';
import { type MessageStandIn, startMessageStandIn } from '../../mock/wechat/messages/server.ts';
import { setShanghaiTime } from '../../tests/clock.ts';
import { BindingRepository } from '../src/bindings/binding-repository.ts';
import { createLogger } from '../src/log.ts';
import { AlipayMessageSender } from '../src/messages/alipay-sender.ts';
import { MessageDelivery } from '../src/messages/message-delivery.ts';
import { MessageRepository } from '../src/messages/message-repository.ts';
import { MessageService } from '../src/messages/message-service.ts';
import { type MessageKind, messageKinds } from '../src/messages/message-types.ts';
import { quietUntil } from '../src/messages/quiet-hours.ts';
import { SmsSender } from '../src/messages/sms-sender.ts';
import { TheftAlerts, theftAlertPage } from '../src/messages/theft-alerts.ts';
import { WechatMessageSender } from '../src/messages/wechat-sender.ts';
import { shanghaiToday } from '../src/time.ts';

const APPID = 'wxmessages0000001';
const SECRET = 'messages-test-secret';
const templates = Object.fromEntries(
  messageKinds.map((k) => [k, { id: `tpl-${k}`, keys: ['thing1', 'amount2', 'time3'] }]),
) as Record<MessageKind, { id: string; keys: string[] }>;
const silent = createLogger('test', 'silent');

test('quiet hours wrap a Shanghai midnight and end at their end minute', () => {
  // 2026-12-06 15:30 UTC = 23:30 Shanghai; 22:00–07:00 ends 2026-12-06 23:00 UTC (07:00 Shanghai on the 7th).
  assert.equal(quietUntil(Date.UTC(2026, 11, 6, 15, 30), 22 * 60, 7 * 60), Date.UTC(2026, 11, 6, 23, 0));
  // 00:30 Shanghai on the 7th is 16:30 UTC on the 6th: still quiet, same end.
  assert.equal(quietUntil(Date.UTC(2026, 11, 6, 16, 30), 22 * 60, 7 * 60), Date.UTC(2026, 11, 6, 23, 0));
  assert.equal(quietUntil(Date.UTC(2026, 11, 6, 23, 0), 22 * 60, 7 * 60), undefined);
  assert.equal(quietUntil(Date.UTC(2026, 11, 6, 5, 0), 12 * 60, 14 * 60), Date.UTC(2026, 11, 6, 6, 0));
  assert.equal(quietUntil(Date.UTC(2026, 11, 6, 5, 0), 0, 0), undefined);
});

for (const dialect of dialects) {
  describe(`messages outside the app (${dialect})`, () => {
    let t: TestCore;
    let wx: MessageStandIn;
    let repo: MessageRepository;
    let service: MessageService;
    let bindings: BindingRepository;
    let serial = 0;
    const sender = () =>
      new WechatMessageSender(repo, { baseUrl: wx.baseUrl, appId: APPID, appSecret: SECRET, templates });
    const worker = (now?: () => number) =>
      new MessageDelivery(repo, service, { wechat: sender() }, silent, {
        backoffBaseMs: 1_000,
        leaseMs: 60_000,
        ...(now ? { now } : {}),
      });
    /** A bound student with `consents` one-time consents for every kind. */
    const student = async (consents = 1) => {
      const card = await t.client.getCard(await openStudent(t.client));
      serial += 1;
      const openid = `o-msg-${process.pid}-${serial}`;
      await bindings.insert(openid, card.personId, card.cardNo);
      for (let i = 0; i < consents; i += 1) await service.consent(card.personId, 'wechat', messageKinds);
      return { personNo: card.personNo, personId: card.personId, cardNo: card.cardNo, openid };
    };
    const event = (kind: MessageKind = 'low_balance') => {
      serial += 1;
      return { key: `ev-${process.pid}-${serial}`, kind, fields: ['余额不足', '¥3.20', '2026-12-07 08:00'] };
    };
    const deliveredTo = (openid: string) => wx.delivered.filter((m) => m.touser === openid).length;

    let ali: AlipayStandIn;
    let alipaySender: AlipayMessageSender;
    before(async () => {
      t = await startTestCore(dialect);
      wx = await startMessageStandIn({ apps: { [APPID]: SECRET } });
      const keys = makeAppKeys();
      ali = await startAlipayStandIn({ apps: [{ appId: ALIPAY_APP_ID, appPublicKey: keys.publicKeyPem }] });
      alipaySender = new AlipayMessageSender({
        appId: ALIPAY_APP_ID,
        privateKey: keys.privateKeyPem,
        alipayPublicKey: ali.alipayPublicKey,
        gatewayUrl: ali.gatewayUrl,
        templates,
      });
      repo = new MessageRepository(t.core.db);
      bindings = new BindingRepository(t.core.db);
      service = new MessageService(repo, bindings);
    });
    after(async () => {
      await ali.close();
      await wx.close();
      await t.stop();
    });

    test('when an event is sent twice, then the person gets it once, with the template and data', async () => {
      const s = await student(2);
      const e = event();
      assert.deepEqual(await service.send(s.personNo, e), { queued: ['wechat'], already: [] });
      assert.deepEqual(await service.send(s.personNo, e), { queued: [], already: ['wechat'] });
      await worker().runOnce();
      await worker().runOnce();
      assert.equal(deliveredTo(s.openid), 1);
      const got = wx.delivered.find((m) => m.touser === s.openid);
      assert.equal(got?.templateId, 'tpl-low_balance');
      assert.deepEqual(got?.data.amount2, { value: '¥3.20' });
      assert.equal((await repo.outboxRow(e.key, s.personId, 'wechat'))?.status, 'sent');
      // One of the two consents was used.
      assert.equal(await repo.remainingConsents(s.personId, 'wechat', 'low_balance'), 1);
    });

    test('when the person gave no consent, opted out, or did not ask for receipts, then nothing is sent and the row says why', async () => {
      const none = await student(0);
      const e1 = event();
      await service.send(none.personNo, e1);
      const out = await student(1);
      await service.setPreferences(out.personId, {
        quietStartMin: 0,
        quietEndMin: 0,
        optedOut: ['news'],
        receipts: false,
        lowBalanceFen: null,
      });
      const e2 = event('news');
      const e3 = event('receipt');
      await service.send(out.personNo, e2);
      await service.send(out.personNo, e3);
      await worker().runOnce();
      assert.equal(deliveredTo(none.openid) + deliveredTo(out.openid), 0);
      assert.equal((await repo.outboxRow(e1.key, none.personId, 'wechat'))?.lastError, 'no_consent');
      assert.equal((await repo.outboxRow(e2.key, out.personId, 'wechat'))?.lastError, 'opted_out');
      assert.equal((await repo.outboxRow(e3.key, out.personId, 'wechat'))?.lastError, 'not_opted_in');
    });

    test('when the token expired, then two instances refresh it once between them and both messages go out', async () => {
      const a = await student(2);
      const b = await student();
      await service.send(a.personNo, event());
      await worker().runOnce();
      const issued = wx.tokensIssued();
      wx.faults.expireTokens();
      await service.send(a.personNo, event());
      await service.send(b.personNo, event());
      const one = new MessageDelivery(repo, service, { wechat: sender() }, silent, { batchMax: 1 });
      const two = new MessageDelivery(repo, service, { wechat: sender() }, silent, { batchMax: 1 });
      await Promise.all([one.runOnce(), two.runOnce()]);
      assert.equal(wx.tokensIssued(), issued + 1);
      assert.equal(deliveredTo(a.openid), 2);
      assert.equal(deliveredTo(b.openid), 1);
    });

    test('when the user refused (43101), then the row is refused and never retried', async () => {
      const s = await student();
      wx.faults.refuse(s.openid);
      const e = event();
      await service.send(s.personNo, e);
      await worker().runOnce();
      await worker(() => Date.now() + 3_600_000).runOnce();
      const row = await repo.outboxRow(e.key, s.personId, 'wechat');
      assert.equal(row?.status, 'refused');
      assert.equal(row?.lastError, 'wechat_43101');
      assert.equal(row?.attempts, 1);
      assert.equal(deliveredTo(s.openid), 0);
    });

    test('when rate limited or down, then it is retried after a backoff and delivered once', async () => {
      const s = await student();
      const limited = event();
      const down = event();
      await service.send(s.personNo, limited);
      wx.faults.rateLimit(1);
      await worker().runOnce();
      let row = await repo.outboxRow(limited.key, s.personId, 'wechat');
      assert.equal(row?.status, 'pending');
      assert.equal(row?.lastError, 'wechat_45009');
      assert.ok((row?.nextAtMs ?? 0) > Date.now());
      // Not before the backoff.
      await worker().runOnce();
      assert.equal(deliveredTo(s.openid), 0);
      await worker(() => Date.now() + 2_000).runOnce();
      assert.equal(deliveredTo(s.openid), 1);

      await service.consent(s.personId, 'wechat', ['low_balance']);
      wx.faults.down(true);
      await service.send(s.personNo, down);
      await worker(() => Date.now() + 2_000).runOnce();
      row = await repo.outboxRow(down.key, s.personId, 'wechat');
      assert.equal(row?.status, 'pending');
      assert.equal(row?.lastError, 'http_503');
      // The consent was given back: the platform did not take the message.
      assert.equal(await repo.remainingConsents(s.personId, 'wechat', 'low_balance'), 1);
      wx.faults.down(false);
      await worker(() => Date.now() + 10_000).runOnce();
      assert.equal((await repo.outboxRow(down.key, s.personId, 'wechat'))?.status, 'sent');
      assert.equal(deliveredTo(s.openid), 2);
    });

    test('when retries are spent, then the row is failed and listed for the backoffice', async () => {
      const queuedDay = shanghaiToday();
      const s = await student();
      const e = event();
      await service.send(s.personNo, e);
      wx.faults.down(true);
      const w = (ahead: number) =>
        new MessageDelivery(repo, service, { wechat: sender() }, silent, {
          attemptsMax: 2,
          backoffBaseMs: 1_000,
          now: () => Date.now() + ahead,
        });
      await w(0).runOnce();
      await w(5_000).runOnce();
      wx.faults.down(false);
      const row = await repo.outboxRow(e.key, s.personId, 'wechat');
      assert.equal(row?.status, 'failed');
      assert.equal(row?.attempts, 2);
      const failures = await service.failures();
      assert.ok(
        failures.some((f) => f.eventKey === e.key && f.status === 'failed' && f.lastError === 'http_503'),
      );
      const counts = await service.dailyCounts(0);
      const days = [queuedDay, shanghaiToday()];
      assert.ok(
        counts.some(
          (c) =>
            days.includes(c.day) &&
            c.channel === 'wechat' &&
            c.kind === 'low_balance' &&
            c.status === 'failed' &&
            c.count >= 1,
        ),
      );
    });

    test('when a worker stops after the request left, then the restarted one never sends it again (at most once)', async () => {
      const s = await student(2);
      const e = event();
      await service.send(s.personNo, e);
      const dying = worker();
      dying.afterSendHook = async () => {
        throw new Error('process stopped');
      };
      await assert.rejects(dying.runOnce(), /process stopped/);
      assert.equal(deliveredTo(s.openid), 1);
      assert.equal((await repo.outboxRow(e.key, s.personId, 'wechat'))?.status, 'sending');
      // The restarted worker, after the dead one's lease ran out.
      await worker(() => Date.now() + 120_000).runOnce();
      assert.equal(deliveredTo(s.openid), 1);
      const row = await repo.outboxRow(e.key, s.personId, 'wechat');
      assert.equal(row?.status, 'unknown');
      assert.equal(row?.lastError, 'worker_stopped_while_sending');
    });

    test('when a worker stops after claiming but before sending, then the restarted one sends it once', async () => {
      const s = await student();
      const e = event();
      await service.send(s.personNo, e);
      const claimed = await repo.claim('dead-worker', Date.now(), Date.now() + 60_000, 100);
      assert.ok(claimed.some((r) => r.eventKey === e.key));
      await worker().runOnce();
      assert.equal(deliveredTo(s.openid), 0);
      await worker(() => Date.now() + 120_000).runOnce();
      await worker(() => Date.now() + 240_000).runOnce();
      assert.equal(deliveredTo(s.openid), 1);
    });

    test('when an event comes in quiet hours across a Shanghai midnight, then it waits for their end', async () => {
      const s = await student();
      await service.setPreferences(s.personId, {
        quietStartMin: 22 * 60,
        quietEndMin: 7 * 60,
        optedOut: [],
        receipts: false,
        lowBalanceFen: null,
      });
      setShanghaiTime('23:59:57');
      const e = event();
      await service.send(s.personNo, e);
      await worker().runOnce();
      const row = await repo.outboxRow(e.key, s.personId, 'wechat');
      assert.equal(row?.status, 'pending');
      assert.equal(row?.lastError, 'quiet_hours');
      setShanghaiTime('00:00:05');
      await worker().runOnce();
      assert.equal(deliveredTo(s.openid), 0);
      const morning = setShanghaiTime('07:00:01');
      assert.ok((row?.nextAtMs ?? 0) <= morning && (row?.nextAtMs ?? 0) > morning - 2_000);
      await worker().runOnce();
      assert.equal(deliveredTo(s.openid), 1);
    });

    test("when campus insight flags a card in the student's quiet hours, then the student is told once by WeChat at once (a rate limit retried), bound in no app once by SMS; a rerun sends nothing more", async () => {
      // Goal: the theft alert reaches the student outside the app at most once per alert, at any hour, and opens the freeze.
      const night = {
        quietStartMin: 22 * 60,
        quietEndMin: 7 * 60,
        optedOut: [],
        receipts: false,
        lowBalanceFen: null,
      };
      const notice = (personId: string, cardNo: string, evidence: { amount: number }[]) => {
        serial += 1;
        return {
          id: `Xtheft${process.pid}n${serial}`,
          personId,
          kind: 'insight_abnormal',
          title: '校园卡异常消费提醒',
          body: '…',
          data: {
            action: 'freeze',
            cardNo,
            evidence: evidence.map((e, i) => ({ id: `p${i}`, atMs: Date.now(), merchantId: 'M', ...e })),
          },
          createdAtMs: Date.now(),
        };
      };
      const s = await student();
      await service.setPreferences(s.personId, night);
      setShanghaiTime('23:30:00');
      const alerts = new TheftAlerts(service);
      const flagged = notice(s.personId, s.cardNo, [{ amount: 2_450 }, { amount: 3_300 }]);
      await alerts.abnormal([flagged]);
      await alerts.abnormal([flagged]);
      const low = event('low_balance');
      await service.send(s.personNo, low);
      wx.faults.rateLimit(1);
      await worker().runOnce();
      const key = `abnormal:${flagged.id}`;
      assert.equal((await repo.outboxRow(key, s.personId, 'wechat'))?.lastError, 'wechat_45009');
      await worker(() => Date.now() + 2_000).runOnce();
      await alerts.abnormal([flagged]);
      await worker(() => Date.now() + 10_000).runOnce();
      const got = wx.delivered.filter((m) => m.touser === s.openid);
      assert.deepEqual(
        got.map((m) => [m.templateId, m.page, m.data.thing1?.value, m.data.amount2?.value]),
        [['tpl-theft_alert', theftAlertPage, '你的校园卡有异常消费', '共2笔 ¥57.50']],
      );
      // Quiet hours still hold every other kind.
      assert.equal((await repo.outboxRow(low.key, s.personId, 'wechat'))?.lastError, 'quiet_hours');

      const sms = await startSmsStandIn({ keys: { LTAItheft: 'sms-secret' }, signNames: ['校园卡'] });
      try {
        const card = await t.client.getCard(await openStudent(t.client));
        const smsService = new MessageService(repo, bindings, {
          smsPhoneOf: async (id) => (id === card.personId ? '13700137000' : undefined),
        });
        await smsService.setPreferences(card.personId, night);
        const smsWorker = (ahead: number) =>
          new MessageDelivery(
            repo,
            smsService,
            {
              sms: new SmsSender({
                endpoint: sms.baseUrl,
                accessKeyId: 'LTAItheft',
                accessKeySecret: 'sms-secret',
                signName: '校园卡',
                templates: { theft_alert: { code: 'SMS_0009', keys: ['what', 'amount', 'at'] } },
              }),
            },
            silent,
            { backoffBaseMs: 1_000, now: () => Date.now() + ahead },
          );
        const prompt = notice(card.personId, card.cardNo, []);
        const smsAlerts = new TheftAlerts(smsService);
        await smsAlerts.abnormal([prompt]);
        sms.faults.limit(1);
        await smsWorker(0).runOnce();
        await smsAlerts.abnormal([prompt]);
        await smsWorker(5_000).runOnce();
        await smsWorker(20_000).runOnce();
        assert.deepEqual(
          sms.sent.map((m) => [m.phone, m.templateCode, m.params.what, m.params.amount]),
          [['13700137000', 'SMS_0009', '你的校园卡有异常消费', '要求输入密码未通过']],
        );
        assert.equal((await repo.outboxRow(`abnormal:${prompt.id}`, card.personId, 'sms'))?.status, 'sent');
      } finally {
        await sms.close();
      }
    });

    test('when the person is bound in Alipay, then a template message goes through the SDK, signed both ways; each fault switch', async () => {
      const alipayWorker = (ahead = 0) =>
        new MessageDelivery(repo, service, { alipay: alipaySender }, silent, {
          backoffBaseMs: 1_000,
          now: () => Date.now() + ahead,
        });
      const card = await t.client.getCard(await openStudent(t.client));
      const userId = `2088${String(process.pid).padStart(6, '0')}${String(serial).padStart(6, '0')}`;
      await bindings.insert(`ali-${userId}`, card.personId, card.cardNo);
      const s = { personNo: card.personNo, personId: card.personId };
      const to = () => ali.templateMessages.filter((m) => m.toUser === userId);

      const sent = event('hold_released');
      assert.deepEqual(await service.send(s.personNo, sent), { queued: ['alipay'], already: [] });
      await alipayWorker().runOnce();
      assert.equal(to().length, 1);
      assert.equal(to()[0]?.userTemplateId, 'tpl-hold_released');
      assert.deepEqual(to()[0]?.data.amount2, { value: '¥3.20' });

      // Gateway down (502): not taken, retried after the backoff.
      ali.faults.setGlobal({ gatewayDown: true });
      const down = event();
      await service.send(s.personNo, down);
      await alipayWorker().runOnce();
      assert.equal((await repo.outboxRow(down.key, s.personId, 'alipay'))?.status, 'pending');
      ali.faults.clear();
      await alipayWorker(5_000).runOnce();
      assert.equal((await repo.outboxRow(down.key, s.personId, 'alipay'))?.status, 'sent');
      assert.equal(to().length, 2);

      // An answer whose signature does not verify may hide a delivery: unknown, never sent again.
      ali.faults.setGlobal({ badResponseSignature: true });
      const unsure = event();
      await service.send(s.personNo, unsure);
      await alipayWorker(10_000).runOnce();
      ali.faults.clear();
      await alipayWorker(3_600_000).runOnce();
      assert.equal((await repo.outboxRow(unsure.key, s.personId, 'alipay'))?.status, 'unknown');
      assert.equal(to().length, 3);

      // A user who refused the app's messages: a signed refusal, final.
      ali.refuseTemplateMessagesTo.add(userId);
      const refused = event();
      await service.send(s.personNo, refused);
      await alipayWorker(3_600_000).runOnce();
      const row = await repo.outboxRow(refused.key, s.personId, 'alipay');
      assert.equal(row?.status, 'refused');
      assert.equal(row?.lastError, 'alipay_USER_TEMPLATE_REFUSED');
      assert.equal(to().length, 3);
    });

    test('when a person has no app binding and the event asks for SMS, then it goes by signed SendSms; limits and outages are retried', async () => {
      const sms = await startSmsStandIn({ keys: { LTAItest: 'sms-secret' }, signNames: ['校园卡'] });
      try {
        const phones = new Map<string, string>();
        const smsService = new MessageService(repo, bindings, { smsPhoneOf: async (id) => phones.get(id) });
        const smsTemplates = { card_status: { code: 'SMS_0001', keys: ['who', 'what'] } };
        const smsWorker = (secret: string, ahead = 0) =>
          new MessageDelivery(
            repo,
            smsService,
            {
              sms: new SmsSender({
                endpoint: sms.baseUrl,
                accessKeyId: 'LTAItest',
                accessKeySecret: secret,
                signName: '校园卡',
                templates: smsTemplates,
              }),
            },
            silent,
            { backoffBaseMs: 1_000, now: () => Date.now() + ahead },
          );
        const card = await t.client.getCard(await openStudent(t.client));
        phones.set(card.personId, '13800138000');
        const bound = await student(0);
        phones.set(bound.personId, '13900139000');
        const loss = (n: number) => ({
          key: `loss-${process.pid}-${serial}-${n}`,
          kind: 'card_status' as const,
          fields: ['家长', '挂失'],
          smsFallback: true,
        });
        assert.deepEqual((await smsService.send(card.personNo, loss(1))).queued, ['sms']);
        // Bound in the mini-program: the app's channel, no SMS.
        assert.deepEqual((await smsService.send(bound.personNo, loss(1))).queued, ['wechat']);
        sms.faults.limit(1);
        await smsWorker('sms-secret').runOnce();
        assert.equal(
          (await repo.outboxRow(loss(1).key, card.personId, 'sms'))?.lastError,
          'sms_isv.BUSINESS_LIMIT_CONTROL',
        );
        await smsWorker('sms-secret', 5_000).runOnce();
        assert.deepEqual(
          sms.sent.map((m) => [m.phone, m.templateCode, m.params.who]),
          [['13800138000', 'SMS_0001', '家长']],
        );
        // A wrong secret: the provider refuses the signature, final.
        await smsService.send(card.personNo, loss(2));
        await smsWorker('not-the-secret', 10_000).runOnce();
        assert.equal(
          (await repo.outboxRow(loss(2).key, card.personId, 'sms'))?.lastError,
          'sms_SignatureDoesNotMatch',
        );
        sms.faults.down(true);
        await smsService.send(card.personNo, loss(3));
        await smsWorker('sms-secret', 10_000).runOnce();
        assert.equal((await repo.outboxRow(loss(3).key, card.personId, 'sms'))?.status, 'pending');
        sms.faults.down(false);
        await smsWorker('sms-secret', 20_000).runOnce();
        assert.equal((await repo.outboxRow(loss(3).key, card.personId, 'sms'))?.status, 'sent');
        assert.equal(sms.sent.length, 2);
      } finally {
        await sms.close();
      }
    });
  });
}
