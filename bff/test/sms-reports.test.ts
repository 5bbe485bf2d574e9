// SMS delivery reports (#14, docs/messages.md § SMS): the SMS stand-in pushes each message's SmsReport to
// the BFF's address with the token; a message the carrier did not deliver turns its outbox row from sent
// to failed (found by the OutId the sender gave), so the backoffice lists it; a delivered one, a report
// pushed again, one without our OutId, or a wrong token change nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@campus-card/core/log';
import { dialects, openStudent } from '@campus-card/tests/kit';
import { BindingRepository } from '../../core/src/bindings/binding-repository.ts';
import { MessageDelivery } from '../../core/src/messages/message-delivery.ts';
import { MessageRepository } from '../../core/src/messages/message-repository.ts';
import { MessageService } from '../../core/src/messages/message-service.ts';
import { outboxMessageId } from '../../core/src/messages/message-types.ts';
import { SmsSender } from '../../core/src/messages/sms-sender.ts';
import { type SmsStandIn, startSmsStandIn } from '../../mock/sms/server.ts';
import { startWorld, type TestWorld } from './support.ts';

const silent = createLogger('test', 'silent');

for (const dialect of dialects)
  describe(`SMS delivery reports (${dialect})`, () => {
    const token = randomBytes(24).toString('base64url');
    let world: TestWorld;
    let sms: SmsStandIn;
    let repo: MessageRepository;
    let service: MessageService;
    const phones = new Map<string, string>();
    before(async () => {
      world = await startWorld({ SMS_REPLY_TOKEN: token }, { dialect });
      sms = await startSmsStandIn({
        keys: { LTAIreports: 'sms-reports-secret' },
        signNames: ['校园卡'],
        reportUrl: `${world.bff.url}/api/v1/sms/reports/${token}`,
      });
      repo = new MessageRepository(world.core.core.db);
      service = new MessageService(repo, new BindingRepository(world.core.core.db), {
        smsPhoneOf: async (id) => phones.get(id),
      });
    });
    after(async () => {
      await sms?.close();
      await world.stop();
    });

    const deliver = () =>
      new MessageDelivery(
        repo,
        service,
        {
          sms: new SmsSender({
            endpoint: sms.baseUrl,
            accessKeyId: 'LTAIreports',
            accessKeySecret: 'sms-reports-secret',
            signName: '校园卡',
            templates: { card_status: { code: 'SMS_0001', keys: ['who', 'what'] } },
          }),
        },
        silent,
        { backoffBaseMs: 1_000 },
      ).runOnce();

    test('when the carrier does not deliver a text, then its row turns failed with the report code and the backoffice lists it; a delivered one stays sent', async () => {
      const reached = await world.core.client.getCard(await openStudent(world.core.client));
      const unreachable = await world.core.client.getCard(await openStudent(world.core.client));
      phones.set(reached.personId, '13500135001');
      phones.set(unreachable.personId, '13500135002');
      sms.faults.undeliverable('13500135002');
      const key = `report-${process.pid}-${dialect}`;
      const event = { key, kind: 'card_status' as const, fields: ['卡务中心', '冻结'], smsFallback: true };
      assert.deepEqual((await service.send(reached.personNo, event)).queued, ['sms']);
      assert.deepEqual((await service.send(unreachable.personNo, event)).queued, ['sms']);
      await deliver();
      await sms.reportsSettled();
      assert.deepEqual(
        sms.reports.map((r) => r.status),
        [200, 200],
        'each push answered as taken',
      );
      const ok = await repo.outboxRow(key, reached.personId, 'sms');
      const lost = await repo.outboxRow(key, unreachable.personId, 'sms');
      assert.deepEqual([ok?.status, ok?.lastError], ['sent', null]);
      assert.deepEqual([lost?.status, lost?.lastError], ['failed', 'sms_report_UNDELIV']);
      const listed = (await world.core.client.messageFailures()).items.filter((f) => f.eventKey === key);
      assert.deepEqual(
        listed.map((f) => [f.channel, f.status, f.lastError]),
        [['sms', 'failed', 'sms_report_UNDELIV']],
      );

      // The same report pushed again, or a late "delivered" for the failed one, changes nothing.
      const lostId = outboxMessageId({ eventKey: key, personId: unreachable.personId, channel: 'sms' });
      assert.deepEqual(await world.core.client.smsReport(lostId, false, 'UNDELIV'), { undelivered: false });
      const okId = outboxMessageId({ eventKey: key, personId: reached.personId, channel: 'sms' });
      assert.deepEqual(await world.core.client.smsReport(okId, true, 'DELIVERED'), { undelivered: false });
      assert.equal((await repo.outboxRow(key, reached.personId, 'sms'))?.status, 'sent');
    });

    test('when a report has no OutId of ours or the token is wrong, then nothing changes', async () => {
      const push = (path: string, body: unknown) =>
        fetch(`${world.bff.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const report = { phone_number: '13500135003', success: false, err_code: 'UNDELIV', biz_id: '1^0' };
      const noOutId = await push(`/api/v1/sms/reports/${token}`, [report]);
      assert.deepEqual([noOutId.status, await noOutId.json()], [200, { code: 0, msg: '成功' }]);
      const foreign = await push(`/api/v1/sms/reports/${token}`, [{ ...report, out_id: 'order-42' }]);
      assert.equal(foreign.status, 200);
      const wrongToken = await push('/api/v1/sms/reports/not-the-token', [report]);
      assert.equal(wrongToken.status, 404);
      const notReports = await push(`/api/v1/sms/reports/${token}`, { success: true });
      assert.equal(notReports.status, 400);
    });
  });
