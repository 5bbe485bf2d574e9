// Messages outside the app through the running core (docs/messages.md): the delivery loop as production
// runs it (configured from the environment, on the scheduler) against the WeChat, Alipay and SMS
// stand-ins: what students are told of their cards, what linked parents are told of their children's
// (as the child allows), and news marked important. One core for the whole file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type AlipayStandIn, startAlipayStandIn } from '../../mock/alipay/server.ts';
import { APP_ID as ALIPAY_APP_ID, makeAppKeys } from '../../mock/alipay/test-support.ts';
import { type SmsStandIn, startSmsStandIn } from '../../mock/sms/server.ts';
import { type MessageStandIn, startMessageStandIn } from '../../mock/wechat/messages/server.ts';
import { BindingRepository } from '../src/bindings/binding-repository.ts';
import { GuardianRepository } from '../src/guardians/guardian-repository.ts';
import { createLogger } from '../src/log.ts';
import { GuardianMessages } from '../src/messages/guardian-messages.ts';
import { guardianRecipientId } from '../src/messages/guardian-recipients.ts';
import { MessageRepository } from '../src/messages/message-repository.ts';

const APPID = 'wxmessages0000001';
const SECRET = 'messages-test-secret';

describe('messages through the running core (mysql)', () => {
  let t: TestCore;
  let wx: MessageStandIn;
  let sms: SmsStandIn;
  let ali: AlipayStandIn;
  let repo: MessageRepository;
  let canteen: string;
  before(async () => {
    wx = await startMessageStandIn({ apps: { [APPID]: SECRET } });
    const keys = makeAppKeys();
    ali = await startAlipayStandIn({ apps: [{ appId: ALIPAY_APP_ID, appPublicKey: keys.publicKeyPem }] });
    sms = await startSmsStandIn({ keys: { LTAIcore: 'sms-core-secret' }, signNames: ['校园卡'] });
    // The delivery loop as production runs it: configured from the environment, on the scheduler.
    t = await startTestCore('mysql', {
      MESSAGES_CHANNELS: 'wechat,alipay,sms',
      MESSAGES_INTERVAL_MS: '1000',
      WECHAT_API_URL: wx.baseUrl,
      WECHAT_APPID: APPID,
      WECHAT_APP_SECRET: SECRET,
      SMS_URL: sms.baseUrl,
      SMS_ACCESS_KEY_ID: 'LTAIcore',
      SMS_ACCESS_KEY_SECRET: 'sms-core-secret',
      SMS_SIGN_NAME: '校园卡',
      ALIPAY_GATEWAY_URL: ali.gatewayUrl,
      ALIPAY_APP_ID: ALIPAY_APP_ID,
      ALIPAY_PRIVATE_KEY: keys.privateKeyPem,
      ALIPAY_PUBLIC_KEY: ali.alipayPublicKey,
    });
    repo = new MessageRepository(t.core.db);
    canteen = (await t.client.createMerchant({ name: '一食堂', category: 'canteen' })).id;
  });
  after(async () => {
    await t.stop();
    await sms.close();
    await ali.close();
    await wx.close();
  });

  /** Polls what a stand-in holds until `count` are there (the loop runs every second). */
  const arrived = async <T>(list: () => T[], count: number): Promise<T[]> => {
    for (let i = 0; i < 100 && list().length < count; i += 1) await sleep(100);
    return list();
  };

  test('when a parent reports the card lost, then the student is told who did it, by WeChat, or by SMS when bound in no app', async () => {
    const card = await t.client.getCard(await openStudent(t.client));
    const openid = `o-core-${process.pid}`;
    await new BindingRepository(t.core.db).insert(openid, card.personId, card.cardNo);
    await t.core.messages.consent(card.personId, 'wechat', ['card_status']);
    await t.client.changeCard(card.cardNo, 'report_loss', { type: 'parent', id: null });
    // Their own cancel is not told: they did it.
    await t.client.changeCard(card.cardNo, 'cancel_loss', { type: 'self', id: card.personNo });
    const got = await arrived(() => wx.delivered.filter((m) => m.touser === openid), 1);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.templateId, 'demo-card_status');
    assert.equal(got[0]?.data.thing1?.value, '家长挂失了你的校园卡');

    const phoneCard = await t.client.openCard({
      personNo: `P${process.pid}${Date.now().toString(36)}`,
      name: '无绑定学生',
      type: 'student',
      department: null,
      phone: '13900139000',
    });
    await t.client.changeCard(phoneCard.cardNo, 'freeze', { type: 'admin', id: 'admin-1' });
    const texts = await arrived(() => sms.sent.filter((m) => m.phone === '13900139000'), 1);
    assert.deepEqual(
      texts.map((m) => [m.templateCode, m.params.a]),
      [['SMS_DEMO_CARD_STATUS', '卡务中心冻结了你的校园卡']],
    );
    await sleep(1_200);
    assert.equal(wx.delivered.filter((m) => m.touser === openid).length, 1, 'nothing more was sent');
  });

  test('when a student asked for receipts and a low-balance alert, then a top-up and payments are told once each, and the alert once per crossing', async () => {
    const card = await t.client.getCard(await openStudent(t.client));
    const openid = `o-core-pay-${process.pid}`;
    await new BindingRepository(t.core.db).insert(openid, card.personId, card.cardNo);
    await t.core.messages.setPreferences(card.personId, {
      quietStartMin: 0,
      quietEndMin: 0,
      optedOut: [],
      receipts: true,
      lowBalanceFen: 1_000,
    });
    for (let i = 0; i < 4; i += 1)
      await t.core.messages.consent(card.personId, 'wechat', ['receipt', 'low_balance']);
    await t.client.topUp({ id: opId(), cardNo: card.cardNo, amount: 2_000, channel: 'wechat' });
    const payment = opId();
    await t.client.pay({ id: payment, cardNo: card.cardNo, merchantId: canteen, amount: 1_500 });
    // A retry of the same payment is a replay: no second receipt.
    await t.client.pay({ id: payment, cardNo: card.cardNo, merchantId: canteen, amount: 1_500 });
    await t.client.pay({ id: opId(), cardNo: card.cardNo, merchantId: canteen, amount: 100 });
    const got = await arrived(() => wx.delivered.filter((m) => m.touser === openid), 4);
    await sleep(1_200);
    const all = wx.delivered.filter((m) => m.touser === openid);
    assert.equal(all.length, 4);
    // A payment's receipt names the merchant paid.
    assert.deepEqual(got.map((m) => [m.templateId, m.data.thing1?.value, m.data.thing2?.value]).sort(), [
      ['demo-low_balance', '校园卡余额不足', '¥5.00'],
      ['demo-receipt', '一食堂消费', '¥1.00'],
      ['demo-receipt', '一食堂消费', '¥15.00'],
      ['demo-receipt', '校园卡充值', '¥20.00'],
    ]);
  });

  // Parents (docs/messages.md § Parents): an app account linked to a child's card, addressed by its own
  // recipient id; the child's visibility choices decide what reaches them.
  let parentSerial = 0;
  const aliUserId = () => {
    parentSerial += 1;
    return `2088${String(process.pid).padStart(6, '0')}${String(parentSerial).padStart(6, '0')}`;
  };
  const parentWx = () => {
    parentSerial += 1;
    return `o-parent-${process.pid}-${parentSerial}`;
  };
  /** The parent's outbox row of an event, or undefined when nothing was queued for them. */
  const parentRow = (key: string, parentOpenid: string, channel: 'wechat' | 'alipay') =>
    repo.outboxRow(key, guardianRecipientId(parentOpenid), channel);

  test("when a child's balance crosses a parent's alert and the card centre freezes the card, then the parents are told by WeChat and Alipay as the child allows; a parent who reports the card lost is not told their own report, the other parent is", async () => {
    const card = await t.client.getCard(await openStudent(t.client));
    await t.client.topUp({ id: opId(), cardNo: card.cardNo, amount: 3_000, channel: 'wechat' });
    const wxParent = parentWx();
    const aliUser = aliUserId();
    const aliParent = `ali-${aliUser}`;
    const wxLink = await t.client.linkGuardian({ parentOpenid: wxParent, personNo: card.personNo });
    const aliLink = await t.client.linkGuardian({ parentOpenid: aliParent, personNo: card.personNo });
    await t.client.updateGuardianLink(wxLink.id, { lowBalanceAlert: 2_000 });
    // The child does not show the Alipay parent the balance; that parent's own alert is 10.00.
    await t.client.updateGuardianLink(aliLink.id, { lowBalanceAlert: 1_000, showBalance: false });
    for (let i = 0; i < 3; i += 1)
      await t.client.guardianMessageConsent(wxParent, ['low_balance', 'card_status']);
    const toWx = () => wx.delivered.filter((m) => m.touser === wxParent);
    const toAli = () => ali.templateMessages.filter((m) => m.toUser === aliUser);

    // 30.00 -> 15.00: under the WeChat parent's 20.00.
    const first = opId();
    await t.client.pay({ id: first, cardNo: card.cardNo, merchantId: canteen, amount: 1_500 });
    const low = await arrived(toWx, 1);
    assert.deepEqual(
      [low[0]?.templateId, low[0]?.data.thing1?.value, low[0]?.data.thing2?.value],
      ['demo-low_balance', '测试学生在一食堂消费后余额不足', '¥15.00'],
    );
    // 15.00 -> 5.00 crosses the Alipay parent's 10.00, but the child hides the balance from them: nothing
    // is queued for them; the WeChat parent was under already: not told again.
    const second = opId();
    await t.client.pay({ id: second, cardNo: card.cardNo, merchantId: canteen, amount: 1_000 });
    // The card centre freezes the card: both parents are told who did it.
    await t.client.changeCard(card.cardNo, 'freeze', { type: 'admin', id: 'admin-1' });
    const frozen = await arrived(toAli, 1);
    assert.equal(frozen[0]?.userTemplateId, 'demo-card_status');
    assert.deepEqual(frozen[0]?.data.keyword1, { value: '卡务中心冻结了测试学生的校园卡' });
    const wxFrozen = await arrived(toWx, 2);
    assert.equal(wxFrozen[1]?.data.thing1?.value, '卡务中心冻结了测试学生的校园卡');
    assert.equal(await parentRow(`low:${second}`, aliParent, 'alipay'), undefined, 'balance hidden');
    assert.equal(await parentRow(`low:${second}`, wxParent, 'wechat'), undefined, 'not a new crossing');
    assert.equal((await parentRow(`low:${first}`, wxParent, 'wechat'))?.status, 'sent');

    // The WeChat parent reports the card lost (after the card centre unfroze it): the Alipay parent is
    // told a parent did it; the reporting parent is not told of their own report.
    await t.client.changeCard(card.cardNo, 'unfreeze', { type: 'admin', id: 'admin-1' });
    await arrived(toAli, 2);
    const lost = await t.client.changeCard(card.cardNo, 'report_loss', { type: 'parent', id: wxLink.id });
    const told = await arrived(toAli, 3);
    assert.deepEqual(
      told.map((m) => m.data.keyword1?.value),
      ['卡务中心冻结了测试学生的校园卡', '卡务中心解冻了测试学生的校园卡', '家长挂失了测试学生的校园卡'],
    );
    assert.equal(await parentRow(`card:${card.cardNo}:${lost.version}`, wxParent, 'wechat'), undefined);
    assert.deepEqual(
      (await arrived(toWx, 3)).map((m) => m.templateId),
      ['demo-low_balance', 'demo-card_status', 'demo-card_status'],
    );
    // Delivery reads the link again: a kind the child hides, or a link the child removed, has no target.
    const row = {
      personId: guardianRecipientId(aliParent),
      channel: 'alipay',
      kind: 'card_status',
      guardianLinkId: aliLink.id,
    } as const;
    assert.equal(await t.core.messages.targetOfRow(row), aliUser);
    assert.equal(await t.core.messages.targetOfRow({ ...row, kind: 'low_balance' }), undefined);
    await t.client.unlinkGuardian(aliLink.id);
    assert.equal(await t.core.messages.targetOfRow(row), undefined);
  });

  test("when a parent tops up the child's card, then that parent gets the receipt; an abnormal-spending alert reaches only the parents the child shows spending to", async () => {
    const card = await t.client.getCard(await openStudent(t.client));
    const payer = parentWx();
    const other = parentWx();
    const payerLink = await t.client.linkGuardian({ parentOpenid: payer, personNo: card.personNo });
    const otherLink = await t.client.linkGuardian({ parentOpenid: other, personNo: card.personNo });
    await t.client.updateGuardianLink(otherLink.id, { showSpending: false });
    await t.client.guardianMessageConsent(payer, ['receipt', 'spending_alert']);
    await t.client.guardianMessageConsent(other, ['receipt', 'spending_alert']);

    const order = await t.client.createTopUpOrder({
      openid: payer,
      cardNo: card.cardNo,
      idempotencyKey: opId('parent-topup'),
      amount: 2_000,
      channel: 'wechat',
      dailyCap: 100_000,
      ttlMs: 600_000,
    });
    const transactionId = `42000${process.pid}${Date.now()}`.slice(0, 32);
    await t.client.confirmTopUpPayment(order.id, { transactionId, amount: 2_000, paidAtMs: Date.now() });
    const toPayer = () => wx.delivered.filter((m) => m.touser === payer);
    const receipt = await arrived(toPayer, 1);
    assert.deepEqual(
      [receipt[0]?.templateId, receipt[0]?.data.thing1?.value, receipt[0]?.data.thing2?.value],
      ['demo-receipt', '为测试学生充值', '¥20.00'],
    );
    assert.equal(await parentRow(`receipt:wx:${transactionId}`, other, 'wechat'), undefined);

    // Campus insight flagged the card (AbnormalAlerts' notice): the parents are told as the child allows.
    const alerts = new GuardianMessages(
      t.core.messages,
      t.core.cards,
      new GuardianRepository(t.core.db),
      repo,
      createLogger('test', 'silent'),
    );
    const notice = {
      id: `Xparent${process.pid}${parentSerial}`,
      personId: card.personId,
      kind: 'insight_abnormal',
      title: '校园卡异常消费提醒',
      body: '…',
      data: {
        action: 'freeze',
        cardNo: card.cardNo,
        evidence: [
          { id: 'a', atMs: Date.now(), merchantId: canteen, amount: 1_200 },
          { id: 'b', atMs: Date.now(), merchantId: canteen, amount: 800 },
        ],
      },
      createdAtMs: Date.now(),
    };
    const queued = await alerts.abnormal([notice]);
    assert.deepEqual(
      queued.map((m) => m.linkId),
      [payerLink.id],
    );
    // Told once however often insight reports the same notice.
    await alerts.abnormal([notice]);
    const both = await arrived(toPayer, 2);
    assert.deepEqual(
      [both[1]?.templateId, both[1]?.data.thing1?.value, both[1]?.data.thing2?.value],
      ['demo-spending_alert', '测试学生的校园卡有异常消费', '¥20.00'],
    );
    assert.equal(await parentRow(`abnormal:${notice.id}`, other, 'wechat'), undefined);
    assert.equal(wx.delivered.filter((m) => m.touser === other).length, 0);
  });

  test('when news is published important, or marked important later, then each bound person of its audience gets one message, those outside it none, those who opted out none', async () => {
    const department = `重要通知学院${process.pid}`;
    const bound = async (dept: string, tag: string) => {
      const card = await t.client.openCard({
        personNo: `N${process.pid}${tag}${Date.now().toString(36)}`.slice(0, 32),
        name: '新闻读者',
        type: 'student',
        department: dept,
      });
      const openid = `o-news-${process.pid}-${tag}`;
      await new BindingRepository(t.core.db).insert(openid, card.personId, card.cardNo);
      await t.core.messages.consent(card.personId, 'wechat', ['news', 'news']);
      return { ...card, openid };
    };
    const reader = await bound(department, 'a');
    const optedOut = await bound(department, 'b');
    const outsider = await bound(`${department}外`, 'c');
    await t.core.messages.setPreferences(optedOut.personId, {
      quietStartMin: 0,
      quietEndMin: 0,
      optedOut: ['news'],
      receipts: false,
      lowBalanceFen: null,
    });
    const audience = { type: 'department' as const, value: department };
    const item = await t.client.publishNews({
      title: '停水通知',
      body: '明日 8:00–12:00 停水。',
      audience,
      author: '卡务中心',
      important: true,
    });
    assert.equal(item.important, true);
    const toReader = () => wx.delivered.filter((m) => m.touser === reader.openid);
    const got = await arrived(toReader, 1);
    assert.deepEqual(
      [got[0]?.templateId, got[0]?.data.thing1?.value, got[0]?.page],
      ['demo-news', '停水通知', 'pages/news/index'],
    );
    assert.equal((await repo.outboxRow(`news:${item.id}`, optedOut.personId, 'wechat'))?.status, 'skipped');
    assert.equal(await repo.outboxRow(`news:${item.id}`, outsider.personId, 'wechat'), undefined);

    // Published plainly, then marked important: sent then, once; marking it again sends nothing more.
    const plain = await t.client.publishNews({
      title: '图书馆开放',
      body: '周末照常开放。',
      audience,
      author: '卡务中心',
    });
    assert.equal(plain.important, false);
    const marked = await t.client.editNews(plain.id, { important: true });
    assert.deepEqual(marked.changed, ['important']);
    await arrived(toReader, 2);
    await t.client.editNews(plain.id, { important: false });
    await t.client.editNews(plain.id, { important: true });
    const feed = await t.client.newsFor(reader.personNo, { limit: 10 });
    assert.deepEqual(
      feed.items.map((n) => [n.title, n.important]),
      [
        ['图书馆开放', true],
        ['停水通知', true],
      ],
    );
    assert.equal((await repo.outboxRow(`news:${plain.id}`, reader.personId, 'wechat'))?.status, 'sent');
    assert.equal(toReader().length, 2);
  });
});
