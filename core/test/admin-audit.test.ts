import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { AuditLog, maskedName } from '../src/admin/audit-log.ts';
import { openDatabase } from '../src/db/database.ts';

for (const dialect of dialects) {
  describe(`audit chain on ${dialect}`, () => {
    let world: TestCore;
    before(async () => {
      world = await startTestCore(dialect);
    });
    after(() => world.stop());

    const entry = (n: number) => ({
      actorType: 'admin' as const,
      actorId: `A${n % 3}`,
      action: 'card.report_loss',
      targetType: 'card',
      targetId: String(10_000_000 + n),
      detail: { n },
    });

    test('when three writers (as three core processes) append at once, then the chain stays one line and verifies', async () => {
      // Goal: the unique seq / prev_hash indexes make a racing append retry instead of forking, and a
      // writer that keeps losing races still gets its rows in (a random wait before each retry).
      const others = [openDatabase(world.databaseUrl), openDatabase(world.databaseUrl)];
      try {
        const writers = [world.core.audit, ...others.map((db) => new AuditLog(db))];
        await Promise.all(
          Array.from({ length: 60 }, (_, n) => (writers[n % 3] as AuditLog).append(entry(n))),
        );
      } finally {
        await Promise.all(others.map((db) => db.close()));
      }
      const report = await world.client.verifyAudit();
      assert.deepEqual(report, { ok: true, rows: 60 });
      const found = await world.client.searchAudit({ actorId: 'A1', limit: 100 });
      assert.equal(found.items.length, 20);
      assert.ok(found.items.every((e) => e.actorId === 'A1'));
    });

    test('when the log is searched, then each target reads as what it is (a masked holder, a merchant, a device, a batch) from one query for the page', async () => {
      // Goal: the 对象 column shows words, not ids, without a lookup per row.
      const cardNo = await openStudent(world.client);
      const canteen = await world.client.createMerchant({ name: '审计一食堂', category: 'canteen' });
      const deviceId = String(7_000_000 + (process.pid % 1_000_000));
      await world.client.registerDevice({ id: deviceId, kind: 'pos', merchantId: canteen.id });
      const batch = await world.client.createSubsidyBatch({
        title: '审计十二月餐补',
        createdBy: 'maker',
        source: { csv: '学号,金额,备注\r\nNOBODY,1,' },
      });
      const targets = [
        ['card', cardNo],
        ['merchant', canteen.id],
        ['device', deviceId],
        ['subsidy_batch', batch.id],
        ['card', '00000000'],
      ] as const;
      for (const [targetType, targetId] of targets)
        await world.core.audit.append({
          actorType: 'admin',
          actorId: 'T1',
          action: 'card.freeze',
          targetType,
          targetId,
          detail: {},
        });
      const select = world.core.db.select.bind(world.core.db);
      let queries = 0;
      world.core.db.select = ((...args: Parameters<typeof select>) => {
        queries += 1;
        return select(...args);
      }) as typeof select;
      let found: Awaited<ReturnType<AuditLog['search']>>;
      try {
        found = await world.core.audit.search({ actorId: 'T1', limit: 50 });
      } finally {
        world.core.db.select = select;
      }
      assert.equal(queries, 1, 'one query for the page');
      assert.deepEqual(found.map((e) => [e.targetType, e.target]).reverse(), [
        ['card', { name: '测**生' }],
        ['merchant', { name: '审计一食堂' }],
        ['device', { name: '审计一食堂', deviceKind: 'pos' }],
        ['subsidy_batch', { name: '审计十二月餐补' }],
        ['card', undefined],
      ]);
      assert.deepEqual(['张', '张三', '张三丰', '欧阳娜娜'].map(maskedName), [
        '张',
        '张*',
        '张*丰',
        '欧**娜',
      ]);
      assert.deepEqual(await world.client.verifyAudit(), { ok: true, rows: 65 }, 'the lookup is not hashed');
    });

    test('when a stored row is edited afterwards, then verify names that row', async () => {
      const target = (await world.client.searchAudit({ targetId: '10000007' })).items[0];
      assert.ok(target);
      await world.core.db.execute('UPDATE audit_log SET detail = ? WHERE id = ?', ['{"n":700}', target.id]);
      const report = await world.client.verifyAudit();
      assert.equal(report.ok, false);
      assert.equal(report.breakAt?.seq, target.seq);
      assert.equal(report.breakAt?.reason, 'the row does not hash to its hash');
    });
  });
}
