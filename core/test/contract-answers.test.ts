import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import type { z } from 'zod';
import {
  adminAccount,
  answer,
  approval,
  auditEntry,
  auditVerifyReport,
  blacklistChanges,
  blacklistSnapshot,
  cardChange,
  cardHistoryEntry,
  cardTransaction,
  cardView,
  course,
  deviceConfig,
  holdView,
  lesson,
  monthlyStatement,
  newsItem,
  offlineUploadResult,
  operationView,
  payCodeSecret,
  payCodeVerdict,
  perMinuteAnswer,
  personHit,
  reportAnswer,
  signInResult,
  topUpOrder,
} from '../src/contract/index.ts';

/**
 * The contract's answer schemas say what the core really answers: each answer parses, and parsing
 * drops nothing (a field the core answers that the contract does not name fails the deep equality,
 * as does one the contract names that the core leaves out or types otherwise).
 */
function exactly<S extends z.ZodType>(schema: S, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  assert.ok(parsed.success, `${what}: ${parsed.success ? '' : parsed.error.message}`);
  assert.deepEqual(parsed.data, value, `${what}: the answer has fields the contract does not name`);
}

describe('the contract describes the core’s answers', () => {
  let t: TestCore;
  let cardNo: string;
  let merchantId: string;

  before(async () => {
    t = await startTestCore(dialects.includes('sqlite') ? 'sqlite' : (dialects[0] ?? 'mysql'), {
      HOLD_SWEEP_INTERVAL_MS: '3600000',
    });
    merchantId = (await t.client.createMerchant({ name: '超市', category: 'shop' })).id;
    cardNo = await openStudent(t.client);
  });
  after(() => t.stop());

  test('cards, money operations, holds and statements', async () => {
    exactly(cardView, await t.client.getCard(cardNo), 'card');
    const topUp = await t.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    exactly(answer, topUp, 'top-up answer');
    const paid = await t.client.pay({ id: opId(), cardNo, merchantId, amount: 300 });
    exactly(answer, paid, 'payment answer');
    const refused = await t.client.pay({ id: opId(), cardNo, merchantId, amount: 9_999_999 });
    assert.equal(refused.status, 'rejected');
    exactly(answer, refused, 'refused payment');
    exactly(operationView, await t.client.getOperation(paid.id), 'operation');
    const held = await t.client.hold({ id: opId(), cardNo, merchantId, amount: 200, timeoutMs: 60_000 });
    assert.equal(held.status, 'ok');
    exactly(holdView, await t.client.getHold(held.status === 'ok' ? (held.holdId ?? '') : ''), 'hold');
    const { items } = await t.client.cardTransactions(cardNo);
    assert.ok(items.length >= 2);
    for (const item of items) exactly(cardTransaction, item, `transaction ${item.kind}`);
    const month = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
    })
      .format(new Date())
      .slice(0, 7);
    exactly(monthlyStatement, await t.client.monthlyStatement(cardNo, month), 'monthly statement');
    exactly(cardChange, await t.client.changeCard(cardNo, 'freeze', { type: 'admin', id: 'a1' }), 'change');
    await t.client.changeCard(cardNo, 'unfreeze', { type: 'admin', id: 'a1' });
    const history = await t.client.cardHistory(cardNo);
    assert.ok(history.length >= 2);
    for (const event of history) exactly(cardHistoryEntry, event, 'history entry');
  });

  test('pay codes, content, top-up orders, reports', async () => {
    exactly(payCodeSecret, await t.client.payCodeSecret(cardNo), 'pay-code secret');
    exactly(payCodeVerdict, await t.client.verifyPayCode('not a code'), 'pay-code verdict');
    exactly(
      newsItem,
      await t.client.publishNews({
        title: '通知',
        body: '正文',
        audience: { type: 'all' },
        author: 'editor',
      }),
      'news',
    );
    const made = await t.client.createCourse({ title: '课程', teacher: '王老师', audience: { type: 'all' } });
    exactly(course, made, 'course');
    exactly(
      lesson,
      await t.client.addLesson(made.id, {
        seq: 1,
        title: '第一课',
        video: { path: 'a.mp4' },
        durationSeconds: 60,
      }),
      'lesson',
    );
    exactly(
      topUpOrder,
      await t.client.createTopUpOrder({
        openid: 'openid-contract',
        cardNo,
        idempotencyKey: 'contract-key-1',
        amount: 1_000,
        dailyCap: 100_000,
        ttlMs: 600_000,
      }),
      'top-up order',
    );
    exactly(
      reportAnswer,
      await t.client.report('turnover/daily', { from: '2026-01-01', to: '2026-01-02' }),
      'report',
    );
    exactly(perMinuteAnswer, await t.client.reportPerMinute(5), 'per-minute');
  });

  test('admin accounts, approvals, people and the audit log', async () => {
    const admin = await t.client.createAdmin({
      username: 'contract.checker',
      displayName: '核对',
      role: 'auditor',
      password: 'a-long-password-1',
    });
    exactly(adminAccount, admin, 'admin account');
    exactly(
      approval,
      await t.client.proposeApproval({
        kind: 'adjustment',
        payload: { cardNo },
        amount: 100,
        reason: '核对',
        targetId: cardNo,
        makerId: admin.id,
      }),
      'approval',
    );
    const people = await t.client.searchPeople({ q: '测试学生' });
    assert.ok(people.items.length >= 1);
    for (const hit of people.items) exactly(personHit, hit, 'person hit');
    exactly(
      auditEntry,
      await t.client.appendAudit({
        actorType: 'admin',
        actorId: admin.id,
        action: 'contract.check',
        targetType: null,
        targetId: null,
        detail: { n: 1 },
      }),
      'audit entry',
    );
    exactly(auditVerifyReport, await t.client.verifyAudit(), 'audit verify');
  });

  test('device keys, configuration, the blacklist, offline uploads and attendance sign-ins', async () => {
    const device = await t.client.registerDevice({ id: '7301', kind: 'attendance', merchantId: null });
    exactly(deviceConfig, (await t.client.deviceKey(device.id)).config, 'configuration with the key');
    exactly(deviceConfig, await t.client.deviceConfig(device.id), 'configuration');
    await t.client.changeCard(cardNo, 'freeze', { type: 'admin', id: 'A1' }, '核对');
    exactly(blacklistSnapshot, await t.client.blacklist(), 'blacklist');
    exactly(blacklistChanges, await t.client.blacklistChanges(0), 'blacklist changes');
    await t.client.changeCard(cardNo, 'unfreeze', { type: 'admin', id: 'A1' }, '核对');
    exactly(offlineUploadResult, await t.client.uploadOfflineRecords(device.id, []), 'offline upload');
    exactly(
      signInResult,
      await t.client.signInAttendance({
        sessionId: 'contract-none',
        cardNo,
        deviceId: device.id,
        sequence: 1,
        atMs: Date.now(),
        source: 'online',
      }),
      'sign-in',
    );
  });
});
