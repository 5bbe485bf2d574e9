// SMS to guardians who do not use the app (#14, docs/messages.md § Guardians without the app): the
// guardian on record comes from the academic-affairs database through the identity sync (sealed), and a
// child with no parent account linked has them texted through the SMS stand-in when the card is reported
// lost or frozen and when the balance crosses the child's alert; a linked parent gets app messages
// instead. Delivery runs here with a clock of the test's choosing (quiet hours), against the real core
// and its database, on MariaDB and SQLite.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  dialects,
  mysqlServerUrl,
  openStudent,
  opId,
  startTestCore,
  type TestCore,
} from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import { type SmsStandIn, startSmsStandIn } from '../../mock/sms/server.ts';
import { type MessageStandIn, startMessageStandIn } from '../../mock/wechat/messages/server.ts';
import type { CardActivity } from '../src/activity/card-activity.ts';
import { guardianPhoneDigester } from '../src/guardians/guardian-contacts.ts';
import { GuardianRepository } from '../src/guardians/guardian-repository.ts';
import { createLogger } from '../src/log.ts';
import { GuardianMessages } from '../src/messages/guardian-messages.ts';
import { guardianRecipientId, smsGuardianRecipientId } from '../src/messages/guardian-recipients.ts';
import { MessageDelivery } from '../src/messages/message-delivery.ts';
import { MessageRepository } from '../src/messages/message-repository.ts';
import { type MessageKind, messageKinds } from '../src/messages/message-types.ts';
import { SmsSender } from '../src/messages/sms-sender.ts';
import { WechatMessageSender } from '../src/messages/wechat-sender.ts';
import { createPii } from '../src/pii.ts';
import { shanghaiOffsetMs } from '../src/time.ts';

const silent = createLogger('test', 'silent');
const APPID = 'wxguardiansms00001';
const SECRET = 'guardian-sms-secret';
const smsTemplates = Object.fromEntries(
  messageKinds.map((k) => [k, { code: `SMS_${k.toUpperCase()}`, keys: ['what', 'amount', 'time'] }]),
) as Record<MessageKind, { code: string; keys: string[] }>;
const wxTemplates = Object.fromEntries(
  messageKinds.map((k) => [k, { id: `tpl-${k}`, keys: ['thing1', 'amount2', 'time3'] }]),
) as Record<MessageKind, { id: string; keys: string[] }>;

/** The first instant after now at this minute of the Asia/Shanghai day. */
function nextShanghai(minuteOfDay: number): number {
  const dayMs = 86_400_000;
  const now = Date.now();
  const dayStart = now - ((now + shanghaiOffsetMs) % dayMs);
  let at = dayStart + minuteOfDay * 60_000;
  while (at <= now) at += dayMs;
  return at;
}

for (const dialect of dialects)
  describe(`SMS to guardians without the app (${dialect})`, () => {
    const piiKey = randomBytes(32).toString('hex');
    let campus: Campus;
    let t: TestCore;
    let sms: SmsStandIn;
    let wx: MessageStandIn;
    let repo: MessageRepository;
    let guardianMessages: GuardianMessages;
    let canteen: string;
    const seen: CardActivity[] = [];
    let handled = 0;

    before(async () => {
      campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 14, students: 12, staff: 1 });
      sms = await startSmsStandIn({ keys: { LTAIguardian: 'sms-guardian-secret' }, signNames: ['校园卡'] });
      wx = await startMessageStandIn({ apps: { [APPID]: SECRET } });
      t = await startTestCore(dialect, {
        ACADEMIC_DATABASE_URL: campus.academicUrl,
        HR_DATABASE_URL: campus.hrUrl,
        SYNC_INTERVAL_MS: '0',
        SYNC_OVERLAP_MS: '0',
        PII_KEY: piiKey,
      });
      repo = new MessageRepository(t.core.db);
      guardianMessages = new GuardianMessages(
        t.core.messages,
        t.core.cards,
        new GuardianRepository(t.core.db),
        repo,
        silent,
      );
      t.core.activity.on((activity) => seen.push(activity));
      canteen = (await t.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
      await runSync();
    });
    after(async () => {
      await t.stop();
      await campus.close({ drop: true });
      await sms.close();
      await wx.close();
    });

    async function runSync() {
      const started = await t.client.startSyncRun('incremental', { type: 'admin', id: 'admin-1' });
      await t.core.sync.idle();
      const run = await t.client.syncRun(started.id, { errorsLimit: 100 });
      assert.equal(run.status, 'succeeded', run.failure ?? '');
      return run;
    }
    /** The card activity committed so far, through the parents' messages (as the running core follows it). */
    async function follow(count: number) {
      for (let i = 0; i < 100 && seen.length < handled + count; i += 1) await sleep(20);
      const out = [];
      for (; handled < seen.length; handled += 1) {
        out.push(...(await guardianMessages.handle(seen[handled] as CardActivity)));
      }
      return out;
    }
    /** One delivery pass at `nowMs` with the SMS and WeChat senders. */
    const deliver = (nowMs: number) =>
      new MessageDelivery(
        repo,
        t.core.messages,
        {
          sms: new SmsSender({
            endpoint: sms.baseUrl,
            accessKeyId: 'LTAIguardian',
            accessKeySecret: 'sms-guardian-secret',
            signName: '校园卡',
            templates: smsTemplates,
          }),
          wechat: new WechatMessageSender(repo, {
            baseUrl: wx.baseUrl,
            appId: APPID,
            appSecret: SECRET,
            templates: wxTemplates,
          }),
        },
        silent,
        { backoffBaseMs: 1_000, now: () => nowMs },
      ).runOnce();
    const textsTo = (phone: string) => sms.sent.filter((m) => m.phone === phone);
    const digest = guardianPhoneDigester(piiKey);
    const withGuardian = () => campus.data.students.filter((s) => s.guardianPhone !== null);
    async function cardOf(personNo: string) {
      const [row] = await t.core.db.select<{ card_no: string }>(
        'SELECT c.card_no FROM cards c JOIN persons p ON p.id = c.person_id WHERE p.person_no = ?',
        [personNo],
      );
      return t.client.getCard(String(row?.card_no));
    }
    const noon = () => nextShanghai(12 * 60);

    test('when the sync reads student records, then each guardian on record is kept sealed with a keyed digest, changed and removed with the record', async () => {
      const pii = createPii(piiKey);
      const rows = await t.core.db.select<Record<string, unknown>>(
        'SELECT g.name_enc, g.phone_enc, g.phone_digest, p.person_no FROM guardian_contacts g JOIN persons p ON p.id = g.person_id',
      );
      assert.equal(rows.length, withGuardian().length);
      assert.ok(rows.length > 0 && rows.length <= 12);
      for (const r of rows) {
        const s = campus.data.students.find((x) => x.studentNo === r.person_no);
        assert.ok(s?.guardianPhone);
        assert.ok(!String(r.phone_enc).includes(s.guardianPhone), 'sealed, not plain');
        assert.equal(pii.decrypt(String(r.phone_enc)), s.guardianPhone);
        assert.equal(pii.decrypt(String(r.name_enc)), s.guardianName);
        assert.equal(r.phone_digest, digest(s.guardianPhone));
      }
      const [changed, removed] = withGuardian();
      assert.ok(changed && removed);
      await campus.updateStudent(changed.studentNo, { guardianPhone: '13712345678' });
      await campus.updateStudent(removed.studentNo, { guardianName: null, guardianPhone: null });
      assert.equal((await runSync()).counts.updated, 2);
      const phoneOf = async (no: string) => {
        const [r] = await t.core.db.select<{ phone_enc: string }>(
          'SELECT g.phone_enc FROM guardian_contacts g JOIN persons p ON p.id = g.person_id WHERE p.person_no = ?',
          [no],
        );
        return r && pii.decrypt(String(r.phone_enc));
      };
      assert.equal(await phoneOf(changed.studentNo), '13712345678');
      assert.equal(await phoneOf(removed.studentNo), undefined);
      changed.guardianPhone = '13712345678';
      removed.guardianPhone = null;
    });

    test('when the card of a child with no parent in the app is reported lost or frozen, then the guardian on record gets one SMS per event, retried after flow control, quiet at night', async () => {
      const student = withGuardian()[2];
      assert.ok(student?.guardianPhone);
      const phone = student.guardianPhone;
      const card = await cardOf(student.studentNo);
      const recipient = smsGuardianRecipientId(digest(phone));

      // The child reports it lost themself; the card centre cancels that and freezes it later.
      const lost = await t.client.changeCard(card.cardNo, 'report_loss', { type: 'self', id: card.personNo });
      const queued = await follow(1);
      assert.deepEqual(
        queued.map((m) => [m.linkId, m.event.key, m.event.fields[0]]),
        [[null, `card:${card.cardNo}:${lost.version}`, `${student.name}本人挂失了校园卡`]],
      );
      // The same activity followed again (a retry) queues nothing more.
      assert.deepEqual(await guardianMessages.handle(seen[handled - 1] as CardActivity), []);
      await t.client.changeCard(card.cardNo, 'cancel_loss', { type: 'admin', id: 'admin-1' });
      assert.deepEqual(await follow(1), [], 'a loss undone is not texted');
      const frozen = await t.client.changeCard(card.cardNo, 'freeze', { type: 'admin', id: 'admin-1' });
      assert.equal((await follow(1)).length, 1);

      // The provider's flow control refuses the first try: retried after the backoff, sent once.
      sms.faults.limit(1);
      const at = noon();
      await deliver(at);
      await deliver(at + 5_000);
      await deliver(at + 60_000);
      assert.deepEqual(
        textsTo(phone)
          .map((m) => [m.templateCode, m.params.what, m.params.amount])
          .sort(),
        [
          ['SMS_CARD_STATUS', `${student.name}本人挂失了校园卡`, '挂失'],
          ['SMS_CARD_STATUS', `卡务中心冻结了${student.name}的校园卡`, '冻结'],
        ].sort(),
      );
      const row = await repo.outboxRow(`card:${card.cardNo}:${frozen.version}`, recipient, 'sms');
      assert.equal(row?.status, 'sent');
      assert.equal(row?.guardianOf, card.personId);
      assert.ok(!JSON.stringify(row).includes(phone), 'no phone number in the outbox');

      // Unfrozen, then frozen again at 23:30 Shanghai: the guardian's default quiet hours (22:00–07:00)
      // hold it until 07:00.
      await t.client.changeCard(card.cardNo, 'unfreeze', { type: 'admin', id: 'admin-1' });
      const again = await t.client.changeCard(card.cardNo, 'freeze', { type: 'admin', id: 'admin-1' });
      await follow(2);
      const night = nextShanghai(23 * 60 + 30);
      await deliver(night);
      const waiting = await repo.outboxRow(`card:${card.cardNo}:${again.version}`, recipient, 'sms');
      assert.equal(waiting?.status, 'pending');
      assert.equal(waiting?.lastError, 'quiet_hours');
      assert.equal(waiting?.nextAtMs, night + 7.5 * 3_600_000);
      assert.equal(textsTo(phone).length, 2);
      await deliver(night + 7.5 * 3_600_000);
      assert.equal(textsTo(phone).length, 3);
    });

    test("when a child's balance falls under their own alert, then the guardian on record is texted the balance once", async () => {
      const student = withGuardian()[3];
      assert.ok(student?.guardianPhone);
      const card = await cardOf(student.studentNo);
      await t.core.messages.setPreferences(card.personId, {
        quietStartMin: 0,
        quietEndMin: 0,
        optedOut: [],
        receipts: false,
        lowBalanceFen: 1_000,
      });
      await t.client.topUp({ id: opId(), cardNo: card.cardNo, amount: 2_000, channel: 'wechat' });
      await t.client.pay({ id: opId(), cardNo: card.cardNo, merchantId: canteen, amount: 1_500 });
      await t.client.pay({ id: opId(), cardNo: card.cardNo, merchantId: canteen, amount: 100 });
      const queued = await follow(3);
      assert.deepEqual(
        queued.map((m) => [m.event.kind, m.event.fields[0], m.event.fields[1]]),
        [['low_balance', `${student.name}的校园卡余额不足`, '¥5.00']],
      );
      await deliver(noon() + 120_000);
      assert.deepEqual(
        textsTo(student.guardianPhone).map((m) => [m.templateCode, m.params.amount]),
        [['SMS_LOW_BALANCE', '¥5.00']],
      );
    });

    test('when a parent is linked in the app, then they get the app message and the guardian on record no SMS; a guardian who links later gets app messages instead', async () => {
      const student = withGuardian()[4];
      assert.ok(student?.guardianPhone);
      const card = await cardOf(student.studentNo);
      const parent = `o-guardian-sms-${process.pid}-${dialect}`;
      await t.client.changeCard(card.cardNo, 'report_loss', { type: 'admin', id: 'admin-1' });
      assert.equal((await follow(1)).length, 1, 'no parent in the app yet: SMS');
      await t.client.changeCard(card.cardNo, 'cancel_loss', { type: 'admin', id: 'admin-1' });
      await follow(1);
      // The guardian installs the mini-program and links to the child.
      await t.client.linkGuardian({ parentOpenid: parent, personNo: card.personNo });
      await t.client.guardianMessageConsent(parent, ['card_status']);
      const frozen = await t.client.changeCard(card.cardNo, 'freeze', { type: 'admin', id: 'admin-1' });
      const queued = await follow(1);
      assert.equal(queued.length, 1);
      assert.notEqual(queued[0]?.linkId, null, 'the app message, through the link');
      const key = `card:${card.cardNo}:${frozen.version}`;
      assert.equal(
        await repo.outboxRow(key, smsGuardianRecipientId(digest(student.guardianPhone)), 'sms'),
        undefined,
      );
      await deliver(noon() + 180_000);
      assert.equal(textsTo(student.guardianPhone).length, 1, 'only the loss before the link');
      assert.equal((await repo.outboxRow(key, guardianRecipientId(parent), 'wechat'))?.status, 'sent');
      assert.equal(wx.delivered.filter((m) => m.touser === parent).length, 1);

      // A child whose record names no guardian: nobody is texted.
      const orphan = await t.client.getCard(await openStudent(t.client));
      await t.client.changeCard(orphan.cardNo, 'report_loss', { type: 'admin', id: 'admin-1' });
      assert.deepEqual(await follow(1), []);
    });

    test('when the guardian texts back 退订, then no SMS reaches them any more, for any child; another reply changes nothing', async () => {
      const student = withGuardian()[5];
      assert.ok(student?.guardianPhone);
      const phone = student.guardianPhone;
      const card = await cardOf(student.studentNo);
      assert.deepEqual(await t.core.messages.smsReply(phone, '好的，谢谢'), { optedOut: false });
      await t.client.changeCard(card.cardNo, 'report_loss', { type: 'admin', id: 'admin-1' });
      await t.client.changeCard(card.cardNo, 'cancel_loss', { type: 'admin', id: 'admin-1' });
      await follow(2);
      await deliver(noon() + 240_000);
      assert.equal(textsTo(phone).length, 1);
      assert.deepEqual(await t.core.messages.smsReply(phone, ' 退订 '), { optedOut: true });
      const frozen = await t.client.changeCard(card.cardNo, 'freeze', { type: 'admin', id: 'admin-1' });
      await follow(1);
      await deliver(noon() + 300_000);
      assert.equal(textsTo(phone).length, 1);
      const row = await repo.outboxRow(
        `card:${card.cardNo}:${frozen.version}`,
        smsGuardianRecipientId(digest(phone)),
        'sms',
      );
      assert.deepEqual([row?.status, row?.lastError], ['skipped', 'opted_out']);
      // The backoffice's counts include the SMS channel, the opt-out among them.
      const counts = await t.core.messages.dailyCounts(0);
      const smsCounts = counts.filter((c) => c.channel === 'sms');
      assert.ok(smsCounts.some((c) => c.status === 'sent' && c.kind === 'card_status' && c.count >= 1));
      assert.ok(smsCounts.some((c) => c.status === 'skipped' && c.count >= 1));
    });
  });
