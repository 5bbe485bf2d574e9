import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { AuditLog } from '../src/admin/audit-log.ts';
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
